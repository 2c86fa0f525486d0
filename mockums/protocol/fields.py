"""Request field rules and the validator they drive.

Real clients send more than the tables list (extra fields, optional fields as "" or 0, amounts as
numeric strings, a compact requestTimestamp, a date with a time). The lenient default accepts those,
flagging the last two; strict mode rejects what official material never shows (a compact requestTimestamp,
numbers where the table says string, an optional field sent as 0) and accepts what it does show: the
official examples send amounts as digit strings (`"totalAmount":"1"`), a kept gateway answer echoed the
date part of a `billDate` sent with a time, and no source shows the gateway refusing an optional field
sent empty.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from mockums.clock import Clock, describe_skew, epoch_of, parse_body_time
from mockums.limits import DEFAULT_SKEW_WINDOW
from mockums.protocol.clipping import quoted

FieldKind = Literal["string", "body_time", "amount", "date", "flag"]

AMOUNT_MIN, AMOUNT_MAX = 1, 100_000_000


@dataclass(frozen=True)
class FieldRule:
    name: str
    kind: FieldKind
    required: bool
    description: str
    example: str
    min_length: int | None = None
    max_length: int | None = None
    choices: tuple[str, ...] = ()
    clock_bound: bool = False  # a time that should be close to now (requestTimestamp), not any moment
    # The gateway itself reads this time (an H5 GET's content): a value it cannot read is its 412 in strict mode,
    # not a business BAD_REQUEST, and passes with a warning in lenient mode.
    gateway_parsed: bool = False

    def rule_text(self) -> str:
        """The rule in words, for error messages and the README's endpoint reference."""
        parts = ["required" if self.required else "optional"]
        if self.kind == "body_time":
            parts.append("format yyyy-MM-dd HH:mm:ss (Beijing time)")
            if self.gateway_parsed:
                parts.append("read by the gateway (strict mode: an unreadable value is its 412)")
        elif self.kind == "amount":
            parts.append(f"integer fen {AMOUNT_MIN}..{AMOUNT_MAX} (number or numeric string)")
        elif self.kind == "date":
            parts.append("format yyyy-MM-dd")
        elif self.kind == "flag":
            parts.append("true or false (boolean or string)")
        if self.min_length is not None and self.max_length is not None:
            span = (str(self.max_length) if self.min_length == self.max_length
                    else f"{self.min_length}..{self.max_length}")
            parts.append(f"{span} characters")
        elif self.max_length is not None:
            parts.append(f"at most {self.max_length} characters")
        if self.choices:
            parts.append("one of " + ", ".join(self.choices))
        return ", ".join(parts)


@dataclass(frozen=True)  # made only when a check fails or a scenario is tried: frozen costs little
class Violation:
    field: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message} (rule: {self.rule})"


@dataclass(frozen=True)
class ValidationPolicy:
    strict: bool = False  # reject compact requestTimestamp, non-string scalars, optionals sent as 0
    skew_window: int = DEFAULT_SKEW_WINDOW  # seconds between requestTimestamp and now before it is flagged; 0 = off


@dataclass(slots=True)  # one per request: not frozen, which would make it cost about twice as much
class ValidationResult:
    """What checking a request's fields found."""

    violations: tuple[Violation, ...]
    warnings: tuple[str, ...]
    abnormal_time: str | None  # set when strict mode rejects requestTimestamp as too far off
    unreadable_time: str | None = None  # set when strict mode refuses a gateway-parsed time it cannot read


def _absent(value: object) -> bool:
    return value is None or value == "" or (value == 0 and not isinstance(value, bool))


def _sent_as_zero(value: object) -> bool:
    """An absent-looking value strict mode still refuses: a number 0 (a field sent empty, "", or null is fine)."""
    return value is not None and value != ""


def validate_body(
    body: Mapping[str, object], rules: tuple[FieldRule, ...], policy: ValidationPolicy, clock: Clock,
    one_of: tuple[str, ...] = (),
) -> ValidationResult:
    violations: list[Violation] = []
    if one_of and all(_absent(body.get(name)) for name in one_of):
        names = " or ".join(one_of)
        violations.append(Violation(names, f"at least one of {', '.join(one_of)}", "both are missing or empty"))
    warnings: list[str] = []
    abnormal: str | None = None
    unreadable: str | None = None
    for rule in rules:
        value = body.get(rule.name)
        if value is None or value == "" or (value == 0 and not isinstance(value, bool)):  # _absent, inline: per field
            if rule.required:
                violations.append(Violation(rule.name, rule.rule_text(), "is missing or empty"))
            elif _sent_as_zero(value) and policy.strict:
                message = f"is {quoted(value)}; omit it instead (strict mode)"
                violations.append(Violation(rule.name, rule.rule_text(), message))
            continue
        if rule.gateway_parsed and (why := _unreadable_time(value, policy)) is not None:
            if policy.strict:
                unreadable = unreadable or f"{rule.name}: {why}"
            else:
                warnings.append(f"{rule.name}: {why}; strict mode refuses it as the gateway does (HTTP 412)")
            continue
        problem, warning, skew_text = _check(rule, value, policy, clock)
        if problem:
            violations.append(Violation(rule.name, rule.rule_text(), problem))
        if warning:
            warnings.append(f"{rule.name}: {warning}")
        if skew_text and abnormal is None:
            abnormal = f"{rule.name}: {skew_text}"
    return ValidationResult(tuple(violations), tuple(warnings), abnormal, unreadable)


def _unreadable_time(value: object, policy: ValidationPolicy) -> str | None:
    """Why the gateway could not read a time, or None: not a string, not a moment at all, or (strict mode) not in
    the table's yyyy-MM-dd HH:mm:ss. Lenient mode reads a compact yyyyMMddHHmmss, flagged by `_check`."""
    if not isinstance(value, str):
        return f"sent as {type(value).__name__}, not a yyyy-MM-dd HH:mm:ss string"
    if epoch_of(value) is None or (policy.strict and len(value) != 19):
        shown = value if len(value) <= 40 else f"{value[:40]}…"
        return f"{shown!r} is not yyyy-MM-dd HH:mm:ss"
    return None


def _check(
    rule: FieldRule, value: object, policy: ValidationPolicy, clock: Clock
) -> tuple[str | None, str | None, str | None]:
    """(violation, warning, strict-mode abnormal time) for one present value."""
    if type(value) is str and rule.kind == "string":  # the common case, checked without the detours below
        if rule.min_length is not None and len(value) < rule.min_length:
            return f"length {len(value)} is below {rule.min_length}", None, None
        if rule.max_length is not None and len(value) > rule.max_length:
            return f"length {len(value)} is above {rule.max_length}", None, None
        if rule.choices and value not in rule.choices:
            return f"{quoted(value)} is not one of {', '.join(rule.choices)}", None, None
        return None, None, None
    if rule.kind == "amount":
        return _check_amount(value), None, None
    if rule.kind == "flag":
        return _check_flag(value), None, None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return f"must be a string, got {type(value).__name__}", None, None
    warning = None
    if not isinstance(value, str):
        if policy.strict:
            return f"must be a string, got the number {value}", None, None
        warning = f"sent as the number {value}; the API table says string"
    text = str(value)
    if rule.min_length is not None and len(text) < rule.min_length:
        return f"length {len(text)} is below {rule.min_length}", None, None
    if rule.max_length is not None and len(text) > rule.max_length:
        return f"length {len(text)} is above {rule.max_length}", None, None
    if rule.choices and text not in rule.choices:
        return f"{quoted(text)} is not one of {', '.join(rule.choices)}", None, None
    if rule.kind == "body_time":
        return _check_body_time(text, rule.clock_bound, policy, clock, warning)
    if rule.kind == "date":
        return _check_date(text, warning)
    return None, warning, None


def is_true(value: object) -> bool:
    """A flag field as clients send it set: true, or the text "true" (`flag` fields take both)."""
    return value is True or value == "true"


def _check_flag(value: object) -> str | None:
    if isinstance(value, bool) or value in ("true", "false"):
        return None
    return f"{quoted(value)} is not true or false"


def _check_date(text: str, warning: str | None) -> tuple[str | None, str | None, None]:
    if parse_date(text) is not None:
        return None, warning, None
    if parse_body_time(text) is not None:
        # A published client sends a date with a time; the real platform answered with the date alone (a kept
        # 2022 answer), so strict mode takes it too.
        return None, f"{quoted(text)} carries a time; the table says yyyy-MM-dd (the date part is used)", None
    return f"{quoted(text)} is not yyyy-MM-dd", None, None


def parse_date(text: str) -> date | None:
    """A `yyyy-MM-dd` date, or None."""
    if len(text) != 10:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        return None


def _check_amount(value: object) -> str | None:
    """Why an amount breaks its rule, or None: a number or a digit string (as the official examples send it)."""
    if isinstance(value, bool):
        return "must be an integer amount in fen, got a boolean"
    amount = coerce_amount(value)
    if amount is None:
        shown = value if len(str(value)) <= 40 else f"{str(value)[:40]}…"
        return f"{shown!r} is not a whole number of fen"
    if not AMOUNT_MIN <= amount <= AMOUNT_MAX:
        return f"{amount} is outside {AMOUNT_MIN}..{AMOUNT_MAX}"
    return None


def _check_body_time(
    text: str, clock_bound: bool, policy: ValidationPolicy, clock: Clock, warning: str | None
) -> tuple[str | None, str | None, str | None]:
    epoch = epoch_of(text)
    if epoch is None or (len(text) != 19 and policy.strict):
        return f"{quoted(text)} is not yyyy-MM-dd HH:mm:ss", None, None
    if len(text) != 19:  # read as yyyyMMddHHmmss
        warning = f"{quoted(text)} is yyyyMMddHHmmss; the API table says yyyy-MM-dd HH:mm:ss"
    # Against the wall clock, not sandbox time: clients stamp real time even when a test moved the clock.
    skew = epoch - clock.wall()
    if clock_bound and policy.skew_window and abs(skew) > policy.skew_window:
        text_skew = f"{text} is {describe_skew(skew)} (window {policy.skew_window} s)"
        if policy.strict:
            return None, warning, text_skew
        warning = f"{warning}; {text_skew}" if warning else text_skew
    return None, warning, None


def coerce_amount(value: object) -> int | None:
    """A number or a numeric string as whole fen; None when it is neither (or absurdly long)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    # ASCII digits only ("²" and "١٠٠" are digits to str.isdigit), and short enough for int().
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 15:
        return int(value)
    return None

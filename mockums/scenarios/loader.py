"""Load scenario files: YAML text to validated `Scenario`s, every problem reported as path:line.

The YAML is only *composed* (safe node tree, no object construction) and the tree is walked here,
so each error can name the line of the node at fault and all errors of a file are reported
together. Bad input never raises: it becomes a `LoadError`, and the scenario it touches is left out.
"""

from __future__ import annotations

import codecs
import difflib
import math
import os
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from mockums.ledger.plans import Lifecycle, NotifyPlan, PayPlan, RefundPlan
from mockums.protocol.statuses import ORDER_STATUSES, REFUND_STATUSES

from .model import (
    Fault,
    IdMatch,
    MatchRule,
    Scenario,
    SourceRef,
    Step,
    Then,
    condition_text,
)
from .templating import CompiledFields, template_problems

_TAG = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = (f"{_TAG}{kind}" for kind in ("str", "int", "float", "bool", "null"))
_TIMESTAMP, _MERGE = f"{_TAG}timestamp", f"{_TAG}merge"
_MAP, _SEQ = f"{_TAG}map", f"{_TAG}seq"
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_SCALARS: dict[str, Callable[[ScalarNode], object]] = {
    _STR: lambda node: node.value,
    _NULL: lambda node: None,
    _BOOL: _CONSTRUCTOR.construct_yaml_bool,
    _INT: _CONSTRUCTOR.construct_yaml_int,
    _FLOAT: _CONSTRUCTOR.construct_yaml_float,
    # An unquoted `settleDate: 2024-05-01` is meant as the text the API sends, not a date object.
    _TIMESTAMP: lambda node: node.value,
}

_NAME = re.compile(r"[a-z0-9][a-z0-9_.-]*")
_SCENARIO_KEYS = ("name", "description", "magic_id", "match", "respond", "sequence", "then", "lifecycle")
_LIFECYCLE_KEYS = ("pay", "expire_after", "refund", "notify")
_PAY_MODES = ("never", "immediately")
_PAY_KEYS = ("after_queries", "after_seconds")
_REFUND_KEYS = ("status", "settle_after_queries", "settle_after_seconds")
_NOTIFY_KEYS = ("delay", "duplicate", "bad_signature", "schedule", "sign_type")
_SIGN_TYPES = ("SHA256", "MD5")
MAX_LIFECYCLE_SECONDS = 86_400
_MATCH_KEYS = (*(kind.value for kind in IdMatch), "endpoint", "body")
_STEP_ACTIONS = ("fields", "delay", "gateway_error", "fault", "order_status")
_STEP_KEYS = (*_STEP_ACTIONS, "repeat")
_FAULTS = tuple(fault.value for fault in Fault)
_THENS = tuple(then.value for then in Then)
_CONDITION_TAGS = (_STR, _INT, _FLOAT, _BOOL)
_YAML_SUFFIXES = (".yaml", ".yml")
MAX_DELAY_SECONDS = 300
# Guards against recursive aliases and alias bombs in `fields`.
_MAX_DEPTH = 64
_MAX_VALUES = 100_000


@dataclass(frozen=True)
class LoadError:
    """One problem in one place; line 0 means the whole file (or an in-memory value)."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


@dataclass(frozen=True)
class LoadResult:
    """The valid scenarios in load order, every error found, and the files that were read."""

    scenarios: tuple[Scenario, ...]
    errors: tuple[LoadError, ...]
    files: tuple[Path, ...]

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class _Vocabulary:
    gateway_errors: tuple[str, ...] | None
    endpoints: tuple[str, ...] | None


def _line(node: Node) -> int:
    return node.start_mark.line + 1 if node.start_mark is not None else 0


def _kind(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    names = {_STR: "the string", _INT: "the number", _FLOAT: "the number", _BOOL: "the boolean"}
    if node.tag == _NULL:
        return "null"
    if node.tag in names:
        return f"{names[node.tag]} {_preview(node.value) if node.tag == _STR else node.value}"
    return f"a value tagged {node.tag}"


def _preview(text: str) -> str:
    return repr(text if len(text) <= 40 else f"{text[:37]}...")


def _explain(problem: yaml.MarkedYAMLError) -> str:
    # PyYAML splits its sentence in two: "while parsing X" + "expected Y", or
    # "expected a single document" + "but found another document".
    if problem.context and problem.problem:
        if problem.problem.startswith("but "):
            return f"{problem.context}, {problem.problem}"
        if problem.context_mark is not None:
            return f"{problem.problem} ({problem.context} at line {problem.context_mark.line + 1})"
    return str(problem.problem or problem.context)


def _unknown_key(key: str, allowed: Sequence[str]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"unknown key '{key}'{hint}; allowed keys: {', '.join(allowed)}"


_Pair = tuple[Node, Node]


@dataclass
class _Document:
    """Walks one composed document, collecting scenarios, names and errors."""

    path: str
    vocabulary: _Vocabulary
    errors: list[LoadError] = field(default_factory=list)
    # Scenarios are paired with their index in `names`, which identifies them across files.
    scenarios: list[tuple[int, Scenario]] = field(default_factory=list)
    names: list[tuple[str, SourceRef, str]] = field(default_factory=list)
    values_left: int = _MAX_VALUES

    def error(self, node: Node | None, where: str, message: str) -> None:
        line = _line(node) if node is not None else 0
        if len(where) > 80:  # a recursive alias makes endless paths
            where = f"{where[:77]}..."
        self.errors.append(LoadError(self.path, line, f"{where}: {message}" if where else message))

    def load_text(self, text: str) -> None:
        try:
            root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as problem:
            mark = problem.problem_mark or problem.context_mark
            line = mark.line + 1 if mark is not None else 0
            self.errors.append(LoadError(self.path, line, f"YAML syntax error: {_explain(problem)}"))
        except yaml.reader.ReaderError as problem:
            line = text.count("\n", 0, problem.position) + 1
            character = problem.character
            shown = repr(chr(character) if isinstance(character, int) else character)
            message = f"character {shown} is not allowed in YAML"
            self.errors.append(LoadError(self.path, line, message))
        except (yaml.YAMLError, RecursionError) as problem:
            reason = "nested too deeply" if isinstance(problem, RecursionError) else str(problem)
            self.errors.append(LoadError(self.path, 0, f"YAML error: {reason}"))
        else:
            self.load_root(root)

    def load_root(self, root: Node | None) -> None:
        if root is None:  # an empty file (or only comments) holds zero scenarios
            return
        shape = "a mapping with a top-level 'scenarios' list"
        if not isinstance(root, MappingNode):
            self.error(root, "", f"expected {shape}, got {_kind(root)}")
            return
        entries = self.entries(root, "")
        for key, (key_node, _) in entries.items():
            # `x-…` keys hold YAML anchors for reuse, as in docker-compose files.
            if key != "scenarios" and not key.startswith("x-"):
                self.error(key_node, "", _unknown_key(key, ["scenarios"]) + " (or x-… for anchors)")
        if "scenarios" not in entries:
            self.error(root, "", f"expected {shape}, but there is no 'scenarios' key")
            return
        node = entries["scenarios"][1]
        if isinstance(node, ScalarNode) and node.tag == _NULL:
            return
        if not isinstance(node, SequenceNode):
            self.error(node, "scenarios", f"expected a list of scenarios, got {_kind(node)}")
            return
        for index, item in enumerate(node.value):
            self.scenario(item, f"scenarios[{index}]")

    # -- generic node readers ------------------------------------------------------------------

    def entries(self, node: MappingNode, where: str, merging: frozenset[int] = frozenset()) -> dict[str, _Pair]:
        if node.tag != _MAP:  # e.g. !!set or !!python/object: nothing we would construct
            self.error(node, where, f"unsupported YAML tag {node.tag}")
        found: dict[str, _Pair] = {}
        merged: list[MappingNode] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
                for source in sources:
                    if isinstance(source, MappingNode):
                        merged.append(source)
                    else:
                        self.error(source, where, f"'<<' merges mappings, got {_kind(source)}")
                continue
            if not (isinstance(key_node, ScalarNode) and key_node.tag == _STR):
                self.error(key_node, where, f"keys must be strings, got {_kind(key_node)}")
            elif key_node.value in found:
                first = _line(found[key_node.value][0])
                self.error(key_node, where, f"duplicate key '{key_node.value}' (first at line {first})")
            else:
                found[key_node.value] = (key_node, value_node)
        for source in merged:  # explicit keys win over merged ones, earlier merges over later
            if id(source) in merging or source is node:
                self.error(source, where, "'<<' merges a mapping into itself")
                continue
            for key, pair in self.entries(source, where, merging | {id(node)}).items():
                found.setdefault(key, pair)
        return found

    def mapping(
        self, node: Node, where: str, allowed: Sequence[str], required: Sequence[str] = ()
    ) -> dict[str, _Pair] | None:
        if not isinstance(node, MappingNode):
            self.error(node, where, f"expected a mapping, got {_kind(node)}")
            return None
        entries = self.entries(node, where)
        for key, (key_node, _) in entries.items():
            if key not in allowed:
                self.error(key_node, where, _unknown_key(key, allowed))
        for key in required:
            if key not in entries:
                self.error(node, where, f"missing required key '{key}'")
        return {key: pair for key, pair in entries.items() if key in allowed}

    def text(self, node: Node, where: str, *, id_like: bool = False) -> str | None:
        # Ids may be written unquoted (`merOrderId: 31940001`); the raw text is what counts.
        if isinstance(node, ScalarNode) and node.tag in ((_STR, _INT) if id_like else (_STR,)):
            return str(node.value)
        self.error(node, where, f"expected a string, got {_kind(node)}")
        return None

    def choice(self, node: Node, where: str, allowed: Sequence[str] | None, what: str) -> str | None:
        value = self.text(node, where)
        if value is None or allowed is None or value in allowed:
            return value
        self.error(node, where, f"unknown {what} '{value}'; allowed: {', '.join(allowed)}")
        return None

    def scalar(self, node: Node, where: str, tags: Collection[str], expected: str) -> tuple[bool, object]:
        """(True, value) for a scalar with one of `tags`, else (False, None) and an error."""
        if not (isinstance(node, ScalarNode) and node.tag in tags):
            self.error(node, where, f"expected {expected}, got {_kind(node)}")
            return False, None
        try:
            return True, _SCALARS[node.tag](node)
        except (ValueError, KeyError, TypeError):  # explicit tags skip YAML's checks: `!!int abc`
            kind = node.tag.removeprefix(_TAG)
            self.error(node, where, f"{_preview(node.value)} is not a valid {kind}")
            return False, None

    def value(self, node: Node, where: str, depth: int = 0) -> object:
        """Any YAML value (for `fields`), with its templates checked."""
        self.values_left -= 1
        if self.values_left == -1:
            self.error(node, where, f"more than {_MAX_VALUES} values in this file (an alias bomb?)")
        if self.values_left < 0:
            return None
        if depth > _MAX_DEPTH:
            self.error(node, where, f"nested more than {_MAX_DEPTH} levels deep (a recursive alias?)")
            return None
        if isinstance(node, SequenceNode):
            if node.tag != _SEQ:  # e.g. !!omap or !!pairs
                self.error(node, where, f"unsupported YAML tag {node.tag}")
            return [self.value(item, f"{where}[{index}]", depth + 1) for index, item in enumerate(node.value)]
        if isinstance(node, MappingNode):
            entries = self.entries(node, where)
            return {key: self.value(pair[1], f"{where}.{key}", depth + 1) for key, pair in entries.items()}
        if node.tag not in _SCALARS:
            self.error(node, where, f"unsupported YAML tag {node.tag}")
            return None
        _, value = self.scalar(node, where, _SCALARS, "a value")
        if isinstance(value, str):
            for problem in template_problems(value):
                self.error(node, where, problem)
        return value

    # -- scenario parts ------------------------------------------------------------------------

    def scenario(self, node: Node, where: str) -> None:
        errors_before = len(self.errors)
        entries = self.mapping(node, where, _SCENARIO_KEYS, required=("name", "match"))
        if entries is None:
            return
        name = self.name(entries["name"][1], f"{where}.name") if "name" in entries else None
        description = self.text(entries["description"][1], f"{where}.description") if "description" in entries else ""
        magic_id = (
            self.text(entries["magic_id"][1], f"{where}.magic_id", id_like=True) if "magic_id" in entries else None
        )
        rule = self.match(entries["match"][1], f"{where}.match") if "match" in entries else None
        lifecycle = self.lifecycle(entries["lifecycle"][1], f"{where}.lifecycle") if "lifecycle" in entries else None
        steps: tuple[Step, ...] | None = ()
        if "lifecycle" not in entries or "respond" in entries or "sequence" in entries:
            steps = self.steps(node, entries, where)
        then = self.then(entries, where)
        if magic_id is not None and rule is not None and not rule.matches_order_id(magic_id):
            self.error(
                entries["magic_id"][1],
                f"{where}.magic_id",
                f"{magic_id} is not matched by this scenario's own rule ({rule.describe()})",
            )
        source = SourceRef(self.path, _line(node))
        if name is not None:
            self.names.append((name, source, where))
        if len(self.errors) > errors_before or name is None or rule is None or steps is None:
            return
        scenario = Scenario(
            name=name,
            description=description or "",
            magic_id=magic_id,
            source=source,
            match=rule,
            steps=steps,
            then=then,
            lifecycle=lifecycle,
        )
        self.scenarios.append((len(self.names) - 1, scenario))

    def name(self, node: Node, where: str) -> str | None:
        name = self.text(node, where)
        if name is not None and not _NAME.fullmatch(name):
            rule = "lowercase letters, digits, '_', '.' and '-', starting with a letter or digit"
            self.error(node, where, f"'{name}' is not a valid name: use {rule}")
            return None
        return name

    def match(self, node: Node, where: str) -> MatchRule | None:
        entries = self.mapping(node, where, _MATCH_KEYS)
        if entries is None:
            return None
        id_keys = [kind for kind in IdMatch if kind.value in entries]
        if len(id_keys) != 1:
            if id_keys:
                message = f"use only one of {', '.join(kind.value for kind in id_keys)}"
                self.error(entries[id_keys[1].value][0], where, message)
            else:
                self.error(node, where, f"needs one of {', '.join(kind.value for kind in IdMatch)}")
            return None
        kind = id_keys[0]
        value_node = entries[kind.value][1]
        value = self.text(value_node, f"{where}.{kind.value}", id_like=True)
        pattern = None
        if value == "":
            hint = " (merOrderIdPattern: '.*' matches every id)" if kind is IdMatch.PREFIX else ""
            self.error(value_node, f"{where}.{kind.value}", f"must not be empty{hint}")
            value = None
        elif value is not None and kind is IdMatch.PATTERN:
            try:
                pattern = re.compile(value)
            except (re.error, OverflowError, RecursionError) as problem:
                self.error(
                    value_node,
                    f"{where}.{kind.value}",
                    f"bad regular expression {value!r}: {problem}",
                )
                value = None
        endpoints = (
            self.endpoints(entries["endpoint"][1], f"{where}.endpoint") if "endpoint" in entries else frozenset()
        )
        body = self.body(entries["body"][1], f"{where}.body") if "body" in entries else {}
        if value is None or endpoints is None or body is None:
            return None
        return MatchRule(kind=kind, value=value, endpoints=endpoints, body=body, pattern=pattern)

    def endpoints(self, node: Node, where: str) -> frozenset[str] | None:
        if isinstance(node, SequenceNode) and not node.value:
            self.error(node, where, "must name at least one endpoint")
            return None
        labelled = (
            [(item, f"{where}[{index}]") for index, item in enumerate(node.value)]
            if isinstance(node, SequenceNode)
            else [(node, where)]
        )
        chosen = [self.choice(item, label, self.vocabulary.endpoints, "endpoint") for item, label in labelled]
        valid = [endpoint for endpoint in chosen if endpoint is not None]
        return frozenset(valid) if len(valid) == len(chosen) else None

    def body(self, node: Node, where: str) -> dict[str, str] | None:
        if not isinstance(node, MappingNode):
            self.error(node, where, f"expected a mapping of body fields, got {_kind(node)}")
            return None
        conditions: dict[str, str] = {}
        entries = self.entries(node, where)
        for key, (_, value_node) in entries.items():
            expected = "a string, number or boolean"
            valid, value = self.scalar(value_node, f"{where}.{key}", _CONDITION_TAGS, expected)
            if valid:
                conditions[key] = condition_text(value)
        return conditions if len(conditions) == len(entries) else None

    def steps(self, node: Node, entries: Mapping[str, _Pair], where: str) -> tuple[Step, ...] | None:
        respond, sequence = entries.get("respond"), entries.get("sequence")
        if respond is not None and sequence is not None:
            self.error(sequence[0], where, "use either 'respond' or 'sequence', not both")
            return None
        if respond is not None:
            step = self.step(respond[1], f"{where}.respond", in_sequence=False)
            return None if step is None else (step,)
        if sequence is None:
            self.error(node, where, "missing 'respond' (one answer), 'sequence' (a list of answers) or 'lifecycle'")
            return None
        items = sequence[1]
        if not isinstance(items, SequenceNode) or not items.value:
            got = "an empty list" if isinstance(items, SequenceNode) else _kind(items)
            self.error(items, f"{where}.sequence", f"expected a list of at least one step, got {got}")
            return None
        steps = [
            self.step(item, f"{where}.sequence[{index}]", in_sequence=True) for index, item in enumerate(items.value)
        ]
        valid = tuple(step for step in steps if step is not None)
        return valid if len(valid) == len(steps) else None

    def then(self, entries: Mapping[str, _Pair], where: str) -> Then:
        if "then" not in entries:
            return Then.REPEAT_LAST
        key_node, value_node = entries["then"]
        if "sequence" not in entries:
            self.error(key_node, where, "'then' only applies to a 'sequence'")
        value = self.choice(value_node, f"{where}.then", _THENS, "'then' value")
        return Then(value) if value is not None else Then.REPEAT_LAST

    def step(self, node: Node, where: str, *, in_sequence: bool) -> Step | None:
        errors_before = len(self.errors)
        entries = self.mapping(node, where, _STEP_KEYS)
        if entries is None:
            return None
        if not any(key in entries for key in _STEP_ACTIONS):
            self.error(node, where, f"a step must set at least one of {', '.join(_STEP_ACTIONS)}")
        if "gateway_error" in entries and "fault" in entries:
            self.error(entries["fault"][0], where, "use either 'gateway_error' or 'fault', not both")
        if "repeat" in entries and not in_sequence:
            self.error(entries["repeat"][0], where, "'repeat' only applies to the steps of a 'sequence'")

        def read(key: str, reader: Callable[[Node, str], object]) -> object:
            return reader(entries[key][1], f"{where}.{key}") if key in entries else None

        fields = read("fields", self.fields)
        delay = read("delay", self.delay)
        gateway_error = read(
            "gateway_error",
            lambda n, w: self.choice(n, w, self.vocabulary.gateway_errors, "gateway error"),
        )
        fault = read("fault", lambda n, w: self.choice(n, w, _FAULTS, "fault"))
        order_status = read("order_status", lambda n, w: self.choice(n, w, ORDER_STATUSES, "order status"))
        repeat = read("repeat", self.repeat)
        if len(self.errors) > errors_before:
            return None
        return Step(
            fields=CompiledFields(fields if isinstance(fields, dict) else {}),
            delay=delay if isinstance(delay, float) else 0.0,
            gateway_error=gateway_error if isinstance(gateway_error, str) else None,
            fault=Fault(fault) if isinstance(fault, str) else None,
            order_status=order_status if isinstance(order_status, str) else None,
            repeat=repeat if isinstance(repeat, int) else 1,
        )

    def fields(self, node: Node, where: str) -> dict[str, object] | None:
        if not isinstance(node, MappingNode):
            self.error(node, where, f"expected a mapping of response fields, got {_kind(node)}")
            return None
        return {key: self.value(pair[1], f"{where}.{key}", 1) for key, pair in self.entries(node, where).items()}

    def delay(self, node: Node, where: str) -> float | None:
        valid, value = self.scalar(node, where, (_INT, _FLOAT), "a number of seconds")
        if not valid:
            return None
        seconds = float(value) if isinstance(value, (int, float)) else math.nan
        if not (math.isfinite(seconds) and 0 <= seconds <= MAX_DELAY_SECONDS):
            self.error(node, where, f"must be between 0 and {MAX_DELAY_SECONDS} seconds, got {node.value}")
            return None
        return seconds

    # -- lifecycle ---------------------------------------------------------------------------

    def lifecycle(self, node: Node, where: str) -> Lifecycle | None:
        errors_before = len(self.errors)
        entries = self.mapping(node, where, _LIFECYCLE_KEYS)
        if entries is None:
            return None
        if not entries:
            self.error(node, where, f"set at least one of {', '.join(_LIFECYCLE_KEYS)}")
        pay = self.pay_plan(entries["pay"][1], f"{where}.pay") if "pay" in entries else None
        expire = (
            self.seconds(entries["expire_after"][1], f"{where}.expire_after") if "expire_after" in entries else None
        )
        refund = self.refund_plan(entries["refund"][1], f"{where}.refund") if "refund" in entries else None
        notify = self.notify_plan(entries["notify"][1], f"{where}.notify") if "notify" in entries else None
        if len(self.errors) > errors_before:
            return None
        return Lifecycle(pay=pay, expire_after=expire, refund=refund, notify=notify)

    def seconds(self, node: Node, where: str, limit: float = MAX_LIFECYCLE_SECONDS) -> float | None:
        valid, value = self.scalar(node, where, (_INT, _FLOAT), "a number of seconds")
        if not valid or not isinstance(value, (int, float)) or isinstance(value, bool):
            return None
        if not (math.isfinite(value) and 0 <= value <= limit):
            self.error(node, where, f"must be between 0 and {limit:g} seconds, got {node.value}")
            return None
        return float(value)

    def pay_plan(self, node: Node, where: str) -> PayPlan | None:
        if isinstance(node, ScalarNode):
            mode = self.text(node, where)
            if mode is not None and mode not in _PAY_MODES:
                self.error(node, where, f"unknown pay plan '{mode}'; use never, immediately, "
                           "{after_queries: N} or {after_seconds: T}")
                return None
            return PayPlan(mode) if mode is not None else None
        entries = self.mapping(node, where, _PAY_KEYS)
        if entries is None:
            return None
        if len(entries) != 1:
            self.error(node, where, f"use exactly one of {', '.join(_PAY_KEYS)}")
            return None
        if "after_queries" in entries:
            count = self.repeat(entries["after_queries"][1], f"{where}.after_queries")
            return PayPlan("after_queries", count=count) if count is not None else None
        seconds = self.seconds(entries["after_seconds"][1], f"{where}.after_seconds")
        return PayPlan("after_seconds", seconds=seconds) if seconds is not None else None

    def refund_plan(self, node: Node, where: str) -> RefundPlan | None:
        if isinstance(node, ScalarNode):
            status = self.choice(node, where, REFUND_STATUSES, "refund status")
            return RefundPlan(status) if status is not None else None
        entries = self.mapping(node, where, _REFUND_KEYS, required=("status",))
        if entries is None or "status" not in entries:
            return None
        status = self.choice(entries["status"][1], f"{where}.status", REFUND_STATUSES, "refund status")
        queries = (
            self.repeat(entries["settle_after_queries"][1], f"{where}.settle_after_queries")
            if "settle_after_queries" in entries
            else None
        )
        seconds = (
            self.seconds(entries["settle_after_seconds"][1], f"{where}.settle_after_seconds")
            if "settle_after_seconds" in entries
            else None
        )
        if (queries is not None or seconds is not None) and status != "PROCESSING":
            self.error(node, where, "settle_after_* only applies to status PROCESSING")
            return None
        if status is None:
            return None
        return RefundPlan(status, queries, seconds)

    def notify_plan(self, node: Node, where: str) -> NotifyPlan | None:
        errors_before = len(self.errors)
        entries = self.mapping(node, where, _NOTIFY_KEYS)
        if entries is None:
            return None
        delay = self.seconds(entries["delay"][1], f"{where}.delay", MAX_DELAY_SECONDS) if "delay" in entries else None
        flags = {}
        for key in ("duplicate", "bad_signature"):
            if key in entries:
                valid, value = self.scalar(entries[key][1], f"{where}.{key}", (_BOOL,), "true or false")
                flags[key] = bool(value) if valid else False
        schedule: tuple[float, ...] | None = None
        if "schedule" in entries:
            items = entries["schedule"][1]
            if not isinstance(items, SequenceNode) or not items.value or len(items.value) > 50:
                self.error(items, f"{where}.schedule", "expected a list of 1 to 50 waits in seconds")
            else:
                waits = [self.seconds(item, f"{where}.schedule[{i}]") for i, item in enumerate(items.value)]
                schedule = tuple(w for w in waits if w is not None)
        sign_type = (self.choice(entries["sign_type"][1], f"{where}.sign_type", _SIGN_TYPES, "sign type")
                     if "sign_type" in entries else None)
        if len(self.errors) > errors_before:
            return None
        return NotifyPlan(delay, flags.get("duplicate", False), flags.get("bad_signature", False), schedule, sign_type)

    def repeat(self, node: Node, where: str) -> int | None:
        valid, count = self.scalar(node, where, (_INT,), "a whole number of calls")
        if not valid or not isinstance(count, int):
            return None
        if count < 1:
            self.error(node, where, f"must be at least 1, got {count}")
            return None
        return count


# -- entry points ------------------------------------------------------------------------------


def _vocabulary(gateway_errors: Collection[str] | None, endpoints: Collection[str] | None) -> _Vocabulary:
    return _Vocabulary(
        gateway_errors=None if gateway_errors is None else tuple(sorted(gateway_errors)),
        endpoints=None if endpoints is None else tuple(sorted(endpoints)),
    )


def _decode(raw: bytes) -> tuple[str | None, str, int]:
    """The text, or None with a message and line saying where the bytes stop being UTF-8."""
    body = raw[len(codecs.BOM_UTF8) :] if raw.startswith(codecs.BOM_UTF8) else raw
    try:
        return body.decode("utf-8"), "", 0
    except UnicodeDecodeError as problem:
        line = body.count(b"\n", 0, problem.start) + 1
        byte = body[problem.start]
        return None, f"file is not UTF-8 text (byte 0x{byte:02x} at offset {problem.start})", line


def _yaml_files(folder: Path) -> list[Path]:
    found: list[Path] = []
    for root, folders, names in os.walk(folder):
        # Hidden entries are VCS folders, editor lock files and the like, never scenarios.
        folders[:] = [name for name in folders if not name.startswith(".")]
        found.extend(
            Path(root) / name for name in names if name.endswith(_YAML_SUFFIXES) and not name.startswith(".")
        )
    return sorted(found)


def _files(paths: Iterable[Path]) -> tuple[list[Path], list[LoadError]]:
    files: list[Path] = []
    errors: list[LoadError] = []
    seen: set[str] = set()
    for path in paths:
        if os.path.isdir(path):  # os.path, unlike Path.is_dir on 3.10/3.11, never raises
            candidates = _yaml_files(path)
        elif os.path.isfile(path):
            if not path.name.endswith(_YAML_SUFFIXES):
                errors.append(LoadError(str(path), 0, "not a scenario file: the name must end in .yaml or .yml"))
                continue
            candidates = [path]
        else:
            errors.append(LoadError(str(path), 0, "no such file or folder (or not readable)"))
            continue
        for candidate in candidates:
            resolved = os.path.realpath(candidate)  # unlike Path.resolve, survives symlink loops
            if resolved not in seen:  # a file named directly and inside a named folder loads once
                seen.add(resolved)
                files.append(candidate)
    return files, errors


def _combine(
    documents: Sequence[_Document],
    early_errors: Sequence[LoadError],
    files: Sequence[Path],
    existing: Sequence[Scenario],
) -> LoadResult:
    """Checks across files: unique names, and no two rules that cannot be told apart."""
    first_by_name = {scenario.name: f"{scenario.source}" for scenario in existing}
    winners: set[tuple[int, int]] = set()
    for document_index, document in enumerate(documents):
        for name_index, (name, source, where) in enumerate(document.names):
            if name not in first_by_name:
                first_by_name[name] = f"{source} ({where})" if source.line == 0 else str(source)
                winners.add((document_index, name_index))
                continue
            message = f"{where}: duplicate scenario name '{name}'; also defined at {first_by_name[name]}"
            document.errors.append(LoadError(source.path, source.line, message))
    by_rule = {scenario.match.key: scenario for scenario in existing}
    kept: list[Scenario] = []
    for document_index, document in enumerate(documents):
        for name_index, scenario in document.scenarios:
            if (document_index, name_index) not in winners:
                continue
            earlier = by_rule.setdefault(scenario.match.key, scenario)
            if earlier is scenario:
                kept.append(scenario)
                continue
            where = document.names[name_index][2]
            message = (
                f"{where}: scenario '{scenario.name}' has the same match rule as "
                f"'{earlier.name}' ({earlier.source}), so it could never be chosen"
            )
            document.errors.append(LoadError(scenario.source.path, scenario.source.line, message))
    errors = list(early_errors)
    for document in documents:
        errors.extend(sorted(document.errors, key=lambda error: error.line))
    return LoadResult(scenarios=tuple(kept), errors=tuple(errors), files=tuple(files))


def load_paths(
    paths: Sequence[Path],
    *,
    gateway_errors: Collection[str] | None,
    endpoints: Collection[str] | None,
    existing: Sequence[Scenario] = (),
) -> LoadResult:
    """Load files and folders (every *.yaml / *.yml inside, recursively, in sorted order).

    `gateway_errors` and `endpoints` are the allowed values; None accepts any. Scenarios in
    `existing` take part in the duplicate-name and same-rule checks but are not returned.
    """
    vocabulary = _vocabulary(gateway_errors, endpoints)
    files, early_errors = _files(paths)
    documents: list[_Document] = []
    for file in files:
        document = _Document(str(file), vocabulary)
        documents.append(document)
        try:
            raw = file.read_bytes()
        except OSError as problem:
            document.errors.append(LoadError(str(file), 0, f"cannot read file: {problem.strerror}"))
            continue
        text, message, line = _decode(raw)
        if text is None:
            document.errors.append(LoadError(str(file), line, message))
        else:
            document.load_text(text)
    return _combine(documents, early_errors, files, existing)


def load_text(
    text: str,
    path: str = "<text>",
    *,
    gateway_errors: Collection[str] | None,
    endpoints: Collection[str] | None,
    existing: Sequence[Scenario] = (),
) -> LoadResult:
    """Load scenarios from YAML text; `path` only labels errors and sources."""
    document = _Document(path, _vocabulary(gateway_errors, endpoints))
    document.load_text(text)
    return _combine([document], [], [], existing)


def _node(value: object) -> Node:
    if isinstance(value, Mapping):
        return MappingNode(_MAP, [(_node(key), _node(item)) for key, item in value.items()])
    if isinstance(value, (list, tuple)):
        return SequenceNode(_SEQ, [_node(item) for item in value])
    if value is None:
        return ScalarNode(_NULL, "null")
    if isinstance(value, bool):
        return ScalarNode(_BOOL, "true" if value else "false")
    if isinstance(value, int):
        return ScalarNode(_INT, str(value))
    if isinstance(value, float):
        text = ".nan" if math.isnan(value) else {math.inf: ".inf", -math.inf: "-.inf"}.get(value, repr(value))
        return ScalarNode(_FLOAT, text)
    if isinstance(value, str):
        return ScalarNode(_STR, value)
    return ScalarNode(f"!python/{type(value).__name__}", repr(value))


def load_mapping(
    data: object,
    source: str = "<mapping>",
    *,
    gateway_errors: Collection[str] | None,
    endpoints: Collection[str] | None,
    existing: Sequence[Scenario] = (),
) -> LoadResult:
    """Load already-parsed data shaped like a file (`{"scenarios": [...]}`), e.g. from JSON.

    There are no lines here, so errors carry line 0 and name the place by key path instead.
    """
    document = _Document(source, _vocabulary(gateway_errors, endpoints))
    try:
        root = _node(data)
    except RecursionError:
        document.errors.append(LoadError(source, 0, "nested too deeply"))
    else:
        document.load_root(root)
    return _combine([document], [], [], existing)

"""Values real clients send that an endpoint's table does not list, in one place, as data.

Lenient mode accepts each of these (the answer carries an `X-Mockums-Warning` and a log line names
the deviation and who sends it); strict mode (`request`) keeps to the tables and answers
`BAD_REQUEST`. Whether the real gateway accepts them is not known: a client that relies on one passes
here with a warning and may fail in production. Each product line lists its own (`ProductLine.deviations`);
the README's list is generated from them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from mockums.protocol.fields import Violation

# The value of a deviation whose field clients leave out although the table requires it.
LEFT_OUT = ""


@dataclass(frozen=True)
class Deviation:
    """Request field `name` = `value` on `path` (`LEFT_OUT`: not sent, or empty), accepted when the request's other
    fields hold `requires` too."""

    path: str
    name: str
    value: str
    sent_by: str  # who sends it, in words
    evidence: str  # where it was seen
    requires: Mapping[str, str] = field(default_factory=dict)  # the combination: other fields and their values
    # A field left out (`LEFT_OUT`) is accepted only when this one is sent in its place (POS link v6's totalAmount
    # for transactionAmount); "" when nothing need be.
    instead: str = ""

    def applies(self, path: str, name: str, body: Mapping[str, object]) -> bool:
        """Whether this deviation explains the value of `name` in a request to `path`."""
        sent = body.get(name)
        matches = sent in (None, "") if self.value == LEFT_OUT else sent == self.value
        return (path == self.path and name == self.name and matches
                and all(body.get(other) == value for other, value in self.requires.items())
                and (not self.instead or body.get(self.instead) not in (None, "")))

    def describe(self) -> str:
        """The combination in words: `tradeType JSAPI with instMid YUEDANDEFAULT`, `userId left out`,
        `transactionAmount left out (totalAmount sent instead)`."""
        extra = "".join(f" with {other} {value}" for other, value in self.requires.items())
        sent = "left out" if self.value == LEFT_OUT else self.value
        instead = f" ({self.instead} sent instead)" if self.instead else ""
        return f"{self.name} {sent}{extra}{instead}"


def tolerated(deviations: Sequence[Deviation], path: str, name: str, body: Mapping[str, object]) -> Deviation | None:
    """The known deviation that explains `name`'s value in this request, if any."""
    return next((deviation for deviation in deviations if deviation.applies(path, name, body)), None)


def accept_known(deviations: Sequence[Deviation], path: str, violations: Sequence[Violation],
                 body: Mapping[str, object]) -> tuple[tuple[Violation, ...], tuple[str, ...]]:
    """Lenient mode: the violations no known deviation explains, and a warning for each one it does."""
    kept: list[Violation] = []
    warnings: list[str] = []
    for violation in violations:
        deviation = tolerated(deviations, path, violation.field, body)
        if deviation is None:
            kept.append(violation)
            continue
        warnings.append(f"{deviation.describe()} is not in the table of {path} ({violation.field}: {violation.rule}); "
                        "accepted because published clients send it, but the gateway may refuse it "
                        "(strict mode does)")
    return tuple(kept), tuple(warnings)


def strict_notes(deviations: Sequence[Deviation], path: str, violations: Sequence[Violation],
                 body: Mapping[str, object]) -> tuple[str, ...]:
    """Strict mode: for each field left out that a known deviation sends under another name (POS link v6's
    totalAmount for transactionAmount), that it was sent so and why it is still refused: "is missing" alone would
    hide what the client did send. A deviation of a value needs no note: its violation names the value."""
    return tuple(f"{deviation.instead} sent in place of {deviation.name} (the name {deviation.sent_by} sends): "
                 "accepted in lenient mode only" for violation in violations
                 for deviation in (tolerated(deviations, path, violation.field, body),)
                 if deviation is not None and deviation.instead)

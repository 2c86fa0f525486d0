"""The scenario data model: what a loaded YAML scenario means, independent of YAML and HTTP."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from types import MappingProxyType

from mockums.ledger.plans import ImpliedOrder, Lifecycle

from .regexes import Literal, compile_pattern


class _TextEnum(str, Enum):
    # `str` + `Enum` rather than `StrEnum`: the package still supports Python 3.10.
    def __str__(self) -> str:
        return str(self.value)


class Fault(_TextEnum):
    """A transport-level failure injected instead of (or after) a normal answer."""

    CONNECTION_RESET = "connection_reset"
    TRUNCATED_BODY = "truncated_body"
    NON_JSON_BODY = "non_json_body"
    HTML_502 = "html_502"
    NO_ANSWER = "no_answer"


class Then(_TextEnum):
    """What a sequence answers once every step has been used."""

    REPEAT_LAST = "repeat_last"
    CYCLE = "cycle"


class IdMatch(_TextEnum):
    """How a rule compares `merOrderId`; the value is the YAML key that selects it."""

    EXACT = "merOrderId"
    PREFIX = "merOrderIdPrefix"
    PATTERN = "merOrderIdPattern"



NO_CONDITIONS: Mapping[str, str] = MappingProxyType({})  # the body of a rule without conditions
_ID_RANK = {IdMatch.EXACT: 2, IdMatch.PREFIX: 1, IdMatch.PATTERN: 0}


@dataclass(frozen=True)
class SourceRef:
    """Where a scenario was written; line 0 means "no line" (e.g. built from a dict)."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass(frozen=True, kw_only=True)
class Step:
    """One answer. `fields` may hold templates (see `templating`); `None` removes a field."""

    fields: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    delay: float = 0.0
    gateway_error: str | None = None
    fault: Fault | None = None
    order_status: str | None = None
    order: ImpliedOrder | None = None  # what the order the scenario implies is, when first taken to exist
    repeat: int = 1


@dataclass(frozen=True, kw_only=True)
class MatchRule:
    """Which requests a scenario answers: a `merOrderId` test plus optional narrowing."""

    kind: IdMatch
    value: str
    endpoints: frozenset[str] = frozenset()
    body: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    pattern: re.Pattern[str] | None = field(default=None, compare=False, repr=False)
    # A bundled scenario that named no endpoint, narrowed to its own line's: a rule naming none with the same id
    # test could never be told apart from it where both apply.
    scoped: bool = field(default=False, compare=False)
    # A pattern's required literal (see `regexes.required_literal`), read where it is compiled.
    literal: Literal | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        # Frozen, so normalise through object.__setattr__; callers may pass any mapping/iterable.
        object.__setattr__(self, "endpoints", frozenset(self.endpoints))
        object.__setattr__(self, "body", MappingProxyType(dict(self.body)) if self.body else NO_CONDITIONS)
        if self.kind is IdMatch.PATTERN and self.pattern is None:
            pattern, literal = compile_pattern(self.value)
            object.__setattr__(self, "pattern", pattern)
            object.__setattr__(self, "literal", literal)

    @classmethod
    def exact(cls, order_id: str, *, endpoints: Iterable[str] = (), body: Mapping[str, str] | None = None) -> MatchRule:
        return cls(kind=IdMatch.EXACT, value=order_id, endpoints=frozenset(endpoints), body=body or {})

    @classmethod
    def prefix(cls, prefix: str, *, endpoints: Iterable[str] = (), body: Mapping[str, str] | None = None) -> MatchRule:
        return cls(kind=IdMatch.PREFIX, value=prefix, endpoints=frozenset(endpoints), body=body or {})

    @classmethod
    def regex(cls, pattern: str, *, endpoints: Iterable[str] = (), body: Mapping[str, str] | None = None) -> MatchRule:
        return cls(kind=IdMatch.PATTERN, value=pattern, endpoints=frozenset(endpoints), body=body or {})

    @property
    def specificity(self) -> tuple[int, int, bool, int]:
        """Sort key, larger is more specific: id kind, prefix length, endpoint, body conditions."""
        prefix_length = len(self.value) if self.kind is IdMatch.PREFIX else 0
        return (_ID_RANK[self.kind], prefix_length, bool(self.endpoints), len(self.body))

    @property
    def keys(self) -> tuple[tuple[IdMatch, str, frozenset[str], tuple[tuple[str, str], ...]], ...]:
        """`key`, and for a scoped rule also the key of the rule it was before it was narrowed."""
        key = self.key
        return (key, (key[0], key[1], frozenset(), key[3])) if self.scoped else (key,)

    @property
    def key(self) -> tuple[IdMatch, str, frozenset[str], tuple[tuple[str, str], ...]]:
        """Hashable identity: two rules with equal keys can never be told apart."""
        return (self.kind, self.value, self.endpoints, tuple(sorted(self.body.items())))

    def matches_order_id(self, order_id: str) -> bool:
        if self.kind is IdMatch.EXACT:
            return order_id == self.value
        if self.kind is IdMatch.PREFIX:
            return order_id.startswith(self.value)
        pattern = self.pattern if self.pattern is not None else re.compile(self.value)
        return pattern.fullmatch(order_id) is not None

    def describe(self) -> str:
        return f"{self.kind.value} {self.value}"


@dataclass(frozen=True, kw_only=True)
class Scenario:
    """A named, validated scenario; `steps` has one item for `respond:`, several for `sequence:`."""

    name: str
    description: str = ""
    magic_id: str | None = None
    source: SourceRef = SourceRef("<memory>", 0)
    match: MatchRule
    steps: tuple[Step, ...]  # empty when the scenario only scripts the order's lifecycle
    then: Then = Then.REPEAT_LAST
    lifecycle: Lifecycle | None = None

    @property
    def calls_per_round(self) -> int:
        """Calls needed to use every step once (the length of one cycle)."""
        return sum(step.repeat for step in self.steps)


def condition_text(value: object) -> str:
    """How body values are compared: as text, with JSON's spelling of booleans and null."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)

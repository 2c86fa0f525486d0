"""Choose the scenario for a request: the most specific matching rule wins, always with a reason.

Precedence: exact id > prefix (longer first) > pattern; within one level a rule narrowed by
endpoint beats one that is not, then more body conditions beat fewer; then load order.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from types import MappingProxyType

from .model import IdMatch, MatchRule, Scenario, condition_text
from .patterns import PatternIndex

_MISSING = object()


@dataclass(frozen=True)  # made only when a check fails or a scenario is tried: frozen costs little
class Check:
    """The outcome of one predicate, with a sentence saying why."""

    matched: bool
    reason: str


def _none() -> tuple[str, ...]:
    return ()


@dataclass(slots=True, unsafe_hash=True)  # a value: never changed once made
class Selection:
    """The chosen scenario (None: the faithful default applies) and why.

    The near misses are worked out only when read (the journal asks for them; most requests are
    never looked at), and at most once. `owner` is the most specific scenario whose merOrderId rule
    matches, chosen or not (its endpoint or body narrowing may leave this call to the default): it speaks
    for the order, so the order exists in its world even if nobody created it.
    """

    scenario: Scenario | None
    reason: str
    explain: Callable[[], tuple[str, ...]] = dataclass_field(default=_none, compare=False, repr=False)
    owner: Scenario | None = None

    @property
    def near_misses(self) -> tuple[str, ...]:
        """Up to the limit given to `choose`, the closest scenarios that did not match, and why."""
        return self.explain()


def check_order_id(rule: MatchRule, order_id: str | None) -> Check:
    if order_id is None:
        return Check(False, "the request has no merOrderId")
    matched = rule.matches_order_id(order_id)
    if rule.kind is IdMatch.EXACT:
        if matched:
            return Check(True, f"merOrderId {order_id} is the exact id")
        return Check(False, f"merOrderId is {order_id}, expected {rule.value}")
    if rule.kind is IdMatch.PREFIX:
        if matched:
            return Check(True, f"merOrderId {order_id} starts with prefix {rule.value}")
        return Check(False, f"merOrderId is {order_id}, expected prefix {rule.value}")
    if matched:
        return Check(True, f"merOrderId {order_id} fully matches pattern {rule.value}")
    return Check(False, f"merOrderId is {order_id}, expected a full match of pattern {rule.value}")


def check_endpoint(rule: MatchRule, endpoint: str) -> Check:
    if not rule.endpoints:
        return Check(True, "the scenario accepts any endpoint")
    if endpoint in rule.endpoints:
        return Check(True, f"endpoint is {endpoint}")
    return Check(False, f"endpoint is {endpoint}, expected {' or '.join(sorted(rule.endpoints))}")


def _lookup(body: Mapping[str, object], dotted: str) -> object:
    current: object = body
    for part in dotted.split("."):
        if not isinstance(current, Mapping) or part not in current:
            return _MISSING
        current = current[part]
    return current


def check_body(rule: MatchRule, body: Mapping[str, object]) -> tuple[Check, ...]:
    """One check per body condition; values compare as text (see `condition_text`)."""
    checks = []
    for field, expected in rule.body.items():
        actual = _lookup(body, field)
        if actual is _MISSING:
            checks.append(Check(False, f"body {field} is missing, expected {expected}"))
        elif condition_text(actual) == expected:
            checks.append(Check(True, f"body {field} is {expected}"))
        else:
            actual_text = condition_text(actual)
            checks.append(Check(False, f"body {field} is {actual_text}, expected {expected}"))
    return tuple(checks)


def _narrowing_checks(rule: MatchRule, endpoint: str, body: Mapping[str, object]) -> list[Check]:
    checks = [check_endpoint(rule, endpoint)] if rule.endpoints else []
    checks.extend(check_body(rule, body))
    return checks


def _order_id(body: Mapping[str, object]) -> str | None:
    value = body.get("merOrderId")
    if isinstance(value, str):
        return value
    # Some clients send numeric ids as JSON numbers; the id is still the digits.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _shared_prefix(order_id: str, rule: MatchRule) -> int:
    if rule.kind is IdMatch.PATTERN:
        return 0
    shared = 0
    for ours, theirs in zip(order_id, rule.value, strict=False):
        if ours != theirs:
            break
        shared += 1
    return shared


_NOTHING: Mapping[str, object] = MappingProxyType({})


class _Once:
    """The near misses of one request, worked out on the first call only (cheaper than functools.cache).
    Its inputs are its own slots, not a tuple: the journal keeps one of these per request."""

    __slots__ = ("_body", "_endpoint", "_id_matched", "_limit", "_order_id", "_registry", "_result")

    def __init__(self, registry: ScenarioRegistry, order_id: str, endpoint: str, body: Mapping[str, object],
                 id_matched: Sequence[Scenario], limit: int) -> None:
        self._registry: ScenarioRegistry | None = registry
        self._order_id, self._endpoint, self._body = order_id, endpoint, body
        self._id_matched, self._limit = id_matched, limit
        self._result: tuple[str, ...] = ()

    def __call__(self) -> tuple[str, ...]:
        registry = self._registry
        if registry is not None:
            self._result = registry._near_misses(self._order_id, self._endpoint, self._body, self._id_matched,
                                                 self._limit)
            self._registry, self._body, self._id_matched = None, _NOTHING, ()  # what it held can go
        return self._result


class ScenarioRegistry:
    """An immutable, indexed set of scenarios; build a new one to reload."""

    def __init__(self, scenarios: Iterable[Scenario]) -> None:
        self._scenarios = tuple(scenarios)
        self._position = {id(scenario): index for index, scenario in enumerate(self._scenarios)}
        self._by_name: dict[str, Scenario] = {}
        for scenario in self._scenarios:
            self._by_name.setdefault(scenario.name, scenario)
        # A stable sort keeps load order among equally specific rules.
        ordered = sorted(self._scenarios, key=lambda item: item.match.specificity, reverse=True)
        self._exact: dict[str, list[Scenario]] = {}
        self._prefix: dict[str, list[Scenario]] = {}
        self._patterns: list[Scenario] = []
        for scenario in ordered:
            rule = scenario.match
            if rule.kind is IdMatch.EXACT:
                self._exact.setdefault(rule.value, []).append(scenario)
            elif rule.kind is IdMatch.PREFIX:
                self._prefix.setdefault(rule.value, []).append(scenario)
            else:
                self._patterns.append(scenario)
        self._pattern_index = PatternIndex(self._patterns)
        # The top-level body fields any rule looks at (`match.body`, dotted paths by their first part).
        self._body_keys = frozenset(name.split(".", 1)[0] for scenario in self._scenarios
                                    for name in scenario.match.body)
        # One dict probe per distinct prefix length, longest first, instead of a scan; only the lengths of
        # prefixes that start with the id's first character.
        by_first: dict[str, set[int]] = {}
        for prefix in self._prefix:
            if prefix:  # the empty prefix is looked up on its own, after every other
                by_first.setdefault(prefix[0], set()).add(len(prefix))
        self._prefix_lengths = {first: sorted(lengths, reverse=True) for first, lengths in by_first.items()}
        self._sorted_ids = sorted(self._exact)
        self._sorted_prefixes = sorted(self._prefix)

    def __iter__(self) -> Iterator[Scenario]:
        return iter(self._scenarios)

    def __len__(self) -> int:
        return len(self._scenarios)

    def by_name(self, name: str) -> Scenario | None:
        return self._by_name.get(name)

    def list(self) -> tuple[Scenario, ...]:
        """Every scenario in load order (for the control API and the docs)."""
        return self._scenarios

    def _id_candidates(self, order_id: str) -> Iterator[Scenario]:
        """Scenarios whose merOrderId test passes, most specific first."""
        yield from self._exact.get(order_id, ())
        for length in self._prefix_lengths.get(order_id[:1], ()):
            if length <= len(order_id):
                yield from self._prefix.get(order_id[:length], ())
        yield from self._prefix.get("", ())
        yield from self._pattern_index.matching(order_id)

    def choose(self, endpoint: str, body: Mapping[str, object], *, max_near_misses: int = 3) -> Selection:
        """The scenario for this request; with none, up to `max_near_misses` explanations."""
        order_id = _order_id(body)
        if order_id is None:
            return Selection(None, "the request has no merOrderId, so no scenario applies")
        id_matched: list[Scenario] = []
        for scenario in self._id_candidates(order_id):
            narrowing = _narrowing_checks(scenario.match, endpoint, body)
            if all(check.matched for check in narrowing):
                reasons = [
                    f"{check_order_id(scenario.match, order_id).reason} of scenario "
                    f"{scenario.name} ({scenario.source})",
                    *(check.reason for check in narrowing),
                ]
                return Selection(scenario, "; ".join(reasons), owner=scenario)
            id_matched.append(scenario)
        reason = f"no scenario matches merOrderId {order_id} on {endpoint}"
        owner = id_matched[0] if id_matched else None
        if max_near_misses <= 0 or not self._scenarios:
            return Selection(None, reason, owner=owner)
        # Only the body fields some scenario's rule names are kept for the near misses, not the whole body:
        # the journal holds on to this until the entry is dropped.
        named = {key: body[key] for key in self._body_keys if key in body} or _NOTHING
        return Selection(None, reason, _Once(self, order_id, endpoint, named, tuple(id_matched), max_near_misses),
                         owner)

    def _near_misses(
        self,
        order_id: str,
        endpoint: str,
        body: Mapping[str, object],
        id_matched: Sequence[Scenario],
        limit: int,
    ) -> tuple[str, ...]:
        if limit <= 0:
            return ()
        # Neighbours in sorted order share the longest prefixes with the id: cheap "closest".
        candidates = list(id_matched)
        for values, index in (
            (self._sorted_ids, self._exact),
            (self._sorted_prefixes, self._prefix),
        ):
            position = bisect.bisect_left(values, order_id)
            for value in values[max(0, position - limit) : position + limit]:
                candidates.extend(index[value])
        candidates.extend(self._patterns[:limit])
        ranked: dict[int, tuple[tuple[int, int, int, int], Scenario, list[Check]]] = {}
        for scenario in candidates:
            checks = [check_order_id(scenario.match, order_id)]
            checks.extend(_narrowing_checks(scenario.match, endpoint, body))
            failed = [check for check in checks if not check.matched]
            closeness = (
                0 if checks[0].matched else 1,
                -_shared_prefix(order_id, scenario.match),
                len(failed),
                self._position[id(scenario)],
            )
            ranked[id(scenario)] = (closeness, scenario, failed)
        closest = sorted(ranked.values(), key=lambda item: item[0])[:limit]
        return tuple(
            f"{scenario.name} ({scenario.source}): {'; '.join(check.reason for check in failed)}"
            for _, scenario, failed in closest
        )

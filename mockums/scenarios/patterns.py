"""Which `merOrderIdPattern` rules can match an id, without trying every pattern.

Each pattern is indexed by a literal it requires, read from Python's own parse of the regex: its
literal prefix when it has one (probed with one dict lookup per distinct prefix length), otherwise
four characters of its longest required literal run (probed with each four-character slice of the
id), kept only when the whole run is in the id. A pattern with no required literal (`\\d+`, `(?i)…`, a
top-level alternation) is always tried. Candidates are then matched for real, in the order given, so the
index only ever saves work.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from .model import Scenario
from .regexes import FRAGMENT, required_literal


class PatternIndex:
    """The pattern scenarios of a registry, indexed by a literal each requires."""

    def __init__(self, scenarios: Sequence[Scenario]) -> None:
        self._scenarios = tuple(scenarios)  # in the order candidates must come out (most specific first)
        self._by_prefix: dict[str, list[int]] = {}
        # A fragment's bucket holds (position, the whole literal run): an id that holds the fragment but not the
        # run cannot match, and is not tried (digit ids shared a four-digit slice with about 4 of the benchmark's
        # 3,333 patterns, each then tried for real).
        self._by_fragment: dict[str, list[tuple[int, str]]] = {}
        self._always: list[int] = []
        for position, scenario in enumerate(self._scenarios):
            literal, anchored = scenario.match.literal or required_literal(scenario.match.value)
            if anchored:
                self._by_prefix.setdefault(literal, []).append(position)
            elif literal:
                self._by_fragment.setdefault(self._fragment_key(literal), []).append((position, literal))
            else:
                self._always.append(position)
        self._prefix_lengths = sorted({len(prefix) for prefix in self._by_prefix})
        self._fragment_lengths = sorted({len(fragment) for fragment in self._by_fragment})

    def _fragment_key(self, literal: str) -> str:
        """The least used FRAGMENT-character slice of `literal`: keeps buckets small when literals share digits."""
        if len(literal) <= FRAGMENT:
            return literal
        slices = [literal[start : start + FRAGMENT] for start in range(len(literal) - FRAGMENT + 1)]
        return min(slices, key=lambda key: len(self._by_fragment.get(key, ())))

    def __len__(self) -> int:
        return len(self._scenarios)

    @property
    def unindexed(self) -> int:
        """How many patterns every id is tried against (no required literal was found in them)."""
        return len(self._always)

    def matching(self, order_id: str) -> Iterator[Scenario]:
        """The pattern scenarios that fully match `order_id`, in the order they were given."""
        found = list(self._always)
        size = len(order_id)
        for length in self._prefix_lengths:
            if length > size:
                break
            found.extend(self._by_prefix.get(order_id[:length], ()))
        fragments = self._by_fragment
        for length in self._fragment_lengths:
            for start in range(size - length + 1):
                bucket = fragments.get(order_id[start : start + length])
                if bucket:
                    found.extend(position for position, literal in bucket if literal in order_id)
        if not found:
            return
        for position in sorted(set(found)):
            scenario = self._scenarios[position]
            if scenario.match.matches_order_id(order_id):
                yield scenario

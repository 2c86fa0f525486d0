"""Which step of a scenario answers the next call, counted per (scenario, key).

The key is whatever identifies "the same order" to the caller (typically mid + merOrderId).
Counters are kept for at most `capacity` keys; the least recently used are forgotten first, and
a forgotten key simply starts its sequence again.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Protocol

from .model import Scenario, Step, Then


@dataclass(frozen=True)
class StepPick:
    """The step answering this call, and the 1-based number of the call."""

    step: Step
    call: int


def step_for_call(scenario: Scenario, call: int) -> Step:
    """The step that answers call number `call` (1-based), honouring `repeat` and `then`."""
    per_round = scenario.calls_per_round
    if call > per_round:
        if scenario.then is Then.REPEAT_LAST:
            return scenario.steps[-1]
        call = (call - 1) % per_round + 1
    for step in scenario.steps:
        if call <= step.repeat:
            return step
        call -= step.repeat
    return scenario.steps[-1]  # unreachable when repeats are >= 1; keeps the function total


Counter = tuple[str, str]  # (scenario name, key)


class SequenceRepository(Protocol):
    """Where the calls counted per (scenario, key) are kept."""

    def advance(self, counter: Counter) -> int:
        """Count one more call, as one atomic step; the number of this call (1-based)."""

    def calls(self, counter: Counter) -> int:
        """How many calls have been counted (0 if none, or forgotten)."""

    def forget(self, *, key: str | None = None, scenario: str | None = None) -> None:
        """Forget the counters of `key` in every scenario, of `scenario` for every key, or (neither) all."""

    def __len__(self) -> int:
        """How many counters are kept."""


class MemorySequences:
    """Counters in this process, at most `capacity`; the least recently used are forgotten first."""

    def __init__(self, capacity: int = 10_000) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {capacity}")
        self.capacity = capacity
        self._calls: OrderedDict[Counter, int] = OrderedDict()

    def advance(self, counter: Counter) -> int:
        call = self._calls.pop(counter, 0) + 1
        self._calls[counter] = call  # re-inserted at the end: most recently used
        if len(self._calls) > self.capacity:
            self._calls.popitem(last=False)
        return call

    def calls(self, counter: Counter) -> int:
        return self._calls.get(counter, 0)

    def forget(self, *, key: str | None = None, scenario: str | None = None) -> None:
        if key is None and scenario is None:
            self._calls.clear()
            return
        for counter in [c for c in self._calls if key in (None, c[1]) and scenario in (None, c[0])]:
            del self._calls[counter]

    def __len__(self) -> int:
        return len(self._calls)


class SequenceTracker:
    """Which step answers each call: the calls counted per (scenario name, key) in a repository."""

    def __init__(self, capacity: int = 10_000, counters: SequenceRepository | None = None) -> None:
        """`counters` keeps the counts (in memory, at most `capacity` of them, when not given)."""
        self.counters = counters if counters is not None else MemorySequences(capacity)

    def __len__(self) -> int:
        return len(self.counters)

    def calls(self, scenario_name: str, key: str) -> int:
        """How many calls have been counted so far (0 if none or forgotten); does not count one."""
        return self.counters.calls((scenario_name, key))

    def next_step(self, scenario: Scenario, key: str) -> StepPick:
        """Count the call, and the step that answers it."""
        call = self.counters.advance((scenario.name, key))
        return StepPick(step_for_call(scenario, call), call)

    def reset(self, key: str | None = None) -> None:
        """Forget the counters of `key` in every scenario, or of everything when key is None."""
        self.counters.forget(key=key)

    def reset_scenario(self, name: str) -> None:
        """Forget every key's counter for one scenario (e.g. after it was edited)."""
        self.counters.forget(scenario=name)

"""Which step of a scenario answers the next call, counted per (scenario, key).

The key is whatever identifies "the same order" to the caller (typically mid + merOrderId).
Counters are kept for at most `capacity` keys; the least recently used are forgotten first, and
a forgotten key simply starts its sequence again.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

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


class SequenceTracker:
    """Counts calls per (scenario name, key) with LRU eviction beyond `capacity` keys."""

    def __init__(self, capacity: int = 10_000) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {capacity}")
        self.capacity = capacity
        self._calls: OrderedDict[tuple[str, str], int] = OrderedDict()

    def __len__(self) -> int:
        return len(self._calls)

    def calls(self, scenario_name: str, key: str) -> int:
        """How many calls have been counted so far (0 if none or forgotten); does not count one."""
        return self._calls.get((scenario_name, key), 0)

    def next_step(self, scenario: Scenario, key: str) -> StepPick:
        counter = (scenario.name, key)
        call = self._calls.pop(counter, 0) + 1
        self._calls[counter] = call  # re-inserted at the end: most recently used
        if len(self._calls) > self.capacity:
            self._calls.popitem(last=False)
        return StepPick(step_for_call(scenario, call), call)

    def reset(self, key: str | None = None) -> None:
        """Forget the counters of `key` in every scenario, or of everything when key is None."""
        if key is None:
            self._calls.clear()
            return
        for counter in [counter for counter in self._calls if counter[1] == key]:
            del self._calls[counter]

    def reset_scenario(self, name: str) -> None:
        """Forget every key's counter for one scenario (e.g. after it was edited)."""
        for counter in [counter for counter in self._calls if counter[0] == name]:
            del self._calls[counter]

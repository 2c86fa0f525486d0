"""Timed events: a record of something due at a moment of sandbox time (a payment, a refund settlement, a
notification attempt), claimed by exactly one taker once it falls due.

A timer is named by a key whose first item says what it is for (`("order", mid, merOrderId)`,
`("delivery", "17")`); scheduling a key again moves it, so each thing has at most one timer.
"""

from __future__ import annotations

import heapq
import itertools
from typing import Protocol

TimerKey = tuple[str, ...]


class TimerRepository(Protocol):
    """Where timers are kept: schedule, cancel, and claim the ones due."""

    def schedule(self, key: TimerKey, due: float) -> None:
        """Set `key`'s timer to `due` (sandbox epoch seconds), replacing any it had."""

    def cancel(self, key: TimerKey) -> None:
        """Remove `key`'s timer, if it has one."""

    def claim_due(self, now: float) -> list[TimerKey]:
        """The keys whose timers are due by `now`, earliest first, each removed: a timer is claimed once."""

    def due_at(self, key: TimerKey) -> float | None:
        """When `key`'s timer falls due (None: it has none)."""

    def next_due(self) -> float | None:
        """When the earliest timer falls due (None: there is none)."""

    def clear(self) -> None:
        """Remove every timer."""

    def __len__(self) -> int:
        """How many timers are set."""


class MemoryTimers:
    """Timers in this process: a heap of (due, sequence, key), and the current due time of each key
    (a heap entry whose due time is no longer its key's is stale and skipped)."""

    def __init__(self) -> None:
        self._due: dict[TimerKey, float] = {}
        self._heap: list[tuple[float, int, TimerKey]] = []
        self._order = itertools.count()

    def schedule(self, key: TimerKey, due: float) -> None:
        if self._due.get(key) == due:
            return
        self._due[key] = due
        heapq.heappush(self._heap, (due, next(self._order), key))
        if len(self._heap) > 2 * len(self._due) + 64:  # many stale entries: rebuild from the live ones
            self._heap = [(when, next(self._order), name) for name, when in self._due.items()]
            heapq.heapify(self._heap)

    def cancel(self, key: TimerKey) -> None:
        self._due.pop(key, None)

    def claim_due(self, now: float) -> list[TimerKey]:
        claimed = []
        while self._heap and self._heap[0][0] <= now:
            due, _, key = heapq.heappop(self._heap)
            if self._due.get(key) == due:
                del self._due[key]
                claimed.append(key)
        return claimed

    def due_at(self, key: TimerKey) -> float | None:
        return self._due.get(key)

    def next_due(self) -> float | None:
        while self._heap and self._due.get(self._heap[0][2]) != self._heap[0][0]:
            heapq.heappop(self._heap)
        return self._heap[0][0] if self._heap else None

    def clear(self) -> None:
        self._due.clear()
        self._heap.clear()

    def __len__(self) -> int:
        return len(self._due)

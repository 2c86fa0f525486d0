"""Records: values under names, each changed by one atomic update, the least recently changed forgotten
beyond a capacity. The generic repository of small keyed state (an app's tokens, a POS payment's facts, QR
codes and bills); `MemoryRecords` keeps them in this process, `mockums.state.redis.RedisRecords` in Redis."""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

V = TypeVar("V")
R = TypeVar("R")


def record_name(key: tuple[str, ...]) -> str:
    """A composite key as one record name (a JSON list: any text in any part stays apart)."""
    return json.dumps(list(key), ensure_ascii=False, separators=(",", ":"))


class Records(Protocol[V]):
    """Where records of one kind are kept."""

    def get(self, name: str) -> V | None:
        """The record under `name`, if kept."""

    def update(self, name: str, change: Callable[[V | None], tuple[V | None, R]]) -> R:
        """Apply `change` to the record under `name` (None: there is none) and keep the record it gives (None
        removes it), as one atomic step; what `change` returned besides."""

    def clear(self) -> None:
        """Forget every record."""

    def __len__(self) -> int:
        """How many records are kept."""


class MemoryRecords(Generic[V]):
    """Records in this process, at most `capacity`; the least recently changed forgotten first."""

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {capacity}")
        self.capacity = capacity
        self._records: OrderedDict[str, V] = OrderedDict()

    def get(self, name: str) -> V | None:
        return self._records.get(name)

    def update(self, name: str, change: Callable[[V | None], tuple[V | None, R]]) -> R:
        new, result = change(self._records.get(name))
        if new is None:
            self._records.pop(name, None)
        else:
            self._records[name] = new
            self._records.move_to_end(name)
            while len(self._records) > self.capacity:
                self._records.popitem(last=False)
        return result

    def clear(self) -> None:
        self._records.clear()

    def __len__(self) -> int:
        return len(self._records)

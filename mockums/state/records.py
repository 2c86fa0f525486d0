"""Records: values under names, each changed by one atomic update, the least recently changed forgotten
beyond a capacity. The generic repository of small keyed state (an app's tokens, QR codes and
bills); `MemoryRecords` keeps them in this process, `mockums.state.redis.RedisRecords` in Redis."""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

V = TypeVar("V")
R = TypeVar("R")


Name = str | tuple[str, ...]  # a record's name: a text, or a composite key such as (mid, merOrderId)


def record_name(key: Name) -> str:
    """A name as one text, for a store outside the process (a composite key as a JSON list: any text in any part
    stays apart)."""
    return key if isinstance(key, str) else json.dumps(list(key), ensure_ascii=False, separators=(",", ":"))


class Records(Protocol[V]):
    """Where records of one kind are kept."""

    def get(self, name: Name) -> V | None:
        """The record under `name`, if kept."""

    def update(self, name: Name, change: Callable[[V | None], tuple[V | None, R]]) -> R:
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
        self._records: OrderedDict[Name, V] = OrderedDict()

    def get(self, name: Name) -> V | None:
        return self._records.get(name)

    def update(self, name: Name, change: Callable[[V | None], tuple[V | None, R]]) -> R:
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

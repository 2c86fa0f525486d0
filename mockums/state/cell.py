"""A cell: one value of the sandbox's state (the clock's setting, the seed, the runtime scenario changes),
read whole and changed by one atomic update."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

T = TypeVar("T")


class Cell(Protocol[T]):
    """Where one value is kept."""

    def get(self) -> T:
        """The value now."""

    def update(self, change: Callable[[T], T]) -> T:
        """Apply `change` to the value as one atomic step; the new value."""


class MemoryCell(Generic[T]):
    """A value in this process."""

    def __init__(self, value: T) -> None:
        self._value = value

    def get(self) -> T:
        return self._value

    def update(self, change: Callable[[T], T]) -> T:
        self._value = change(self._value)
        return self._value

"""What POS link knows of a payment beyond its order in the ledger: the payment code, how a payment that did not
stay paid ended (voided, reversed, failed, timed out), and a paying payment's password plan. Values, kept by a
small repository under the order's key and changed only through its atomic `update`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple, Protocol, TypeVar

from mockums.ledger.model import OrderKey
from mockums.lines.poslink.cases import PayCase
from mockums.state.records import MemoryRecords, Records

R = TypeVar("R")


class PosFacts(NamedTuple):
    """One payment's POS-link facts."""

    pay_code: str
    ending: str | None = None  # None while paid or paying; else voided, reversed, failed or timeout
    why: str = ""  # why it failed (the errInfo a query shows)
    case: PayCase | None = None  # what its magic payment code makes it do
    paying_until: float | None = None  # a paying payment that settles by sandbox time: when
    queries: int = 0  # queries that reported it paying


Change = Callable[[PosFacts | None], tuple[PosFacts | None, R]]


class PosFactsRepository(Protocol):
    """Where POS-link facts are kept."""

    def get(self, key: OrderKey) -> PosFacts | None:
        """The facts of a payment, if kept."""

    def update(self, key: OrderKey, change: Change[R]) -> R:
        """Apply `change` to the facts under `key` in one atomic step (None removes them)."""

    def clear(self) -> None:
        """Forget everything."""


class RecordPosFacts:
    """POS-link facts as records under the payment's order key (`mockums.state.records`)."""

    def __init__(self, records: Records[PosFacts]) -> None:
        self._records = records

    def get(self, key: OrderKey) -> PosFacts | None:
        return self._records.get(key)

    def update(self, key: OrderKey, change: Change[R]) -> R:
        return self._records.update(key, change)

    def clear(self) -> None:
        self._records.clear()


class MemoryPosFacts(RecordPosFacts):
    """POS-link facts in memory, at most `capacity` (the least recently changed forgotten first)."""

    def __init__(self, capacity: int = 100_000) -> None:
        super().__init__(MemoryRecords(capacity))

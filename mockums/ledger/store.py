"""Orders keyed by (mid, merOrderId), in memory, capped, least recently used dropped first."""

from __future__ import annotations

import itertools
from collections import OrderedDict
from collections.abc import Iterator

from mockums.ledger.model import Order


class OrderStore:
    """The orders the sandbox knows, with an index by the wallet's targetOrderId."""

    def __init__(self, capacity: int = 100_000) -> None:
        self.capacity = capacity
        self._orders: OrderedDict[tuple[str, str], Order] = OrderedDict()
        self._by_target: dict[str, tuple[str, str]] = {}

    def get(self, mid: str, mer_order_id: str) -> Order | None:
        order = self._orders.get((mid, mer_order_id))
        if order is not None:
            self._orders.move_to_end(order.key)
        return order

    def by_target_order_id(self, target_order_id: str) -> Order | None:
        key = self._by_target.get(target_order_id)
        return self.get(*key) if key else None

    def add(self, order: Order) -> Order:
        key = order.key  # one tuple shared by both indexes
        self._orders[key] = order
        self._orders.move_to_end(key)
        self._by_target[order.target_order_id] = key
        while len(self._orders) > self.capacity:
            _, evicted = self._orders.popitem(last=False)
            self._by_target.pop(evicted.target_order_id, None)
        return order

    def remove(self, mid: str, mer_order_id: str) -> bool:
        order = self._orders.pop((mid, mer_order_id), None)
        if order is not None:
            self._by_target.pop(order.target_order_id, None)
        return order is not None

    def reset(self) -> None:
        self._orders.clear()
        self._by_target.clear()

    def newest(self, count: int) -> list[Order]:
        """The `count` most recently used orders, oldest of them first, without going through the rest."""
        found = list(itertools.islice(reversed(self._orders.values()), count))
        found.reverse()
        return found

    def __len__(self) -> int:
        return len(self._orders)

    def __iter__(self) -> Iterator[Order]:
        return iter(list(self._orders.values()))

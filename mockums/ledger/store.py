"""Orders keyed by (mid, merOrderId), in memory, least recently used dropped first: at most `capacity`
orders holding at most `refund_capacity` refunds between them (an order with many refunds costs as much
as dozens without)."""

from __future__ import annotations

import itertools
from collections import OrderedDict
from collections.abc import Iterator

from mockums.ledger.model import Order


class OrderStore:
    """The orders the sandbox knows, with an index by the wallet's targetOrderId."""

    def __init__(self, capacity: int = 100_000, refund_capacity: int = 1_000_000) -> None:
        self.capacity = capacity
        self.refund_capacity = refund_capacity
        self._orders: OrderedDict[tuple[str, str], Order] = OrderedDict()
        self._by_target: dict[str, tuple[str, str]] = {}
        self._refunds: dict[tuple[str, str], int] = {}  # refunds counted per order, as last weighed
        self.refund_count = 0

    def get(self, mid: str, mer_order_id: str) -> Order | None:
        order = self._orders.get((mid, mer_order_id))
        if order is not None:
            self._orders.move_to_end(order.key)
        return order

    def by_target_order_id(self, target_order_id: str) -> Order | None:
        key = self._by_target.get(target_order_id)
        return self.get(*key) if key else None

    def add(self, order: Order) -> Order:
        """Keep (or touch) an order, weigh its refunds again, and drop the least recently used beyond the caps."""
        key = order.key  # one tuple shared by both indexes
        self._orders[key] = order
        self._orders.move_to_end(key)
        self._by_target[order.target_order_id] = key
        refunds = len(order.refunds)
        if refunds or key in self._refunds:  # only orders with refunds are weighed (most have none)
            self.refund_count += refunds - self._refunds.get(key, 0)
            self._refunds[key] = refunds
        while len(self._orders) > 1 and (len(self._orders) > self.capacity or self.refund_count > self.refund_capacity):
            self._forget(self._orders.popitem(last=False)[1])
        return order

    def _forget(self, order: Order) -> None:
        self._by_target.pop(order.target_order_id, None)
        self.refund_count -= self._refunds.pop(order.key, 0)

    def remove(self, mid: str, mer_order_id: str) -> bool:
        order = self._orders.pop((mid, mer_order_id), None)
        if order is not None:
            self._forget(order)
        return order is not None

    def reset(self) -> None:
        self._orders.clear()
        self._by_target.clear()
        self._refunds.clear()
        self.refund_count = 0

    def newest(self, count: int) -> list[Order]:
        """The `count` most recently used orders, oldest of them first, without going through the rest."""
        found = list(itertools.islice(reversed(self._orders.values()), count))
        found.reverse()
        return found

    def __len__(self) -> int:
        return len(self._orders)

    def __iter__(self) -> Iterator[Order]:
        return iter(list(self._orders.values()))

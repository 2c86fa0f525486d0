"""Where orders are kept: the `OrderRepository` interface, and its in-memory implementation.

Orders are values: a change reads an order and stores the new one in one atomic `update`, with the order's
timer (when time will change it by itself). In memory, keyed by (mid, merOrderId), least recently used dropped
first: at most `capacity` orders holding at most `refund_capacity` refunds between them (an order with many
refunds costs as much as dozens without).
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol, TypeVar

from mockums.ledger.model import Order, OrderKey
from mockums.state.timers import TimerKey, TimerRepository

R = TypeVar("R")
Change = Callable[[Order | None], tuple[Order | None, R]]


def order_timer(key: OrderKey) -> TimerKey:
    """The name of an order's timer: ("order", mid, merOrderId)."""
    return ("order", *key)


class OrderRepository(Protocol):
    """The orders the sandbox knows, with an index by the wallet's targetOrderId, each with its timer (named
    `order_timer(key)`): set in the same atomic step as the order (with several processes, a timer set
    apart could land after another process's newer order), removed with it."""

    def get(self, key: OrderKey) -> Order | None:
        """The order under (mid, merOrderId), if kept."""

    def key_of_target(self, target_order_id: str) -> OrderKey | None:
        """The key of the order with this targetOrderId, if kept."""

    def update(self, key: OrderKey, change: Change[R]) -> tuple[Order | None, R]:
        """Read the order under `key` (None when there is none), apply `change`, and keep the order it gives
        (None removes it) with its timer, as one atomic step; the order kept, and what `change` returned besides
        it. An order `change` gives back unchanged is not written."""

    def remove(self, key: OrderKey) -> bool:
        """Forget one order; whether it was kept."""

    def newest(self, count: int) -> list[Order]:
        """The `count` most recently used orders, oldest of them first."""

    def all(self) -> list[Order]:
        """Every kept order, least recently used first (a snapshot)."""

    def clear(self) -> None:
        """Forget every order."""

    def __len__(self) -> int:
        """How many orders are kept."""


class MemoryOrders:
    """Orders in this process, least recently used dropped first beyond the caps; their timers in `timers`, due
    when `due` says (None: never)."""

    def __init__(self, timers: TimerRepository, due: Callable[[Order], float | None], capacity: int = 100_000,
                 refund_capacity: int = 1_000_000) -> None:
        self._timers = timers
        self._due = due
        self.capacity = capacity
        self.refund_capacity = refund_capacity
        self._orders: OrderedDict[OrderKey, Order] = OrderedDict()
        self._by_target: dict[str, OrderKey] = {}
        self.refund_count = 0  # refunds held by the kept orders

    def get(self, key: OrderKey) -> Order | None:
        order = self._orders.get(key)
        if order is not None:
            self._orders.move_to_end(key)
        return order

    def key_of_target(self, target_order_id: str) -> OrderKey | None:
        return self._by_target.get(target_order_id)

    def update(self, key: OrderKey, change: Change[R]) -> tuple[Order | None, R]:
        old = self._orders.get(key)
        new, result = change(old)
        if new is None:
            if old is not None:
                self._forget(self._orders.pop(key))
        elif new is not old:
            self._keep(key, old, new)
        elif old is not None:
            self._orders.move_to_end(key)
        return new, result

    def _keep(self, key: OrderKey, old: Order | None, new: Order) -> None:
        due = self._due(new)
        if due is not None:
            self._timers.schedule(order_timer(key), due)
        elif old is not None:  # an order not kept has no timer (`_forget`)
            self._timers.cancel(order_timer(key))
        self._orders[key] = new
        if old is None:  # a new key goes last, with its index entry
            self._by_target[new.target_order_id] = key
            self.refund_count += len(new.refunds)
        else:
            self._orders.move_to_end(key)
            if old.target_order_id != new.target_order_id:
                self._by_target.pop(old.target_order_id, None)
                self._by_target[new.target_order_id] = key
            if old.refunds is not new.refunds:
                self.refund_count += len(new.refunds) - len(old.refunds)
        while len(self._orders) > 1 and (len(self._orders) > self.capacity
                                         or self.refund_count > self.refund_capacity):
            self._forget(self._orders.popitem(last=False)[1])

    def _forget(self, order: Order) -> None:
        self._timers.cancel(order_timer(order.key))
        if self._by_target.get(order.target_order_id) == order.key:
            del self._by_target[order.target_order_id]
        self.refund_count -= len(order.refunds)

    def remove(self, key: OrderKey) -> bool:
        order = self._orders.pop(key, None)
        if order is not None:
            self._forget(order)
        return order is not None

    def newest(self, count: int) -> list[Order]:
        found = list(itertools.islice(reversed(self._orders.values()), count))
        found.reverse()
        return found

    def all(self) -> list[Order]:
        return list(self._orders.values())

    def clear(self) -> None:
        self._orders.clear()
        self._by_target.clear()
        self.refund_count = 0

    def __len__(self) -> int:
        return len(self._orders)

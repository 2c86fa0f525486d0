"""Orders keyed by (mid, merOrderId), in memory and capped.

By default an order mockums has never seen is assumed to exist, unpaid, so a close works with no
set-up; strict mode answers NO_ORDER for it instead.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

ORDER_STATUSES = ("NEW_ORDER", "WAIT_BUYER_PAY", "TRADE_SUCCESS", "TRADE_REFUND", "TRADE_CLOSED", "UNKNOWN")
HISTORY_CAP = 50


@dataclass
class Order:
    mid: str
    mer_order_id: str
    status: str
    values: dict[str, object]  # generated platform values: seqId, targetMid, merName, totalAmount…
    created_at: float
    assumed: bool  # True when mockums invented it on first sight (lenient mode)
    history: list[tuple[float, str]] = field(default_factory=list)

    def record(self, at: float, event: str) -> None:
        self.history.append((at, event))
        del self.history[:-HISTORY_CAP]

    def set_status(self, at: float, status: str, why: str) -> None:
        if status != self.status:
            self.record(at, f"{self.status} -> {status} ({why})")
            self.status = status


class OrderStore:
    def __init__(self, capacity: int = 100_000) -> None:
        self.capacity = capacity
        self._orders: OrderedDict[tuple[str, str], Order] = OrderedDict()

    def get(self, mid: str, mer_order_id: str) -> Order | None:
        order = self._orders.get((mid, mer_order_id))
        if order is not None:
            self._orders.move_to_end((mid, mer_order_id))
        return order

    def add(self, order: Order) -> Order:
        key = (order.mid, order.mer_order_id)
        self._orders[key] = order
        self._orders.move_to_end(key)
        while len(self._orders) > self.capacity:
            self._orders.popitem(last=False)
        return order

    def remove(self, mid: str, mer_order_id: str) -> bool:
        return self._orders.pop((mid, mer_order_id), None) is not None

    def reset(self) -> None:
        self._orders.clear()

    def __len__(self) -> int:
        return len(self._orders)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(list(self._orders.values()))

"""Orders keyed by (mid, merOrderId), in memory and capped, with their lifecycle:

    NEW_ORDER / WAIT_BUYER_PAY → TRADE_SUCCESS → TRADE_REFUND,  or  → TRADE_CLOSED

By default an order mockums has never seen is assumed to exist, unpaid, so a close or a query works
with no set-up; strict mode answers NO_ORDER for it instead.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field

from mockums.ledger.plans import Lifecycle, PayPlan, RefundPlan
from mockums.protocol.statuses import OPEN_STATUSES

DEFAULT_EXPIRY_SECONDS = 30 * 60
HISTORY_CAP = 100
REFUNDS_CAP = 100  # per order; the real platform allows a few dozen partial refunds at most

NEVER = PayPlan("never")
AT_ONCE = RefundPlan("SUCCESS")


@dataclass
class Refund:
    refund_order_id: str
    amount: int
    status: str  # SUCCESS, PROCESSING or FAIL
    target_order_id: str
    created_at: float
    settled_at: float | None = None
    queries: int = 0
    settle_after_queries: int | None = None
    settle_at: float | None = None

    @property
    def counts(self) -> bool:
        """A refund that succeeded or may still succeed takes its amount off what is refundable."""
        return self.status in ("SUCCESS", "PROCESSING")


@dataclass
class Order:
    mid: str
    mer_order_id: str
    status: str
    total_amount: int
    values: dict[str, object]  # generated platform values: seqId, targetMid, merName, targetOrderId…
    created_at: float
    expire_at: float
    app_id: str | None = None
    inst_mid: str = ""
    target_sys: str = "WXPay"
    notify_url: str | None = None
    attached_data: str | None = None
    order_desc: str | None = None
    assumed: bool = False  # True when mockums invented it on first sight (lenient mode)
    paid_at: float | None = None
    queries: int = 0
    pay_plan: PayPlan = NEVER
    refund_plan: RefundPlan = AT_ONCE
    lifecycle: Lifecycle | None = None
    scripted_status: str | None = None  # the last status a scenario put the order in
    refunds: dict[str, Refund] = field(default_factory=dict)
    history: list[tuple[float, str]] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str]:
        return (self.mid, self.mer_order_id)

    @property
    def refunded(self) -> int:
        return sum(refund.amount for refund in self.refunds.values() if refund.counts)

    @property
    def refundable(self) -> int:
        return self.total_amount - self.refunded

    @property
    def pay_due_at(self) -> float | None:
        if self.pay_plan.mode != "after_seconds" or self.status not in OPEN_STATUSES:
            return None
        return self.created_at + self.pay_plan.seconds

    def record(self, at: float, event: str) -> None:
        self.history.append((at, event))
        del self.history[:-HISTORY_CAP]

    def set_status(self, at: float, status: str, why: str) -> None:
        if status != self.status:
            self.record(at, f"{self.status} -> {status} ({why})")
            self.status = status

    def expire_if_due(self, now: float) -> bool:
        """An unpaid order past its expiry closes itself, as the platform's does."""
        if self.status in OPEN_STATUSES and now >= self.expire_at and not self._pays_before_expiry():
            self.set_status(self.expire_at, "TRADE_CLOSED", "expired unpaid")
            return True
        return False

    def _pays_before_expiry(self) -> bool:
        due = self.pay_due_at
        return due is not None and due < self.expire_at

    def mark_paid(self, at: float, why: str) -> None:
        self.paid_at = at
        self.set_status(at, "TRADE_SUCCESS", why)


class OrderStore:
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
        self._orders[order.key] = order
        self._orders.move_to_end(order.key)
        target = order.values.get("targetOrderId")
        if isinstance(target, str):
            self._by_target[target] = order.key
        while len(self._orders) > self.capacity:
            _, evicted = self._orders.popitem(last=False)
            self._by_target.pop(str(evicted.values.get("targetOrderId")), None)
        return order

    def remove(self, mid: str, mer_order_id: str) -> bool:
        order = self._orders.pop((mid, mer_order_id), None)
        if order is not None:
            self._by_target.pop(str(order.values.get("targetOrderId")), None)
        return order is not None

    def reset(self) -> None:
        self._orders.clear()
        self._by_target.clear()

    def __len__(self) -> int:
        return len(self._orders)

    def __iter__(self) -> Iterator[Order]:
        return iter(list(self._orders.values()))

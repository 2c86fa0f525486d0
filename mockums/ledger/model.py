"""An order and its refunds, with the moves of its lifecycle:

    NEW_ORDER / WAIT_BUYER_PAY → TRADE_SUCCESS → TRADE_REFUND,  or  → TRADE_CLOSED
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mockums.ledger.plans import Lifecycle, PayPlan, RefundPlan
from mockums.protocol.statuses import OPEN_STATUSES

HISTORY_CAP = 100

NEVER = PayPlan("never")
AT_ONCE = RefundPlan("SUCCESS")


@dataclass
class Refund:
    refund_order_id: str
    amount: int
    status: str  # one of REFUND_STATUSES
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
    assumed: bool = False  # True when never created here: a scenario or assume_orders implied it
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

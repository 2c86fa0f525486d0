"""An order and its refunds, with the moves of its lifecycle:

    NEW_ORDER / WAIT_BUYER_PAY → TRADE_SUCCESS → TRADE_REFUND,  or  → TRADE_CLOSED
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from mockums.ledger.plans import Lifecycle, PayPlan, RefundPlan
from mockums.protocol.statuses import OPEN_STATUSES

HISTORY_CAP = 100

NEVER = PayPlan("never")
AT_ONCE = RefundPlan("SUCCESS")
NO_REFUNDS: Mapping[str, Refund] = MappingProxyType({})  # shared until an order's first refund


# One copy of a text many orders repeat (mid, tid, instMid, appId, history lines): `sys.intern` itself,
# without a Python function around it (called several times per new order).
shared: Callable[[str], str] = sys.intern


@dataclass(slots=True)
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


@dataclass(slots=True)
class Order:
    """One order. Kept by the hundred thousand, so it stays small (under 1 KB with its store entry):
    slots, repeated texts shared, and the generated platform values (seqId, merName, targetMid…)
    not stored but derived again from `seed` when an answer shows them (`Generator.order_values`)."""

    mid: str
    mer_order_id: str
    status: str
    total_amount: int
    seed: int  # the generator's seed when the order was made: its generated values follow from it
    target_order_id: str  # the wallet's transaction id (generated), kept because orders are found by it
    created_at: float
    expire_at: float
    app_id: str | None = None
    inst_mid: str = ""
    tid: str = ""
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
    mer_name: str | None = None  # the merchant name to show instead of the generated one (a bill's payments)
    # By refundOrderId, oldest first; the shared empty mapping until the first refund (see `add_refund`).
    refunds: Mapping[str, Refund] = field(default_factory=lambda: NO_REFUNDS)
    # time, text, time, text…: one flat tuple (no tuple per event), which the garbage collector stops
    # tracking since it holds only floats and strings, so a full collection does not walk every order's history.
    _events: tuple[float | str, ...] = ()

    @property
    def key(self) -> tuple[str, str]:
        return (self.mid, self.mer_order_id)

    @property
    def refunded(self) -> int:
        if not self.refunds:
            return 0
        return sum(refund.amount for refund in self.refunds.values() if refund.counts)

    @property
    def refundable(self) -> int:
        return self.total_amount - self.refunded

    @property
    def pay_due_at(self) -> float | None:
        if self.pay_plan.mode != "after_seconds" or self.status not in OPEN_STATUSES:
            return None
        return self.created_at + self.pay_plan.seconds

    @property
    def history(self) -> list[tuple[float, str]]:
        """What happened to the order, oldest first: (sandbox time, event), the newest HISTORY_CAP."""
        events = self._events
        return [(float(events[i]), str(events[i + 1])) for i in range(0, len(events), 2)]

    def record(self, at: float, event: str) -> None:
        self._events = (*self._events[-2 * HISTORY_CAP + 2:], at, shared(event))

    def add_refund(self, refund: Refund) -> None:
        """Keep a refund under its refundOrderId."""
        if not isinstance(self.refunds, dict):
            self.refunds = {}
        self.refunds[refund.refund_order_id] = refund

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

"""An order and its refunds, as values: a change makes a new order (`moves`), which the order repository
keeps in place of the old one in one atomic update.

    NEW_ORDER / WAIT_BUYER_PAY → TRADE_SUCCESS → TRADE_REFUND,  or  → TRADE_CLOSED
"""

from __future__ import annotations

import sys
from typing import NamedTuple

from mockums.ledger.plans import Lifecycle, PayPlan, RefundPlan
from mockums.ledger.split import Division
from mockums.protocol.statuses import OPEN_STATUSES

NEVER = PayPlan("never")
AT_ONCE = RefundPlan("SUCCESS")

OrderKey = tuple[str, str]  # (mid, merOrderId)

# One copy of a text many orders repeat (mid, tid, instMid, appId, history lines).
shared = sys.intern


class Refund(NamedTuple):
    """One refund of an order, under its refundOrderId."""

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


class Order(NamedTuple):
    """One order. A named tuple: immutable, and kept by the hundred thousand, so small (under 1 KB with
    its repository entry); its generated platform values (seqId, merName, targetMid…) are not stored but
    derived again from `seed` when an answer shows them (`Generator.order_values`)."""

    mid: str
    mer_order_id: str
    line: str  # the product line that made it: its notifications take that line's form
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
    refunds: tuple[Refund, ...] = ()  # oldest first
    # time, text, time, text…: one flat tuple of floats and strings, which the garbage collector does not track.
    notes: tuple[float | str, ...] = ()
    # 担保 (guarantee) orders: None for an ordinary order, else one of SECURE_STATUSES; and the amount completed.
    secure_status: str | None = None
    completed_amount: int = 0
    division: Division | None = None  # 分账: the split given on create (None: not split)
    # What the order's product line keeps of it beyond these fields, as plain values (POS link: the payment code and
    # how the payment ended), so that it changes in the same atomic update as the order. The ledger never reads it.
    line_state: tuple[str | float | None, ...] = ()

    @property
    def key(self) -> OrderKey:
        return (self.mid, self.mer_order_id)

    @property
    def refunded(self) -> int:
        """The amount refunded or being refunded."""
        return sum(refund.amount for refund in self.refunds if refund.counts) if self.refunds else 0

    @property
    def refundable(self) -> int:
        return self.total_amount - self.refunded

    @property
    def is_open(self) -> bool:
        """The customer may still pay."""
        return self.status in OPEN_STATUSES

    @property
    def pay_due_at(self) -> float | None:
        """When a timed payment falls due (None: the order has none, or is no longer open)."""
        if self.pay_plan.mode != "after_seconds" or self.status not in OPEN_STATUSES:
            return None
        return self.created_at + self.pay_plan.seconds

    @property
    def history(self) -> list[tuple[float, str]]:
        """What happened to the order, oldest first: (sandbox time, event), the newest HISTORY_CAP."""
        notes = self.notes
        return [(float(notes[i]), str(notes[i + 1])) for i in range(0, len(notes), 2)]

    def refund(self, refund_order_id: str) -> Refund | None:
        """The refund with this refundOrderId, if any."""
        return next((refund for refund in self.refunds if refund.refund_order_id == refund_order_id), None)

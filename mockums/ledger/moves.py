"""The moves of an order's lifecycle, as pure functions from an order to a new order (and the events a
notification reports). Nothing here keeps or changes anything: `Ledger` applies them through the order
repository's atomic update."""

from __future__ import annotations

import random

from mockums.ledger.calls import Event
from mockums.ledger.generate import shaped
from mockums.ledger.model import Order, Refund, shared
from mockums.limits import HISTORY_CAP, SECURE_CANCEL_SECONDS
from mockums.protocol.statuses import (
    CANCELED,
    OPEN_STATUSES,
    PAID_STATUSES,
    TRADE_CLOSED,
    TRADE_REFUND,
    TRADE_SUCCESS,
    UNCOMPLETED,
)
from mockums.protocol.wallets import WALLETS

NO_EVENTS: tuple[Event, ...] = ()
_STATUS, _NOTES = Order._fields.index("status"), Order._fields.index("notes")


def noted(order: Order, at: float, text: str) -> Order:
    """The order with one more history line (the oldest dropped beyond HISTORY_CAP)."""
    return order._replace(notes=(*order.notes[-2 * HISTORY_CAP + 2:], at, shared(text)))


def with_status(order: Order, at: float, status: str, why: str) -> Order:
    """The order in `status`, the change noted with its reason (unchanged when already there)."""
    if status == order.status:
        return order
    text = shared(f"{order.status} -> {status} ({why})")
    # By position, the two fields' places found by name once: `_replace` pops each of the 30 field names from its
    # keywords, 18.2k instructions against 6.6k, 1.7 % of a request that closes an order never created; with the
    # positional Order of `Ledger.new_order`, 3.8 % (callgrind, benchmarks/bench_instructions.py).
    values = list(order)
    values[_STATUS] = status
    values[_NOTES] = (*order.notes[-2 * HISTORY_CAP + 2:], at, text)
    return Order._make(values)


def pay(order: Order, at: float, why: str) -> tuple[Order, tuple[Event, ...]]:
    """The customer pays an open order (nothing happens to one that is not open)."""
    if order.status not in OPEN_STATUSES:
        return order, NO_EVENTS
    order = with_status(order._replace(paid_at=at), at, TRADE_SUCCESS, why)
    return order, (Event("payment", order),)


def settle(order: Order, refund: Refund, at: float) -> tuple[Order, Event]:
    """A refund succeeds: the order is TRADE_REFUND."""
    settled = refund._replace(status="SUCCESS", settled_at=at, settle_at=None)
    order = with_refund(order, settled)
    order = with_status(order, at, TRADE_REFUND, f"refund {refund.refund_order_id} succeeded")
    return order, Event("refund", order, settled)


def with_refund(order: Order, refund: Refund) -> Order:
    """The order with `refund` added, or in place of the refund with its refundOrderId."""
    kept = order.refunds
    for index, known in enumerate(kept):
        if known.refund_order_id == refund.refund_order_id:
            return order._replace(refunds=(*kept[:index], refund, *kept[index + 1:]))
    return order._replace(refunds=(*kept, refund))


def expire_if_due(order: Order, now: float) -> Order:
    """An unpaid order past its expiry closes itself, as the platform's does (unless a timed payment
    falls due before it expires)."""
    if order.status not in OPEN_STATUSES or now < order.expire_at:
        return order
    due = order.pay_due_at
    if due is not None and due < order.expire_at:
        return order
    return with_status(order, order.expire_at, TRADE_CLOSED, "expired unpaid")


def catch_up(order: Order, now: float) -> tuple[Order, tuple[Event, ...]]:
    """What time has done to an order by `now`: a timed payment that fell due, expiry, refunds settled."""
    events = NO_EVENTS
    due = order.pay_due_at if order.pay_plan.mode == "after_seconds" else None  # most orders have no timed payment
    if due is not None and due <= now and due < order.expire_at:
        order, events = pay(order, due, f"paid {order.pay_plan.seconds:g} s after creation (scenario)")
    order = expire_if_due(order, now)
    for refund in order.refunds:
        if refund.status == "PROCESSING" and refund.settle_at is not None and refund.settle_at <= now:
            order, event = settle(order, refund, refund.settle_at)
            events = (*events, event)
    cancel_at = secure_cancel_due_at(order) if order.secure_status is not None else None
    if cancel_at is not None and cancel_at <= now:
        order, returned = secure_finish(order, cancel_at, CANCELED, 0, "30 days after payment, neither completed "
                                                                       "nor cancelled")
        events = (*events, *returned)
    return order, events


def next_due(order: Order) -> float | None:
    """When time will next change the order by itself (a timed payment, a refund settling); None: never."""
    due = order.pay_due_at if order.pay_plan.mode == "after_seconds" else None
    for refund in order.refunds:
        if refund.status == "PROCESSING" and refund.settle_at is not None:
            due = refund.settle_at if due is None else min(due, refund.settle_at)
    cancel_at = secure_cancel_due_at(order) if order.secure_status is not None else None
    if cancel_at is not None:
        due = cancel_at if due is None else min(due, cancel_at)
    return due


def secure_cancel_due_at(order: Order) -> float | None:
    """When a paid 担保 (guarantee) order neither completed nor cancelled cancels itself: 30 days after payment
    (None: it is not such an order)."""
    if order.secure_status != UNCOMPLETED or order.paid_at is None or order.status not in PAID_STATUSES:
        return None
    return order.paid_at + SECURE_CANCEL_SECONDS


def secure_finish(order: Order, at: float, secure_status: str, completed: int,
                  why: str) -> tuple[Order, tuple[Event, ...]]:
    """A 担保 order completed for `completed` fen (0 and CANCELED: cancelled), the rest returned to the buyer as
    a refund that succeeds at once (its event; none when nothing is left to return)."""
    order = noted(order._replace(secure_status=secure_status, completed_amount=completed), at,
                  f"担保 {secure_status}: {completed} fen completed ({why})")
    rest = order.refundable - completed
    if rest <= 0:
        return order, NO_EVENTS
    order, event = settle(order, _returned(order, rest, at), at)
    return order, (event,)


def _returned(order: Order, amount: int, at: float) -> Refund:
    """The refund that returns a 担保 order's uncompleted rest: its refundOrderId (the merOrderId's first four
    characters, 16 digits, R, like a refund the platform names) and its wallet's refund id, derived from the
    order (each order returns once), so time can make it with no generator at hand."""
    rng = random.Random(f"{order.seed}\x1fsecure-return\x1f{order.mid}\x1f{order.mer_order_id}")
    refund_id = f"{order.mer_order_id[:4]}{shaped('#' * 16, rng, at)}R"
    shape = WALLETS[order.target_sys].refund_target_order_id  # None: the trade's own id
    target = shaped(shape.text, rng, at) if shape else order.target_order_id
    return Refund(refund_id, amount, "PROCESSING", target, at)


def scripted(order: Order, status: str | None, at: float) -> Order:
    """A scenario's `order_status`, applied when it changes: a constant one sets the scene once, and later
    calls (a refund after "already paid") move the order on as usual."""
    if status is None or status == order.scripted_status:
        return order
    order = with_status(order._replace(scripted_status=status), at, status, "scenario")
    if status in PAID_STATUSES and order.paid_at is None:
        order = order._replace(paid_at=at)
    return order


def latest_event(order: Order) -> Event | None:
    """What the order's notification says now: its latest successful refund, or its payment."""
    if order.status not in PAID_STATUSES:
        return None
    settled = [refund for refund in order.refunds if refund.status == "SUCCESS"]
    return Event("refund", order, settled[-1]) if settled else Event("payment", order)

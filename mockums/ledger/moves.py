"""The moves of an order's lifecycle, as pure functions from an order to a new order (and the events a
notification reports). Nothing here keeps or changes anything: `Ledger` applies them through the order
repository's atomic update."""

from __future__ import annotations

from mockums.ledger.calls import Event
from mockums.ledger.model import Order, Refund, shared
from mockums.limits import HISTORY_CAP
from mockums.protocol.statuses import OPEN_STATUSES, PAID_STATUSES, TRADE_CLOSED, TRADE_REFUND, TRADE_SUCCESS

NO_EVENTS: tuple[Event, ...] = ()


def noted(order: Order, at: float, text: str) -> Order:
    """The order with one more history line (the oldest dropped beyond HISTORY_CAP)."""
    return order._replace(notes=(*order.notes[-2 * HISTORY_CAP + 2:], at, shared(text)))


def with_status(order: Order, at: float, status: str, why: str) -> Order:
    """The order in `status`, the change noted with its reason (unchanged when already there)."""
    if status == order.status:
        return order
    text = shared(f"{order.status} -> {status} ({why})")
    return order._replace(status=status, notes=(*order.notes[-2 * HISTORY_CAP + 2:], at, text))


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
    due = order.pay_due_at
    if due is not None and due <= now and due < order.expire_at:
        order, events = pay(order, due, f"paid {order.pay_plan.seconds:g} s after creation (scenario)")
    order = expire_if_due(order, now)
    for refund in order.refunds:
        if refund.status == "PROCESSING" and refund.settle_at is not None and refund.settle_at <= now:
            order, event = settle(order, refund, refund.settle_at)
            events = (*events, event)
    return order, events


def next_due(order: Order) -> float | None:
    """When time will next change the order by itself (a timed payment, a refund settling); None: never."""
    due = order.pay_due_at
    for refund in order.refunds:
        if refund.status == "PROCESSING" and refund.settle_at is not None:
            due = refund.settle_at if due is None else min(due, refund.settle_at)
    return due


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

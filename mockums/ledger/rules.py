"""The business rules behind the netpay endpoints. Pure: no HTTP, no clock of its own.

`Ledger.perform` takes a validated request (`Call`) and returns an `Outcome`: the result code and
message, the order it concerns, the values the answer shows, and the events (payment, refund) that
send notifications. Time-driven moves (timed payments, refund settlement, expiry) happen in
`catch_up` and `tick`, at whatever time the caller's clock says.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from mockums.clock import epoch_of
from mockums.ledger import answers
from mockums.ledger.generate import Generator
from mockums.ledger.model import AT_ONCE, NEVER, Order, Refund, shared
from mockums.ledger.plans import NO_LIFECYCLE, Lifecycle
from mockums.ledger.store import OrderStore
from mockums.protocol.business_errors import SITUATIONS, default_message
from mockums.protocol.endpoints import EndpointSpec
from mockums.protocol.fields import coerce_amount
from mockums.protocol.limits import ORDER_EXPIRY_SECONDS, REFUNDS_PER_ORDER
from mockums.protocol.statuses import OPEN_STATUSES, PAID_STATUSES
from mockums.protocol.wallets import WALLETS


@dataclass(frozen=True)
class Event:
    """Something a notification reports: an order paid, or one of its refunds settled."""

    kind: Literal["payment", "refund"]
    order: Order
    refund: Refund | None = None


@dataclass(slots=True)  # one or more per request, treated as immutable; frozen would cost ~0.7 µs each
class Call:
    """One validated request, in its context."""

    spec: EndpointSpec
    body: Mapping[str, object]
    now: float
    app_id: str | None = None
    # Why an order never created may be taken to exist ("scenario X speaks for this merOrderId",
    # "assume_orders is on"); None: it answers NO_ORDER, as the gateway does.
    implied_by: str | None = None
    status: str | None = None  # a scenario's order_status: the order is put in this state first
    lifecycle: Lifecycle | None = None
    base_url: str = ""  # where the buyer's browser reaches the sandbox (a QR code's billQRCode)


@dataclass(slots=True)  # one or more per request, treated as immutable; frozen would cost ~0.7 µs each
class Outcome:
    """What the ledger decided: errCode and errMsg, the order concerned, the values to show, events."""

    err_code: str
    err_msg: str
    order: Order | None = None
    values: Mapping[str, object] = field(default_factory=dict)
    events: tuple[Event, ...] = ()


def failure(err_code: str, err_msg: str | None = None, order: Order | None = None,
            values: Mapping[str, object] | None = None) -> Outcome:
    """A refusal with the catalogue's message for `err_code` unless another is given."""
    return Outcome(err_code, default_message(err_code) if err_msg is None else err_msg, order, values or {})


def situation(name: str, order: Order | None = None, values: Mapping[str, object] | None = None,
              events: tuple[Event, ...] = (), **details: object) -> Outcome:
    """The answer the catalogue names for one situation (`protocol.business_errors.SITUATIONS`)."""
    known = SITUATIONS[name]
    return Outcome(known.err_code, known.text(**details), order, values or {}, events)


def _text(body: Mapping[str, object], name: str) -> str | None:
    value = body.get(name)
    return str(value) if value not in (None, "") else None


class Ledger:
    """The order store plus the rules that move orders through their lifecycle."""

    def __init__(self, orders: OrderStore, generator: Generator, refunds_per_order: int = REFUNDS_PER_ORDER) -> None:
        self.orders = orders
        self.generator = generator
        self.refunds_per_order = refunds_per_order
        self._timed: set[tuple[str, str]] = set()  # orders with a payment or refund due at a time
        self._rules: dict[str, Callable[[Call], Outcome]] = {
            "create": self.create, "query": self.query, "close": self.close, "refund": self.refund,
            "refund_query": self.refund_query}

    def perform(self, call: Call) -> Outcome:
        """Apply the endpoint's rule to the request."""
        return self._rules[call.spec.action](call)

    def describe(self, order: Order, *, close: bool = False) -> dict[str, object]:
        """The order's fields as answers and notifications show them."""
        return answers.describe(order, self.generator, close=close)

    # -- finding orders ----------------------------------------------------------------------

    def _find(self, call: Call) -> tuple[Order | None, list[Event]]:
        """The order the request names, caught up with time. One never created exists only when
        something implies it (a scenario that speaks for its merOrderId, or `assume_orders`): then
        it is taken to exist, unpaid; otherwise there is none and the rule answers NO_ORDER."""
        body = call.body
        mid, mer_order_id = str(body["mid"]), _text(body, "merOrderId")
        order = self.orders.get(mid, mer_order_id) if mer_order_id else None
        target = _text(body, "targetOrderId")
        if order is None and target:
            found = self.orders.by_target_order_id(target)
            order = found if found is not None and found.mid == mid else None
        if order is None and mer_order_id and call.implied_by is not None:
            order = self._new_order(call, mid, mer_order_id, assumed=True)
            order.record(call.now, f"taken to exist, unpaid, never created here: {call.implied_by}")
            if order.pay_plan.mode == "immediately":  # in its world the order was created, so paid at once
                order.mark_paid(call.now, "paid at once (scenario)")
        if order is None:
            return None, []
        events = self.catch_up(order, call.now)
        # A scenario's status is applied when it changes, so a constant `order_status` sets the
        # scene once and later calls (a refund after "already paid") move the order on as usual.
        if call.status is not None and call.status != order.scripted_status:
            order.scripted_status = call.status
            order.set_status(call.now, call.status, "scenario")
            if call.status in PAID_STATUSES and order.paid_at is None:
                order.paid_at = call.now
        return order, events

    def _new_order(self, call: Call, mid: str, mer_order_id: str, *, assumed: bool) -> Order:
        wallet = WALLETS[call.spec.channel or "WXPay"]
        values = self.generator.order_values(mid, mer_order_id, wallet, call.now)
        body = call.body
        amount = coerce_amount(body.get("totalAmount")) if not assumed else None
        lifecycle = call.lifecycle or NO_LIFECYCLE
        expire_at = call.now + ORDER_EXPIRY_SECONDS
        expire_time = None if assumed else _text(body, "expireTime")
        expires = epoch_of(expire_time) if expire_time else None
        if expires is not None:
            expire_at = expires
        if lifecycle.expire_after is not None:
            expire_at = call.now + lifecycle.expire_after
        notify_url = _text(body, "notifyUrl")
        # Positionally, in the fields' order: a keyword call costs about 0.7 µs more, on every new order.
        order = Order(
            shared(mid),  # mid
            mer_order_id,
            wallet.initial_status,  # status
            amount if amount is not None else int(str(values["totalAmount"])),  # total_amount
            self.generator.seed,  # seed
            str(values["targetOrderId"]),  # target_order_id
            call.now,  # created_at
            expire_at,
            shared(call.app_id) if call.app_id else call.app_id,  # app_id
            shared(_text(body, "instMid") or ""),  # inst_mid
            shared(_text(body, "tid") or ""),  # tid
            wallet.target_sys,
            shared(notify_url) if notify_url else None,  # notify_url
            _text(body, "attachedData"),  # attached_data
            _text(body, "orderDesc"),  # order_desc
            assumed,
            None,  # paid_at
            0,  # queries
            lifecycle.pay or NEVER,  # pay_plan
            lifecycle.refund or AT_ONCE,  # refund_plan
            call.lifecycle,  # lifecycle
        )
        self.orders.add(order)
        if order.pay_due_at is not None:
            self._timed.add(order.key)
        return order

    # -- time ----------------------------------------------------------------------------------

    def catch_up(self, order: Order, now: float) -> list[Event]:
        """Apply what time has done to an order: a payment that fell due, expiry, refunds settled."""
        events: list[Event] = []
        due = order.pay_due_at
        if due is not None and due <= now and due < order.expire_at:
            events += self.pay(order, due, f"paid {order.pay_plan.seconds:g} s after creation (scenario)")
        order.expire_if_due(now)
        if order.refunds:
            for refund in order.refunds.values():
                if refund.status == "PROCESSING" and refund.settle_at is not None and refund.settle_at <= now:
                    events += self._settle(order, refund, refund.settle_at)
        if order.pay_due_at is None and not (order.refunds and any(
            r.settle_at and r.status == "PROCESSING" for r in order.refunds.values()
        )):
            self._timed.discard(order.key)
        return events

    def forget_timers(self) -> None:
        """Drop every timed plan (after a reset)."""
        self._timed.clear()

    def tick(self, now: float) -> list[Event]:
        """Everything due by `now` across all orders with a timed plan."""
        events: list[Event] = []
        for key in list(self._timed):
            order = self.orders.get(*key)
            if order is None:
                self._timed.discard(key)
                continue
            events += self.catch_up(order, now)
        return events

    def pay(self, order: Order, now: float, why: str) -> list[Event]:
        """The customer pays an open order (nothing happens to one that is not open)."""
        if order.status not in OPEN_STATUSES:
            return []
        order.mark_paid(now, why)
        return [Event("payment", order)]

    def pay_now(self, order: Order, now: float, why: str) -> tuple[list[Event], bool]:
        """Catch the order up with time, then pay it: (events, whether it was payable)."""
        events = self.catch_up(order, now)
        paid = self.pay(order, now, why)
        return events + paid, bool(paid)

    @staticmethod
    def latest_event(order: Order) -> Event | None:
        """What the order's notification says now: its latest successful refund, or its payment."""
        if order.status not in PAID_STATUSES:
            return None
        settled = [refund for refund in order.refunds.values() if refund.status == "SUCCESS"]
        return Event("refund", order, settled[-1]) if settled else Event("payment", order)

    def _settle(self, order: Order, refund: Refund, now: float) -> list[Event]:
        refund.status, refund.settled_at, refund.settle_at = "SUCCESS", now, None
        order.set_status(now, "TRADE_REFUND", f"refund {refund.refund_order_id} succeeded")
        return [Event("refund", order, refund)]

    # -- rules ---------------------------------------------------------------------------------

    def create(self, call: Call) -> Outcome:
        """A new order; DUP_ORDER when (mid, merOrderId) is taken by a real one."""
        mid, mer_order_id = str(call.body["mid"]), str(call.body["merOrderId"])
        existing = self.orders.get(mid, mer_order_id)
        # An order mockums only took to exist (a query or close came first) and that nothing
        # has happened to is not a real one: creating it is not a duplicate.
        if existing is not None and not (existing.assumed and existing.status in OPEN_STATUSES
                                         and existing.paid_at is None and not existing.refunds):
            return failure("DUP_ORDER")
        order = self._new_order(call, mid, mer_order_id, assumed=False)
        order.record(call.now, f"created by {call.spec.path} ({order.total_amount} fen)")
        pay_values = answers.pay_request(order, self.generator, call.spec.path, _text(call.body, "subAppId"),
                                         call.now)
        values = {**answers.describe(order, self.generator, created=True), **pay_values}
        events: list[Event] = []
        if order.pay_plan.mode in ("immediately", "twice"):  # a second payment only exists for QR bills
            events = self.pay(order, call.now, "paid at once (scenario)")
        return Outcome("SUCCESS", "", order, values, tuple(events))

    def query(self, call: Call) -> Outcome:
        """The order as it stands; a query may be what pays it (`pay: {after_queries: N}`)."""
        order, events = self._find(call)
        if order is None:
            return failure("NO_ORDER")
        order.queries += 1
        values = self.describe(order)
        unpaid = WALLETS[order.target_sys].unpaid_query_situation if order.status == "NEW_ORDER" else None
        message = SITUATIONS[unpaid].text() if unpaid else ""  # the wallet knows no trade yet
        plan = order.pay_plan
        if plan.mode == "after_queries" and order.queries >= plan.count:
            events += self.pay(order, call.now, f"paid after {order.queries} queries (scenario)")
        return Outcome("SUCCESS", message, order, values, tuple(events))

    def close(self, call: Call) -> Outcome:
        """Close an open order; a closed one is not allowed, a paid one is the wallet's refusal."""
        order, found_events = self._find(call)
        if order is None:
            return failure("NO_ORDER")
        events = tuple(found_events)
        if order.status in OPEN_STATUSES:
            order.set_status(call.now, "TRADE_CLOSED", "closed by request")
            return Outcome("SUCCESS", "", order, self.describe(order, close=True), events)
        if order.status == "TRADE_CLOSED":
            return situation("order_closed", order, self.describe(order, close=True), events)
        # Unconfirmed: WeChat answers ORDERPAID to closing a paid order; ChinaUMS is assumed to pass it
        # through as TARGET_FAIL. A scenario can answer otherwise.
        values = {**self.describe(order, close=True), "targetStatus": "FAIL|ORDERPAID"}
        return situation("close_paid", order, values, events)

    def refund(self, call: Call) -> Outcome:
        """A refund of a paid order, idempotent per refundOrderId, never above what is left."""
        order, events = self._find(call)
        if order is None:
            return failure("NO_ORDER")
        body = call.body
        refund_id = _text(body, "refundOrderId")
        existing = order.refunds.get(refund_id) if refund_id else None
        amount = coerce_amount(body.get("refundAmount")) or 0
        if existing is not None and existing.amount != amount:  # the id names another refund: refused (ours)
            return situation("refund_id_reused", order, self.describe(order), tuple(events),
                             refund_order_id=existing.refund_order_id, amount=existing.amount)
        if existing is not None:  # idempotent: the same refundOrderId answers the refund already made
            return Outcome("SUCCESS", "", order, self._describe_refund(order, existing), tuple(events))
        if order.status == "TRADE_CLOSED":
            return situation("order_closed", order, self.describe(order))
        if order.status not in PAID_STATUSES:
            return situation("refund_unpaid", order, self.describe(order))
        if amount > order.refundable:
            return situation("refund_too_much", order, self.describe(order), refundable=order.refundable)
        if len(order.refunds) >= self.refunds_per_order:
            return situation("refund_count", order, self.describe(order), cap=self.refunds_per_order)
        fake = self.generator.faker_for("refund", order.mid, order.mer_order_id, len(order.refunds))
        refund_id = refund_id or f"{order.mer_order_id[:4]}{fake.numerify('#' * 16)}R"
        plan = order.refund_plan
        shape = WALLETS[order.target_sys].refund_target_order_id  # None: the trade's own id
        target = (self.generator.wallet_id(shape.text, call.now, "refund", order.mid, order.mer_order_id, refund_id)
                  if shape else order.target_order_id)
        refund = Refund(refund_id, amount, plan.status, target, call.now,
                        settle_after_queries=plan.settle_after_queries)
        if plan.status == "PROCESSING" and plan.settle_after_seconds is not None:
            refund.settle_at = call.now + plan.settle_after_seconds
            self._timed.add(order.key)
        order.add_refund(refund)
        self.orders.add(order)  # weighed again: refunds count against the store's refund cap
        order.record(call.now, f"refund {refund_id} of {amount} fen: {plan.status}")
        if plan.status == "SUCCESS":
            events += self._settle(order, refund, call.now)
        return Outcome("SUCCESS", "", order, self._describe_refund(order, refund), tuple(events))

    def refund_query(self, call: Call) -> Outcome:
        """One refund (the named one, else the latest); a query may be what settles it."""
        order, events = self._find(call)
        if order is None:
            return failure("NO_ORDER")
        refund_id = _text(call.body, "refundOrderId")
        refund = order.refunds.get(refund_id) if refund_id else next(reversed(list(order.refunds.values())), None)
        if refund is None:
            return situation("no_refund")
        refund.queries += 1
        values = self._describe_refund(order, refund)
        if (
            refund.status == "PROCESSING"
            and refund.settle_after_queries
            and refund.queries >= refund.settle_after_queries
        ):
            events += self._settle(order, refund, call.now)
        return Outcome("SUCCESS", "", order, values, tuple(events))

    def _describe_refund(self, order: Order, refund: Refund) -> dict[str, object]:
        return answers.describe_refund(order, refund, self.generator)


def render(spec: EndpointSpec, request: Mapping[str, object], result: Outcome, now: float) -> dict[str, object]:
    """The JSON answer for an outcome; without an order, an error answer carries only the echo fields."""
    full = result.err_code == "SUCCESS" or result.order is not None
    return answers.render_answer(spec, request, result.err_code, result.err_msg, result.values, full, now)

"""The rules of the netpay endpoints (create, query, close, refund, refund query), as steps the ledger
applies to the order a request names. Pure: no HTTP, time given in."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from mockums.config import App
from mockums.ledger import moves
from mockums.ledger.calls import Call, Event, Outcome
from mockums.ledger.ledger import Ledger, text
from mockums.ledger.model import Order, Refund
from mockums.lines.line import Book, Services
from mockums.lines.netpay import answers, division, guarantee, notification
from mockums.lines.netpay.errors import SITUATIONS, VOCABULARY
from mockums.lines.netpay.pay_requests import PAY_REQUESTS
from mockums.notify.note import Notification
from mockums.protocol.fields import coerce_amount
from mockums.protocol.statuses import NEW_ORDER, OPEN_STATUSES, PAID_STATUSES, TRADE_CLOSED
from mockums.protocol.wallets import WALLETS

LINE = "netpay"


def said(name: str, order: Order | None = None, values: Mapping[str, object] | None = None,
         events: tuple[Event, ...] = (), **details: object) -> Outcome:
    """The answer the catalogue names for one situation (`errors.SITUATIONS`)."""
    known = SITUATIONS[name]
    return Outcome(known.err_code, known.text(**details), order, values or {}, events)


def refused(refusal: division.Refusal, order: Order | None = None,
            values: Mapping[str, object] | None = None) -> Outcome:
    """The answer to a split the division rules refuse (`division.Refusal`), from the catalogue."""
    known = SITUATIONS[refusal.situation]
    return Outcome(known.err_code, known.text(**refusal.details), order, values or {})


def no_order() -> Outcome:
    """NO_ORDER, as the gateway answers for an order it does not know."""
    return Outcome("NO_ORDER", VOCABULARY.message("NO_ORDER"))


class NetpayRules(Book):
    """The netpay endpoints' rules over the order ledger; `line` is the name orders it creates carry."""

    def __init__(self, services: Services, line: str = LINE) -> None:
        self.services = services
        self.ledger: Ledger = services.ledger
        self.generator = services.generator
        self.line = line
        self._rules: dict[str, Callable[[Call], Outcome]] = {
            "create": self.create, "query": self.query, "close": self.close, "refund": self.refund,
            "refund_query": self.refund_query, "secure_complete": self.secure_complete,
            "secure_cancel": self.secure_cancel, "sub_orders_confirm": self.sub_orders_confirm}

    def perform(self, call: Call) -> Outcome:
        return self._rules[call.spec.action](call)

    def notification(self, event: Event, app: App, now: float) -> Notification | None:
        return notification.build(event, self.generator, app, now)

    # -- the rules -----------------------------------------------------------------------------

    def create(self, call: Call) -> Outcome:
        """A new order, split as the request asks (`division`); DUP_ORDER when (mid, merOrderId) is taken by a
        real one."""
        split = division.split_of(call.body, coerce_amount(call.body.get("totalAmount")) or 0)
        if isinstance(split, division.Refusal):
            return refused(split)

        def amend(order: Order) -> Order:  # what the request asks of the order besides the table's fields
            return division.with_split(guarantee.opened(order, call.body), split, call.now)

        made = self.ledger.create(call, self.line, amend=amend)
        if made is None:
            return Outcome("DUP_ORDER", VOCABULARY.message("DUP_ORDER"))
        order, events = made
        values = answers.describe(order, self.generator, created=True)
        pay_request = PAY_REQUESTS.get(call.spec.path)
        if pay_request is not None:
            values |= pay_request(order, self.generator, text(call.body, "subAppId"), call.now, call.base_url)
        return Outcome("SUCCESS", "", order, values, events)

    def query(self, call: Call) -> Outcome:
        """The order as it stands; a query may be what pays it (`pay: {after_queries: N}`)."""
        return self.ledger.act(call, self.line, self._query) or no_order()

    def _query(self, order: Order, call: Call) -> tuple[Order, Outcome]:
        order = order._replace(queries=order.queries + 1)
        values = answers.describe(order, self.generator) | division.split_values(order)
        unpaid = WALLETS[order.target_sys].unpaid_query_situation if order.status == NEW_ORDER else None
        message = SITUATIONS[unpaid].text() if unpaid else ""  # the wallet knows no trade yet
        events: tuple[Event, ...] = ()
        plan = order.pay_plan
        if plan.mode == "after_queries" and order.queries >= plan.count:
            order, events = moves.pay(order, call.now, f"paid after {order.queries} queries (scenario)")
        return order, Outcome("SUCCESS", message, order, values, events)

    def close(self, call: Call) -> Outcome:
        """Close an open order; a closed one is not allowed, a paid one is the wallet's refusal."""
        return self.ledger.act(call, self.line, self._close) or no_order()

    def _close(self, order: Order, call: Call) -> tuple[Order, Outcome]:
        if order.status in OPEN_STATUSES:
            order = moves.with_status(order, call.now, TRADE_CLOSED, "closed by request")
            return order, Outcome("SUCCESS", "", order, answers.describe(order, self.generator, close=True))
        values = answers.describe(order, self.generator, close=True)
        if order.status == TRADE_CLOSED:
            return order, said("order_closed", order, values)
        # Unconfirmed: WeChat answers ORDERPAID to closing a paid order; ChinaUMS is assumed to pass it
        # through as TARGET_FAIL. A scenario can answer otherwise.
        return order, said("close_paid", order, {**values, "targetStatus": "FAIL|ORDERPAID"})

    def refund(self, call: Call) -> Outcome:
        """A refund of a paid order, idempotent per refundOrderId, never above what is left."""
        return self.ledger.act(call, self.line, self._refund) or no_order()

    def _refund(self, order: Order, call: Call) -> tuple[Order, Outcome]:
        body = call.body
        refund_id = text(body, "refundOrderId")
        existing = order.refund(refund_id) if refund_id else None
        amount = coerce_amount(body.get("refundAmount")) or 0
        if existing is not None and existing.amount != amount:  # the id names another refund: refused (ours)
            return order, said("refund_id_reused", order, answers.describe(order, self.generator),
                               refund_order_id=existing.refund_order_id, amount=existing.amount)
        if existing is not None:  # idempotent: the same refundOrderId answers the refund already made
            return order, Outcome("SUCCESS", "", order, self._describe_refund(order, existing))
        refusal = self._refusal(order, amount)
        if refusal is not None:
            return order, refusal
        split = division.refund_split(order, body, amount)
        if isinstance(split, division.Refusal):
            return order, refused(split, order, answers.describe(order, self.generator))
        fake = self.generator.faker_for("refund", order.mid, order.mer_order_id, len(order.refunds))
        refund_id = refund_id or f"{order.mer_order_id[:4]}{fake.numerify('#' * 16)}R"
        plan = order.refund_plan
        shape = WALLETS[order.target_sys].refund_target_order_id  # None: the trade's own id
        target = (self.generator.wallet_id(shape.text, call.now, "refund", order.mid, order.mer_order_id, refund_id)
                  if shape else order.target_order_id)
        settle_at = (call.now + plan.settle_after_seconds
                     if plan.status == "PROCESSING" and plan.settle_after_seconds is not None else None)
        refund = Refund(refund_id, amount, plan.status, target, call.now,
                        settle_after_queries=plan.settle_after_queries, settle_at=settle_at)
        order = moves.noted(moves.with_refund(order, refund), call.now,
                            f"refund {refund_id} of {amount} fen: {plan.status}")
        if split is not None:
            order = division.with_split_refund(order, split._replace(refund_order_id=refund_id), call.now)
        events: tuple[Event, ...] = ()
        if plan.status == "SUCCESS":
            order, event = moves.settle(order, refund, call.now)
            events = (event,)
            refund = event.refund or refund
        return order, Outcome("SUCCESS", "", order, self._describe_refund(order, refund), events)

    def _refusal(self, order: Order, amount: int) -> Outcome | None:
        """Why an order cannot take a new refund of `amount` (closed, unpaid, more than is left, too many
        refunds), or None."""
        if order.status == TRADE_CLOSED:
            return said("order_closed", order, answers.describe(order, self.generator))
        if order.status not in PAID_STATUSES:
            return said("refund_unpaid", order, answers.describe(order, self.generator))
        held = guarantee.refund_refusal(order)
        if held is not None:
            return said(held, order, answers.describe(order, self.generator))
        if amount > order.refundable:
            return said("refund_too_much", order, answers.describe(order, self.generator),
                        refundable=order.refundable)
        if len(order.refunds) >= self.ledger.refunds_per_order:
            return said("refund_count", order, answers.describe(order, self.generator),
                        cap=self.ledger.refunds_per_order)
        return None

    def refund_query(self, call: Call) -> Outcome:
        """One refund (the named one, else the latest); a query may be what settles it."""
        return self.ledger.act(call, self.line, self._refund_query) or no_order()

    def _refund_query(self, order: Order, call: Call) -> tuple[Order, Outcome]:
        refund_id = text(call.body, "refundOrderId")
        refund = order.refund(refund_id) if refund_id else (order.refunds[-1] if order.refunds else None)
        if refund is None:
            return order, said("no_refund")
        refund = refund._replace(queries=refund.queries + 1)
        order = moves.with_refund(order, refund)
        values = self._describe_refund(order, refund)
        events: tuple[Event, ...] = ()
        if refund.status == "PROCESSING" and refund.settle_after_queries and \
                refund.queries >= refund.settle_after_queries:
            order, event = moves.settle(order, refund, call.now)
            events = (event,)
        return order, Outcome("SUCCESS", "", order, values, events)

    def secure_complete(self, call: Call) -> Outcome:
        """Complete a paid guarantee order, in part or in full (`guarantee.complete`)."""
        return self.ledger.act(call, self.line, self._secure_complete) or no_order()

    def _secure_complete(self, order: Order, call: Call) -> tuple[Order, Outcome]:
        return guarantee.complete(order, call, self.generator)

    def secure_cancel(self, call: Call) -> Outcome:
        """Cancel a paid guarantee order (`guarantee.cancel`)."""
        return self.ledger.act(call, self.line, self._secure_cancel) or no_order()

    def _secure_cancel(self, order: Order, call: Call) -> tuple[Order, Outcome]:
        return guarantee.cancel(order, call, self.generator)

    def sub_orders_confirm(self, call: Call) -> Outcome:
        """Confirm an asynchronous split (`division.confirm`): once, and never after a refund."""
        return self.ledger.act(call, self.line, self._sub_orders_confirm) or no_order()

    def _sub_orders_confirm(self, order: Order, call: Call) -> tuple[Order, Outcome]:
        confirmed = division.confirm(order, call.body, call.now)
        if isinstance(confirmed, division.Refusal):
            return order, refused(confirmed, order)
        order = division.with_split(order, confirmed, call.now)
        return order, Outcome("SUCCESS", "", order, {"merOrderId": order.mer_order_id,
                                                      "asynDivisionStatus": "success", "asynDivisionMsg": ""})

    def _describe_refund(self, order: Order, refund: Refund) -> dict[str, object]:
        return answers.describe_refund(order, refund, self.generator)

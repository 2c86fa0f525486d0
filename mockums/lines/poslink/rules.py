"""POS link's rules: pay by the customer's payment code, query, void and reverse on the payment's day, refund within
30 days, query a refund, activate a terminal. Every time is the sandbox clock's; every change is one atomic update of
the payment's order in the ledger, its POS-link facts kept in the order (`store`) and changed within it.

A payment is a ledger order under (merchantCode, merchantOrderId), its UMS orderId kept as the order's
targetOrderId (so originalOrderId finds it), its line `poslink`: the journal, the control API and the dashboard show
it as any order. It sends no notification (POS link has none: clients poll query).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from mockums.clock import beijing_date
from mockums.ledger import moves
from mockums.ledger.calls import Call, Outcome
from mockums.ledger.ledger import text
from mockums.ledger.model import NEVER, Order, OrderKey, Refund, shared
from mockums.limits import ORDER_EXPIRY_SECONDS
from mockums.lines.line import Services
from mockums.lines.poslink import answers
from mockums.lines.poslink.cases import case_of
from mockums.lines.poslink.deviations import read_as_table
from mockums.lines.poslink.store import PosFacts, facts_of, with_facts
from mockums.lines.poslink.vocabulary import CATALOGUE, SITUATIONS
from mockums.lines.poslink.wallets import wallet_of
from mockums.protocol.fields import coerce_amount
from mockums.protocol.statuses import TRADE_CLOSED, TRADE_REFUND, TRADE_SUCCESS, WAIT_BUYER_PAY
from mockums.protocol.wallets import WALLETS

LINE = "poslink"
REFUND_DAYS = 30  # refunds work up to 30 days after the payment [S: DOC-POS]
CANCELLED = "用户取消支付"  # why a paying payment that fails failed (ours)
Rule = Callable[[Call], Outcome]
Step = Callable[[Order, PosFacts | None], tuple[Order, PosFacts | None, Outcome]]


def said(name: str, order: Order | None = None, values: Mapping[str, object] | None = None,
         **details: object) -> Outcome:
    """The answer in one of the line's situations."""
    known = SITUATIONS[name]
    return Outcome(known.err_code, known.text(**details), order, values or {})


class PosRules:
    """The rules of every POS-link endpoint, by action."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.ledger = services.ledger
        self.generator = services.generator
        self.rules: Mapping[str, Rule] = {
            "pos_pay": self.pay, "pos_query": self.query, "pos_void": self.void, "pos_reverse": self.reverse,
            "pos_refund": self.refund, "pos_refund_query": self.refund_query, "pos_activate": self.activate}

    # -- finding the payment --------------------------------------------------------------------

    def locate(self, body: Mapping[str, object], merchant_first: bool) -> OrderKey | None:
        """The payment a request names: by merchantOrderId or by originalOrderId (the UMS orderId), the one
        `merchant_first` says first; the other only when the first is not sent."""
        mid = str(body["merchantCode"])
        by_merchant, by_ums = text(body, "merchantOrderId"), text(body, "originalOrderId")
        if by_ums and not (merchant_first and by_merchant):
            key = self.ledger.orders.key_of_target(by_ums)
            return key if key is not None and key[0] == mid else None
        return (mid, by_merchant) if by_merchant and self.ledger.order(mid, by_merchant) is not None else None

    def act(self, call: Call, merchant_first: bool, step: Step) -> Outcome:
        """Apply `step` to the payment the request names, caught up with sandbox time (a password plan due) and put
        in a scenario's order_status first; 25 when there is none and nothing implies one."""
        body = call.body
        key = self.locate(body, merchant_first)
        if key is None and call.implied_by is not None and text(body, "merchantOrderId"):
            key = (str(body["merchantCode"]), str(body["merchantOrderId"]))
        if key is None:
            return said("not_found")

        # Free of side effects (a shared store may run it again, from the payment as another process left it).
        def apply(old: Order | None) -> tuple[Order | None, Outcome]:
            order = old if old is not None else self.implied(call, key)
            order, facts = self.settle(order, facts_of(order), call.now, counted=False)
            order = moves.scripted(order, call.status, call.now)
            order, facts, outcome = step(order, facts)
            return with_facts(order, facts), outcome

        return self.ledger.change(key, apply)

    def implied(self, call: Call, key: OrderKey) -> Order:
        """A payment never made here that a scenario (or assume_orders) speaks for: paid at once, by WeChat."""
        said_amount = call.implied.total_amount if call.implied is not None else None
        order = self.new(call, key, "WXPay", said_amount, TRADE_SUCCESS, f"taken to exist: {call.implied_by}")
        return order._replace(assumed=True)

    def new(self, call: Call, key: OrderKey, target_sys: str, amount: int | None, status: str, made: str) -> Order:
        """A payment as an order of the ledger."""
        mid, merchant_order_id = key
        values = self.generator.order_values(mid, merchant_order_id, WALLETS[target_sys], call.now)
        total = amount if amount is not None else int(str(values["totalAmount"]))
        return Order(mid=shared(mid), mer_order_id=merchant_order_id, line=LINE, status=status, total_amount=total,
                     seed=self.generator.seed, target_order_id=answers.ums_id(self.generator, call.now, "order", *key),
                     created_at=call.now, expire_at=call.now + ORDER_EXPIRY_SECONDS,
                     app_id=shared(call.app_id) if call.app_id else None,
                     tid=shared(text(call.body, "terminalCode") or ""), target_sys=target_sys,
                     order_desc=text(call.body, "merchantRemark"),
                     paid_at=call.now if status in (TRADE_SUCCESS, TRADE_REFUND) else None, pay_plan=NEVER,
                     notes=(call.now, shared(made)))

    def settle(self, order: Order, facts: PosFacts | None, now: float,
               counted: bool) -> tuple[Order, PosFacts | None]:
        """A paying payment whose password plan is due, paid or failed; a query (`counted`) that finds it still
        paying is counted."""
        case = facts.case if facts is not None else None
        if facts is None or case is None or order.status != WAIT_BUYER_PAY:
            return order, facts
        due = (facts.paying_until is not None and now >= facts.paying_until) or (
            case.paying_queries is not None and counted and facts.queries >= case.paying_queries)
        if not due:
            return order, facts._replace(queries=facts.queries + 1) if counted else facts
        at = min(now, facts.paying_until) if facts.paying_until is not None else now
        if case.succeeds:
            paid, _ = moves.pay(order, at, "the customer entered the password")
            return paid, facts
        closed = moves.with_status(order, at, TRADE_CLOSED, f"the customer did not pay ({CANCELLED})")
        return closed, facts._replace(ending="failed", why=CANCELLED)

    # -- the rules -------------------------------------------------------------------------------

    def pay(self, call: Call) -> Outcome:
        body = read_as_table(call.spec.path, dict(call.body))
        if body.get("payMode") != "CODE_SCAN":
            return said("pay_mode_unsupported", mode=body.get("payMode"))
        pay_code = str(body["payCode"])
        wallet = wallet_of(pay_code)
        if wallet is None:
            return said("pay_code_unknown", code=pay_code)
        case = case_of(pay_code)
        if case is not None and case.refuse is not None:
            return Outcome(case.refuse, f"{CATALOGUE[case.refuse]} (magic payment code: {case.describe})")
        key = (str(body["merchantCode"]), str(body["merchantOrderId"]))
        amount = coerce_amount(body.get("transactionAmount"))

        def apply(old: Order | None) -> tuple[Order | None, Outcome]:
            if old is not None:
                return old, said("duplicate", order_id=key[1])
            paying = case is not None and (case.paying_queries is not None or case.paying_seconds is not None)
            lost_unpaid = case is not None and case.fault is not None and not case.succeeds
            status = WAIT_BUYER_PAY if paying else TRADE_CLOSED if lost_unpaid else TRADE_SUCCESS
            made = f"paid by {call.spec.path} ({amount} fen, {wallet.third_party_name} {pay_code})"
            if case is not None:
                made += f"; magic payment code: {case.describe}"
            order = self.new(call, key, wallet.target_sys, amount, status, made)
            until = call.now + case.paying_seconds if case is not None and case.paying_seconds is not None else None
            order = with_facts(order, PosFacts(pay_code, "timeout" if lost_unpaid else None, "", until))
            return order, said("paying" if paying else "done", order, answers.paid(order, self.generator))

        return self.ledger.change(key, apply)

    def refused_pay(self, call: Call, outcome: Outcome) -> None:
        """A pay refused (by a scenario) as `outcome`: a payment made under its merchantOrderId, failed, so that a
        query reports the refusal; an existing payment is left alone."""
        body = read_as_table(call.spec.path, dict(call.body))
        key = (str(body["merchantCode"]), str(body["merchantOrderId"]))
        pay_code, amount = str(body.get("payCode", "")), coerce_amount(body.get("transactionAmount"))
        wallet = wallet_of(pay_code)
        why = f"{outcome.err_code} {outcome.err_msg}"

        def apply(old: Order | None) -> tuple[Order | None, None]:
            if old is not None:
                return old, None
            order = self.new(call, key, wallet.target_sys if wallet else "WXPay", amount, TRADE_CLOSED,
                             f"pay {call.spec.path} refused: {why}")
            return with_facts(order, PosFacts(pay_code, "failed", why, plays=False)), None

        self.ledger.change(key, apply)

    def query(self, call: Call) -> Outcome:
        def step(order: Order, facts: PosFacts | None) -> tuple[Order, PosFacts | None, Outcome]:
            order, facts = self.settle(order, facts, call.now, counted=True)
            return order, facts, said("found", order, answers.query(order, facts, self.generator))

        return self.act(call, True, step)

    def void(self, call: Call) -> Outcome:
        return self.act(call, False, self._undo(call, "voided", ("paid",)))

    def reverse(self, call: Call) -> Outcome:
        return self.act(call, False, self._undo(call, "reversed", ("paid", "paying", "timeout")))

    def _undo(self, call: Call, ending: str, allowed: tuple[str, ...]) -> Step:
        """Void or reverse: on the payment's own day, from one of the `allowed` states; the money goes back."""

        def step(order: Order, facts: PosFacts | None) -> tuple[Order, PosFacts | None, Outcome]:
            found = answers.state(order, facts)
            if found not in allowed:
                return order, facts, said("not_voidable", state=found)
            day = beijing_date(order.created_at)
            if day != beijing_date(call.now):
                return order, facts, said("not_same_day", day=day)
            closed = moves.with_status(order, call.now, TRADE_CLOSED, f"{ending} by {call.spec.path}")
            kept = (facts or PosFacts(""))._replace(ending=ending)
            values = {**answers.trade(closed, self.generator, call.now), "transactionAmount": order.total_amount}
            return closed, kept, said("done", closed, values)

        return step

    def refund(self, call: Call) -> Outcome:
        body = read_as_table(call.spec.path, dict(call.body))
        request_id, amount = str(body["refundRequestId"]), coerce_amount(body.get("transactionAmount")) or 0

        def step(order: Order, facts: PosFacts | None) -> tuple[Order, PosFacts | None, Outcome]:
            known = order.refund(request_id)
            if known is not None:  # a refund sent again: the same answer, no second refund
                if known.amount != amount:
                    return order, facts, said("refund_id_reused", request_id=request_id, amount=known.amount)
                return order, facts, said("done", order, answers.refunded(order, known, self.generator))
            found = answers.state(order, facts)
            if found not in ("paid", "refunded"):
                return order, facts, said("not_refundable", state=found)
            if call.now - (order.paid_at or order.created_at) > REFUND_DAYS * 86400:
                return order, facts, said("refund_too_late", days=REFUND_DAYS)
            if amount > order.refundable:
                return order, facts, said("refund_too_much", amount=amount, refundable=order.refundable)
            shape = WALLETS[order.target_sys].refund_target_order_id
            target = (self.generator.wallet_id(shape.text, call.now, "refund", *order.key, request_id) if shape
                      else order.target_order_id)
            refund = Refund(request_id, amount, "SUCCESS", target, call.now, call.now)
            order = moves.with_status(moves.with_refund(order, refund), call.now, TRADE_REFUND,
                                      f"refund {request_id} of {amount} fen")
            return order, facts, said("done", order, answers.refunded(order, refund, self.generator))

        return self.act(call, False, step)

    def refund_query(self, call: Call) -> Outcome:
        request_id = str(call.body["refundRequestId"])

        def step(order: Order, facts: PosFacts | None) -> tuple[Order, PosFacts | None, Outcome]:
            refund = order.refund(request_id)
            if refund is None:
                return order, facts, said("refund_not_found", request_id=request_id)
            return order, facts, said("found", order, answers.refund_found(order, refund, facts, self.generator))

        return self.act(call, True, step)

    def activate(self, call: Call) -> Outcome:
        return said("done")

"""The rules behind the QR-code bill endpoints (protocol-evidence §8). Pure: no HTTP, time given in.

Codes and bills are kept in the bill repository; each payment of a bill is an order of the ledger (keyed by
billNo + one digit), so payment plans, expiry, refunds and notifications work as for every other order.
Which errCode answers a duplicate billNo, an unknown bill, a closed code or an over-refund is ours
(`errors.BILL_SITUATIONS`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from mockums.ledger import moves
from mockums.ledger.calls import Call, Event, Outcome
from mockums.ledger.ledger import text
from mockums.ledger.model import Order
from mockums.lines.bills import answers as shown
from mockums.lines.bills.codes import configured, new_code_id
from mockums.lines.bills.endpoints import BILL_CODE_PATH, FIXED, ONE_TIME
from mockums.lines.bills.errors import VOCABULARY
from mockums.lines.bills.lookups import BillLookups
from mockums.lines.bills.model import Bill, QrCode
from mockums.lines.bills.payments import LINE, Payments
from mockums.lines.bills.preauth import PreauthRules
from mockums.lines.line import Services
from mockums.lines.netpay.rules import NetpayRules
from mockums.protocol.fields import coerce_amount, is_true
from mockums.protocol.statuses import OPEN_STATUSES, TRADE_CLOSED

DEFAULT_MSG_SRC_ID = "3194"  # the demo 来源编号, for ids the platform makes when no billNo shows the merchant's


def said(name: str, values: Mapping[str, object] | None = None, events: tuple[Event, ...] = (),
         order: Order | None = None, **details: object) -> Outcome:
    """The answer the vocabulary names for one situation."""
    known = VOCABULARY.situations[name]
    return Outcome(known.err_code, known.text(**details), order, values or {}, events)


def _bad(details: str) -> Outcome:
    return said("bad_request", details=details)


def _flag(body: Mapping[str, object], name: str) -> bool:
    return is_true(body.get(name))


def _amount(body: Mapping[str, object]) -> int | None:
    return coerce_amount(body.get("totalAmount")) if body.get("totalAmount") not in (None, "") else None


class BillRules:
    """The six bills endpoints' rules."""

    def __init__(self, services: Services, lookups: BillLookups) -> None:
        self.services = services
        self.ledger = services.ledger
        self.generator = services.generator
        self.lookups = lookups
        self.store = lookups.store
        self.payments = Payments(lookups, services.ledger)
        self.refunds = NetpayRules(services, LINE)  # a payment is refunded as any order is
        self.rules: dict[str, Callable[[Call], Outcome]] = {
            "bill_create": self.create, "bill_update": self.update, "bill_close": self.close,
            "bill_query": self.query, "bill_refund": self.refund, "bill_info": self.info,
            **PreauthRules(lookups, services.ledger).rules}

    def _code_values(self, code: QrCode, now: float) -> dict[str, object]:
        bill = self.lookups.current(code)
        return shown.code_values(code, bill, self.lookups.status(code, bill, now))

    def create(self, call: Call) -> Outcome:
        """get-qrcode: a one-time code (billNo, billDate, totalAmount) or a fixed one (with or without amount)."""
        body, mid = call.body, str(call.body["mid"])
        bill_no, bill_date, amount = text(body, "billNo"), text(body, "billDate"), _amount(body)
        if (bill_no is None) != (bill_date is None):
            return _bad("billNo, billDate: go together (both for a one-time code, neither for a fixed code)")
        if bill_no is not None and amount is None:
            return _bad("totalAmount: a one-time code (billNo and billDate) needs one")
        if bill_no is not None and self.store.bill((mid, bill_no)) is not None:
            return said("bill_exists", bill_no=bill_no)
        prefix = (bill_no or DEFAULT_MSG_SRC_ID)[:4]
        qr_code_id = text(body, "qrCodeId") or new_code_id(self.generator, mid, prefix, self.store.code_count(),
                                                            call.now)
        if self.store.code(qr_code_id) is not None:
            return said("bill_exists", bill_no=qr_code_id)
        code = QrCode(qr_code_id, mid, text(body, "tid") or "", text(body, "instMid") or "",
                      ONE_TIME if bill_no else FIXED, f"{call.base_url}{BILL_CODE_PATH}?id={qr_code_id}",
                      self.generator.merchant_name(mid, qr_code_id), call.now, None, call.app_id,
                      lifecycle=call.lifecycle)
        code = configured(code, body, call.lifecycle).noted(call.now, f"created by get-qrcode ({code.kind})")
        # Kept only if the id is still free: another process may have made a code under it since the look above.
        if self.store.update_code(qr_code_id, lambda old: code if old is None else old) is not code:
            return said("bill_exists", bill_no=qr_code_id)
        events: tuple[Event, ...] = ()
        if bill_no is not None and bill_date is not None and amount is not None:
            bill = Bill(bill_no, bill_date[:10], mid, qr_code_id, amount, call.now, text(body, "billDesc"),
                        preauth=_flag(body, "preauthTransaction"))
            events, problem = self.payments.bind(code, bill, call.spec, call.now)
            if problem is not None:
                self.store.update_code(qr_code_id, lambda _: None)
                return said("payment_ids_taken", events=events, bill_no=bill_no)
        code = self.store.code(qr_code_id) or code
        return said("qr_created", self._code_values(code, call.now), events)

    def update(self, call: Call) -> Outcome:
        """update-qrcode: bind a new bill to the code (the billNo must differ) and/or change its settings."""
        code, problem = self._live_code(call)
        if code is None:
            return problem
        body, bill = call.body, self.lookups.current(code)
        payments = self.lookups.payments(bill)
        if code.one_time and shown.paid_payment(payments) is not None:
            return said("bill_paid")
        bill_no, bill_date, amount = text(body, "billNo"), text(body, "billDate"), _amount(body)
        events: tuple[Event, ...] = ()
        code = configured(code, body, call.lifecycle)
        if bill_no is not None:
            if self.store.bill((code.mid, bill_no)) is not None:
                return said("bill_exists", bill_no=bill_no)
            if bill_date is None or (amount is None and code.amount is None):
                return _bad("billDate, totalAmount: a new billNo needs its billDate and an amount")
            for order in payments:  # the old bill is replaced before anyone paid it
                if order.status in OPEN_STATUSES:
                    self.ledger.change(order.key, _closed(call.now, f"bill replaced by {bill_no} (update-qrcode)"))
            if bill is not None:
                self.store.update_bill(bill.key, lambda old: replace(old, closed=True) if old is not None else None)
            self.store.update_code(code.qr_code_id, lambda _: code)
            new_bill = Bill(bill_no, bill_date[:10], code.mid, code.qr_code_id,
                            amount if amount is not None else code.amount or 0, call.now,
                            text(body, "billDesc") or code.bill_desc, preauth=_flag(body, "preauthTransaction"))
            events, trouble = self.payments.bind(code, new_bill, call.spec, call.now)
            if trouble is not None:
                return said("payment_ids_taken", events=events, bill_no=bill_no)
        code = (self.store.code(code.qr_code_id) or code) if bill_no is not None else code
        code = code.noted(call.now, "updated by update-qrcode")
        self.store.update_code(code.qr_code_id, lambda _: code)
        return said("qr_updated", self._code_values(code, call.now), events)

    def close(self, call: Call) -> Outcome:
        """close-qrcode: no more payments; attachRefund also refunds a paid one-time code in full."""
        code, problem = self._live_code(call, expired_ok=True)
        if code is None:
            return problem
        attach = _flag(call.body, "attachRefund")
        if attach and not code.one_time:
            return _bad("attachRefund: only a one-time code is closed with a refund")
        bill = self.lookups.current(code)
        payments, events = self.lookups.caught_up(bill, call.now)
        values: dict[str, object] = {}
        paid = shown.paid_payment(payments)
        if attach and paid is not None and paid.refundable > 0:
            body = {"mid": code.mid, "merOrderId": paid.mer_order_id, "refundAmount": paid.refundable}
            outcome = self.refunds.refund(Call(call.spec, body, call.now, call.app_id, lifecycle=call.lifecycle))
            events += outcome.events
            values = {key: outcome.values[key] for key in ("refundOrderId", "refundAmount", "refundStatus")
                      if key in outcome.values}
        closing = f"closed by close-qrcode{' with a refund' if values else ''}"
        code = replace(code, closed_at=call.now).noted(call.now, closing)
        self.store.update_code(code.qr_code_id, lambda _: code)
        for order in self.lookups.payments(bill):
            if order.status in OPEN_STATUSES:
                self.ledger.change(order.key, _closed(call.now, "its QR code was closed"))
        values |= {"qrCodeId": code.qr_code_id, "billStatus": self.lookups.status(code, bill, call.now)}
        if bill is not None:
            values["billNo"] = bill.bill_no
        return said("qr_closed", values, events)

    def query(self, call: Call) -> Outcome:
        """bills/query: the bill and its payment; a query may be what pays it (`pay: {after_queries: N}`)."""
        found = self._find(call)
        if isinstance(found, Outcome):
            return found
        code, bill, payments, events = found
        values = shown.bill_values(code, bill, payments, self.lookups.status(code, bill, call.now), self.generator)
        refund_id = text(call.body, "refundOrderId")
        if refund_id is not None:
            refunded = next(((order, refund) for order in payments
                             if (refund := order.refund(refund_id)) is not None), None)
            if refunded is None:
                return said("no_refund")
            values["refundBillPayment"] = shown.refund_bill_payment(*refunded, self.generator)
        latest = payments[-1] if payments else None
        if latest is not None:
            events += self.ledger.change(latest.key, _queried(call.now))
        return Outcome("SUCCESS", "", latest, values, events)

    def refund(self, call: Call) -> Outcome:
        """bills/refund: a refund of the bill's payment; refundOrderId is required from the second refund on."""
        found = self._find(call)
        if isinstance(found, Outcome):
            return found
        code, bill, payments, events = found
        named = text(call.body, "merOrderId")
        target = next((o for o in payments if o.mer_order_id == named), None) if named else None
        target = target or shown.paid_payment(payments)
        refund_id = text(call.body, "refundOrderId")
        if refund_id is None and any(order.refunds for order in payments):
            return _bad("refundOrderId: required for a second refund of a bill, and different each time")
        status = self.lookups.status
        if target is None:
            values = shown.bill_values(code, bill, payments, status(code, bill, call.now), self.generator)
            return said("refund_unpaid", values, events)
        body = {**call.body, "merOrderId": target.mer_order_id}
        outcome = self.refunds.refund(Call(call.spec, body, call.now, call.app_id, call.implied_by, call.status,
                                           call.lifecycle))
        payments = self.lookups.payments(bill)
        values = shown.bill_values(code, bill, payments, status(code, bill, call.now), self.generator)
        values |= {key: value for key, value in outcome.values.items()
                   if key.startswith("refund") or key in ("merOrderId", "targetSys")}
        return Outcome(outcome.err_code, outcome.err_msg, target, values, (*events, *outcome.events))

    def info(self, call: Call) -> Outcome:
        """query-qrcode-info: the code's static information."""
        code = self.store.code(str(call.body.get("qrCodeId")))
        if code is None or code.mid != call.body.get("mid"):
            return said("qr_unknown")
        return Outcome("SUCCESS", "", None, self._code_values(code, call.now))

    # -- helpers -------------------------------------------------------------------------------------

    def _live_code(self, call: Call, *, expired_ok: bool = False) -> tuple[QrCode | None, Outcome]:
        code = self.store.code(str(call.body.get("qrCodeId")))
        if code is None or code.mid != call.body.get("mid"):
            return None, said("qr_unknown")
        if code.closed_at is not None:
            return None, said("qr_gone", why="已关闭")
        if not expired_ok and not code.open_at(call.now):
            return None, said("qr_gone", why="已过期")
        return code, said("qr_unknown")

    def _find(self, call: Call) -> tuple[QrCode, Bill, list[Order], tuple[Event, ...]] | Outcome:
        body, mid = call.body, str(call.body["mid"])
        bill_no = text(body, "billNo")
        if bill_no is None:
            key = self.store.bill_of_payment(mid, text(body, "merOrderId") or "")
            bill_no = key[1] if key else None
        bill = self.store.bill((mid, bill_no)) if bill_no else None
        day = (text(body, "billDate") or "")[:10]
        code = self.store.code(bill.qr_code_id) if bill else None
        if bill is None or code is None or bill.bill_date != day:
            return said("bill_unknown")
        payments, events = self.lookups.caught_up(bill, call.now)
        if payments and call.status is not None:  # a scenario's order_status, applied to the latest payment
            self.ledger.change(payments[-1].key, _scripted(call.status, call.now))
            payments = self.lookups.payments(bill)
        return code, bill, payments, events


def _closed(now: float, why: str) -> Callable[[Order | None], tuple[Order | None, None]]:
    """The change that closes an open payment."""
    return lambda old: (moves.with_status(old, now, TRADE_CLOSED, why) if old is not None else None, None)


def _queried(now: float) -> Callable[[Order | None], tuple[Order | None, tuple[Event, ...]]]:
    """The change a bills query makes to the bill's latest payment: one more query, which may pay it."""

    def change(old: Order | None) -> tuple[Order | None, tuple[Event, ...]]:
        if old is None:
            return None, ()
        order = old._replace(queries=old.queries + 1)
        plan = order.pay_plan
        if plan.mode == "after_queries" and order.queries >= plan.count:
            return moves.pay(order, now, f"paid after {order.queries} bill queries (scenario)")
        return order, ()

    return change


def _scripted(status: str, now: float) -> Callable[[Order | None], tuple[Order | None, None]]:
    """The change a scenario's `order_status` makes to a bill's latest payment."""
    return lambda old: (moves.scripted(old, status, now) if old is not None else None, None)

"""The rules behind the QR-code bill endpoints (protocol-evidence §8). Pure: no HTTP, time given in.

Codes and bills are kept here; each payment of a bill is an order of the ledger (keyed by billNo + one
digit), so payment plans, expiry, refunds and notifications work as for every other order. Which errCode
answers a duplicate billNo, an unknown bill, a closed code or an over-refund is ours (`SITUATIONS`).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import replace

from mockums.ledger import bill_answers as shown
from mockums.ledger.bill_codes import configure, new_code_id, platform_bill
from mockums.ledger.bill_model import Bill, BillFacts, QrCode
from mockums.ledger.generate import Generator
from mockums.ledger.model import Order
from mockums.ledger.plans import Lifecycle, PayPlan
from mockums.ledger.rules import Call, Event, Ledger, Outcome, situation
from mockums.protocol.bills import BILL_CODE_PATH, BILL_SPECS
from mockums.protocol.fields import coerce_amount
from mockums.protocol.spec import EndpointSpec
from mockums.protocol.statuses import OPEN_STATUSES

FAR_FUTURE = 10 * 365 * 86400.0  # a payment of a code that never expires stays open this long
DEFAULT_MSG_SRC_ID = "3194"  # the demo 来源编号, for ids the platform makes when no billNo shows the merchant's


def _text(body: Mapping[str, object], name: str) -> str | None:
    value = body.get(name)
    return str(value) if value not in (None, "") else None


def _flag(body: Mapping[str, object], name: str) -> bool:
    return body.get(name) in (True, "true")


def _bad(details: str) -> Outcome:
    return situation("bad_request", details=details)


class BillBook:
    """QR codes and bills, with the rules of the six bills endpoints and of paying a code at its cashier."""

    def __init__(self, ledger: Ledger, generator: Generator, capacity: int = 100_000) -> None:
        self.ledger = ledger
        self.generator = generator
        self.capacity = capacity
        self._codes: OrderedDict[str, QrCode] = OrderedDict()
        self._bills: OrderedDict[tuple[str, str], Bill] = OrderedDict()
        self._by_payment: dict[tuple[str, str], tuple[str, str]] = {}
        self._rules: dict[str, Callable[[Call], Outcome]] = {
            "bill_create": self.create, "bill_update": self.update, "bill_close": self.close,
            "bill_query": self.query, "bill_refund": self.refund, "bill_info": self.info}

    # -- looking things up ------------------------------------------------------------------------

    def code(self, qr_code_id: str) -> QrCode | None:
        """A code by its id."""
        return self._codes.get(qr_code_id)

    def bill(self, mid: str, bill_no: str) -> Bill | None:
        """A bill by (mid, billNo)."""
        return self._bills.get((mid, bill_no))

    def code_for(self, mid: str, some_id: str) -> QrCode | None:
        """The code named by a billNo or a qrCodeId of this mid."""
        bill = self._bills.get((mid, some_id))
        code = self._codes.get(bill.qr_code_id if bill else some_id)
        return code if code is not None and code.mid == mid else None

    def bill_of(self, order: Order) -> Bill | None:
        """The bill an order pays, if it is a bill's payment."""
        key = self._by_payment.get(order.key)
        return self._bills.get(key) if key else None

    def payments(self, bill: Bill) -> list[Order]:
        """A bill's payments (orders), oldest first."""
        found = (self.ledger.orders.get(bill.mid, mer_order_id) for mer_order_id in bill.payments)
        return [order for order in found if order is not None]

    def current(self, code: QrCode) -> Bill | None:
        """The bill a code collects for now (a one-time code's own; a fixed code's bound one, if any)."""
        return self._bills.get((code.mid, code.bill_no)) if code.bill_no else None

    def status(self, code: QrCode, bill: Bill | None, now: float) -> str:
        """The bill's billStatus now."""
        return shown.bill_status(code, bill, self.payments(bill) if bill else [], now)

    def facts(self, order: Order, now: float) -> BillFacts | None:
        """What a notification of this order says of its bill (None: the order is not a bill's payment)."""
        bill = self.bill_of(order)
        code = self._codes.get(bill.qr_code_id) if bill else None
        if bill is None or code is None:
            return None
        return BillFacts(bill, code, self.status(code, bill, now))

    def subject(self, body: Mapping[str, object]) -> str | None:
        """The id a scenario matches for a bills request: billNo, else merOrderId, else the code's bill."""
        for name in ("billNo", "merOrderId"):
            if (value := _text(body, name)) is not None:
                return value
        qr_code_id = _text(body, "qrCodeId")
        code = self._codes.get(qr_code_id) if qr_code_id else None
        return (code.bill_no or code.qr_code_id) if code else qr_code_id

    def reset(self) -> None:
        """Forget every code and bill (the ledger forgets their payments itself)."""
        self._codes.clear()
        self._bills.clear()
        self._by_payment.clear()

    def __len__(self) -> int:
        return len(self._codes)

    # -- the endpoints ------------------------------------------------------------------------------

    def perform(self, call: Call) -> Outcome:
        """Apply the bills endpoint's rule to the request."""
        return self._rules[call.spec.action](call)

    def create(self, call: Call) -> Outcome:
        """get-qrcode: a one-time code (billNo, billDate, totalAmount) or a fixed one (with or without amount)."""
        body, mid = call.body, str(call.body["mid"])
        bill_no, bill_date = _text(body, "billNo"), _text(body, "billDate")
        amount = coerce_amount(body.get("totalAmount")) if body.get("totalAmount") not in (None, "") else None
        if (bill_no is None) != (bill_date is None):
            return _bad("billNo, billDate: go together (both for a one-time code, neither for a fixed code)")
        if bill_no is not None and amount is None:
            return _bad("totalAmount: a one-time code (billNo and billDate) needs one")
        if bill_no is not None and (mid, bill_no) in self._bills:
            return situation("bill_exists", bill_no=bill_no)
        prefix = (bill_no or DEFAULT_MSG_SRC_ID)[:4]
        qr_code_id = _text(body, "qrCodeId") or new_code_id(self.generator, mid, prefix, len(self._codes), call.now)
        if qr_code_id in self._codes:
            return situation("bill_exists", bill_no=qr_code_id)
        code = QrCode(qr_code_id, mid, _text(body, "tid") or "", _text(body, "instMid") or "",
                      "BILLPAY" if bill_no else "FIXEDPAY", f"{call.base_url}{BILL_CODE_PATH}?id={qr_code_id}",
                      self.generator.merchant_name(mid, qr_code_id), call.now, None, call.app_id,
                      lifecycle=call.lifecycle)
        configure(code, body, call.lifecycle)
        self._remember_code(code)
        code.record(call.now, f"created by get-qrcode ({code.kind})")
        events: list[Event] = []
        if bill_no is not None and bill_date is not None and amount is not None:
            events = self._bind(code, bill_no, bill_date, amount, _text(body, "billDesc"), call.spec, call.now)
        bill = self.current(code)
        values = shown.code_values(code, bill, self.status(code, bill, call.now))
        return replace(situation("qr_created", values=values), events=tuple(events))

    def update(self, call: Call) -> Outcome:
        """update-qrcode: bind a new bill to the code (the billNo must differ) and/or change its settings."""
        code, problem = self._live_code(call)
        if code is None:
            return problem
        body, bill = call.body, self.current(code)
        payments = self.payments(bill) if bill else []
        if code.one_time and shown.paid_payment(payments) is not None:
            return situation("bill_paid")
        bill_no, bill_date = _text(body, "billNo"), _text(body, "billDate")
        amount = coerce_amount(body.get("totalAmount")) if body.get("totalAmount") not in (None, "") else None
        events: list[Event] = []
        if bill_no is not None:
            if (code.mid, bill_no) in self._bills:
                return situation("bill_exists", bill_no=bill_no)
            if bill_date is None or (amount is None and code.amount is None):
                return _bad("billDate, totalAmount: a new billNo needs its billDate and an amount")
            for order in payments:  # the old bill is replaced before anyone paid it
                if order.status in OPEN_STATUSES:
                    order.set_status(call.now, "TRADE_CLOSED", f"bill replaced by {bill_no} (update-qrcode)")
            if bill is not None:
                bill.closed = True
            configure(code, body, call.lifecycle)
            events = self._bind(code, bill_no, bill_date, amount if amount is not None else code.amount or 0,
                                _text(body, "billDesc"), call.spec, call.now)
        else:
            configure(code, body, call.lifecycle)
        code.record(call.now, "updated by update-qrcode")
        bill = self.current(code)
        values = shown.code_values(code, bill, self.status(code, bill, call.now))
        return replace(situation("qr_updated", values=values), events=tuple(events))

    def close(self, call: Call) -> Outcome:
        """close-qrcode: no more payments; attachRefund also refunds a paid one-time code in full."""
        code, problem = self._live_code(call, expired_ok=True)
        if code is None:
            return problem
        attach = _flag(call.body, "attachRefund")
        if attach and not code.one_time:
            return _bad("attachRefund: only a one-time code is closed with a refund")
        bill = self.current(code)
        payments = self.payments(bill) if bill else []
        events = [event for order in payments for event in self.ledger.catch_up(order, call.now)]
        values: dict[str, object] = {}
        paid = shown.paid_payment(payments)
        if attach and paid is not None and paid.refundable > 0:
            body = {"mid": code.mid, "merOrderId": paid.mer_order_id, "refundAmount": paid.refundable}
            outcome = self.ledger.refund(Call(call.spec, body, call.now, call.app_id, lifecycle=call.lifecycle))
            events += outcome.events
            values = {key: outcome.values[key] for key in ("refundOrderId", "refundAmount", "refundStatus")
                      if key in outcome.values}
        code.closed_at = call.now
        code.record(call.now, "closed by close-qrcode" + (" with a refund" if values else ""))
        for order in payments:
            if order.status in OPEN_STATUSES:
                order.set_status(call.now, "TRADE_CLOSED", "its QR code was closed")
        values |= {"qrCodeId": code.qr_code_id, "billStatus": self.status(code, bill, call.now)}
        if bill is not None:
            values["billNo"] = bill.bill_no
        return replace(situation("qr_closed", values=values), events=tuple(events))

    def query(self, call: Call) -> Outcome:
        """bills/query: the bill and its payment; a query may be what pays it (`pay: {after_queries: N}`)."""
        found = self._find(call)
        if isinstance(found, Outcome):
            return found
        code, bill, payments, events = found
        values = shown.bill_values(code, bill, payments, self.status(code, bill, call.now), self.generator)
        refund_id = _text(call.body, "refundOrderId")
        if refund_id is not None:
            refunded = next(((order, order.refunds[refund_id]) for order in payments if refund_id in order.refunds),
                            None)
            if refunded is None:
                return situation("no_refund")
            values["refundBillPayment"] = shown.refund_bill_payment(*refunded, self.generator)
        latest = payments[-1] if payments else None
        if latest is not None:
            latest.queries += 1
            plan = latest.pay_plan
            if plan.mode == "after_queries" and latest.queries >= plan.count:
                events += self.ledger.pay(latest, call.now, f"paid after {latest.queries} bill queries (scenario)")
        return Outcome("SUCCESS", "", latest, values, tuple(events))

    def refund(self, call: Call) -> Outcome:
        """bills/refund: a refund of the bill's payment; refundOrderId is required from the second refund on."""
        found = self._find(call)
        if isinstance(found, Outcome):
            return found
        code, bill, payments, events = found
        named = _text(call.body, "merOrderId")
        target = next((o for o in payments if o.mer_order_id == named), None) if named else None
        target = target or shown.paid_payment(payments)
        refund_id = _text(call.body, "refundOrderId")
        if refund_id is None and any(order.refunds for order in payments):
            return _bad("refundOrderId: required for a second refund of a bill, and different each time")
        if target is None:
            values = shown.bill_values(code, bill, payments, self.status(code, bill, call.now), self.generator)
            return replace(situation("refund_unpaid", values=values), events=tuple(events))
        body = {**call.body, "merOrderId": target.mer_order_id}
        outcome = self.ledger.refund(Call(call.spec, body, call.now, call.app_id, call.implied_by, call.status,
                                          call.lifecycle))
        values = shown.bill_values(code, bill, payments, self.status(code, bill, call.now), self.generator)
        values |= {key: value for key, value in outcome.values.items()
                   if key.startswith("refund") or key in ("merOrderId", "targetSys")}
        return Outcome(outcome.err_code, outcome.err_msg, target, values, (*events, *outcome.events))

    def info(self, call: Call) -> Outcome:
        """query-qrcode-info: the code's static information."""
        code = self._codes.get(str(call.body.get("qrCodeId")))
        if code is None or code.mid != call.body.get("mid"):
            return situation("qr_unknown")
        bill = self.current(code)
        return Outcome("SUCCESS", "", None, shown.code_values(code, bill, self.status(code, bill, call.now)))

    # -- paying --------------------------------------------------------------------------------------

    def pay_code(self, code: QrCode, now: float, wallet: str | None, amount: int | None,
                 why: str) -> tuple[list[Event], str | None]:
        """The buyer scans and pays: the open payment of the code's bill, a second payment of a paid bill
        (unless walletOption is SINGLE), or a new bill of a fixed code. (events, why not) ."""
        if not code.open_at(now):
            return [], "二维码已失效 (the code is closed or expired)"
        bill = self.current(code)
        payments = self.payments(bill) if bill else []
        events = [event for order in payments for event in self.ledger.catch_up(order, now)]
        if bill is not None and not bill.closed and (code.one_time or shown.paid_payment(payments) is None):
            if shown.paid_payment(payments) is not None and code.wallet_option == "SINGLE":
                return events, "账单已支付 (walletOption SINGLE: only one payment)"
            order = next((o for o in payments if o.status in OPEN_STATUSES), None)
            if order is None and shown.paid_payment(payments) is None:
                return events, "账单已关闭 (the bill is closed)"
            if order is None:
                order, created = self._payment(code, bill, now, pay=PayPlan("never"))
                events += created
        else:
            total = code.amount if code.amount is not None else amount
            if total is None:
                return events, "请输入金额 (this fixed code has no amount: enter one)"
            bill = platform_bill(code, self.generator, total, now)
            self._remember_bill(bill)
            order, created = self._payment(code, bill, now, pay=PayPlan("never"))
            events += created
        order.target_sys = wallet or order.target_sys
        events += self.ledger.pay(order, now, why)
        return events, None

    # -- helpers -------------------------------------------------------------------------------------

    def _live_code(self, call: Call, *, expired_ok: bool = False) -> tuple[QrCode | None, Outcome]:
        code = self._codes.get(str(call.body.get("qrCodeId")))
        if code is None or code.mid != call.body.get("mid"):
            return None, situation("qr_unknown")
        if code.closed_at is not None:
            return None, situation("qr_gone", why="已关闭")
        if not expired_ok and not code.open_at(call.now):
            return None, situation("qr_gone", why="已过期")
        return code, situation("qr_unknown")

    def _find(self, call: Call) -> tuple[QrCode, Bill, list[Order], list[Event]] | Outcome:
        body, mid = call.body, str(call.body["mid"])
        bill_no = _text(body, "billNo")
        if bill_no is None:
            key = self._by_payment.get((mid, _text(body, "merOrderId") or ""))
            bill_no = key[1] if key else None
        bill = self._bills.get((mid, bill_no)) if bill_no else None
        day = (_text(body, "billDate") or "")[:10]
        code = self._codes.get(bill.qr_code_id) if bill else None
        if bill is None or code is None or bill.bill_date != day:
            return situation("bill_unknown")
        payments = self.payments(bill)
        events = [event for order in payments for event in self.ledger.catch_up(order, call.now)]
        latest = payments[-1] if payments else None
        if latest is not None and call.status is not None and call.status != latest.scripted_status:
            latest.scripted_status = call.status  # a scenario's order_status, applied when it changes
            latest.set_status(call.now, call.status, "scenario")
            if call.status in ("TRADE_SUCCESS", "TRADE_REFUND") and latest.paid_at is None:
                latest.paid_at = call.now
        return code, bill, payments, events

    def _bind(self, code: QrCode, bill_no: str, bill_date: str, amount: int, desc: str | None,
              spec: EndpointSpec, now: float) -> list[Event]:
        """A new bill for the code, with its first payment waiting; a `twice` plan pays it two times."""
        bill = Bill(bill_no, bill_date[:10], code.mid, code.qr_code_id, amount, now, desc or code.bill_desc)
        self._remember_bill(bill)
        code.bill_no = bill_no
        order, events = self._payment(code, bill, now, spec=spec)
        if order.pay_plan.mode == "twice":
            second, created = self._payment(code, bill, now, spec=spec, pay=PayPlan("never"))
            events += created + self.ledger.pay(second, now, "paid a second time (scenario: a bill paid twice)")
        return events

    def _payment(self, code: QrCode, bill: Bill, now: float, *, spec: EndpointSpec = BILL_SPECS[0],
                 pay: PayPlan | None = None) -> tuple[Order, list[Event]]:
        """A new payment order of the bill (merOrderId billNo + one digit), open until the code expires."""
        lifecycle = code.lifecycle or Lifecycle()
        if pay is not None:
            lifecycle = replace(lifecycle, pay=pay)
        body = {"mid": code.mid, "tid": code.tid, "instMid": code.inst_mid, "merOrderId": bill.next_payment_id(),
                "totalAmount": bill.total_amount, "notifyUrl": code.notify_url, "orderDesc": bill.bill_desc}
        outcome = self.ledger.create(Call(spec, body, now, code.app_id, lifecycle=lifecycle))
        order = outcome.order
        if order is None:  # the id is taken by an order of another product line: take it over
            order = self.ledger.orders.get(code.mid, bill.next_payment_id())
            assert order is not None
        order.mer_name = code.merchant
        order.expire_at = code.expire_at if code.expire_at is not None else now + FAR_FUTURE
        bill.payments.append(order.mer_order_id)
        self._by_payment[order.key] = (bill.mid, bill.bill_no)
        return order, list(outcome.events)

    def _remember_code(self, code: QrCode) -> None:
        self._codes[code.qr_code_id] = code
        while len(self._codes) > self.capacity:
            self._codes.popitem(last=False)

    def _remember_bill(self, bill: Bill) -> None:
        self._bills[(bill.mid, bill.bill_no)] = bill
        while len(self._bills) > self.capacity:
            _, dropped = self._bills.popitem(last=False)
            for mer_order_id in dropped.payments:
                self._by_payment.pop((dropped.mid, mer_order_id), None)

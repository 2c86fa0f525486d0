"""A bill's payments: binding a bill to its code with its first payment waiting, and the buyer scanning and
paying a code. Each payment is an order of the ledger, `billNo` + one digit; a digit whose merOrderId
another order already holds is skipped, never taken over."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from mockums.ledger.calls import Call, Event
from mockums.ledger.ledger import Ledger
from mockums.ledger.model import Order
from mockums.ledger.plans import Lifecycle, PayPlan
from mockums.lines.bills import answers as shown
from mockums.lines.bills.codes import platform_bill
from mockums.lines.bills.endpoints import BILL_SPECS
from mockums.lines.bills.lookups import BillLookups
from mockums.lines.bills.model import Bill, QrCode
from mockums.protocol.spec import EndpointSpec
from mockums.protocol.statuses import OPEN_STATUSES

LINE = "bills"
FAR_FUTURE = 10 * 365 * 86400.0  # a payment of a code that never expires stays open this long
NEVER = PayPlan("never")
IDS_TAKEN = "账单的支付订单号已被占用 (billNo + 0..9 are all merOrderIds of other orders)"


class Payments:
    """Making and paying a bill's payments."""

    def __init__(self, lookups: BillLookups, ledger: Ledger) -> None:
        self.lookups = lookups
        self.store = lookups.store
        self.ledger = ledger

    def payment(self, code: QrCode, bill: Bill, now: float, *, spec: EndpointSpec = BILL_SPECS[0],
                pay: PayPlan | None = None) -> tuple[Order | None, tuple[Event, ...]]:
        """A new payment order of the bill, open until the code expires; (None, ()) when every merOrderId
        the bill could give it is taken by another order."""
        lifecycle = code.lifecycle or Lifecycle()
        if pay is not None:
            lifecycle = replace(lifecycle, pay=pay)
        kept = self.store.bill(bill.key) or bill
        expire_at = code.expire_at if code.expire_at is not None else now + FAR_FUTURE
        for digit in range(len(kept.payments), 10):
            mer_order_id = f"{bill.bill_no}{digit}"
            body = {"mid": code.mid, "tid": code.tid, "instMid": code.inst_mid, "merOrderId": mer_order_id,
                    "totalAmount": bill.total_amount, "notifyUrl": code.notify_url, "orderDesc": bill.bill_desc}
            made = self.ledger.create(Call(spec, body, now, code.app_id, lifecycle=lifecycle), LINE,
                                      mer_name=code.merchant, expire_at=expire_at)
            if made is not None:
                self.store.update_bill(bill.key, _with_payment(mer_order_id))
                return made
        return None, ()

    def bind(self, code: QrCode, bill: Bill, spec: EndpointSpec, now: float) -> tuple[tuple[Event, ...], str | None]:
        """The bill kept as the code's, with its first payment waiting (a `twice` plan pays it two times at
        once): (events, why not)."""
        self.store.update_bill(bill.key, _kept(bill))
        code = self.store.update_code(code.qr_code_id, lambda old: (
            replace(old, bill_no=bill.bill_no) if old is not None else None)) or code
        order, events = self.payment(code, bill, now, spec=spec)
        if order is None:
            return events, IDS_TAKEN
        if order.pay_plan.mode == "twice":
            second, created = self.payment(code, bill, now, spec=spec, pay=NEVER)
            events += created
            if second is not None:
                events += self.ledger.pay(second.key, now, "paid a second time (scenario: a bill paid twice)")[0]
        return events, None

    def pay_code(self, code: QrCode, now: float, wallet: str | None, amount: int | None,
                 why: str) -> tuple[tuple[Event, ...], str | None]:
        """The buyer scans and pays: the open payment of the code's bill, a second payment of a paid bill
        (unless walletOption is SINGLE), or a new bill of a fixed code. (events, why not)."""
        if not code.open_at(now):
            return (), "二维码已失效 (the code is closed or expired)"
        bill = self.lookups.current(code)
        payments, events = self.lookups.caught_up(bill, now)
        paid = shown.paid_payment(payments)
        order: Order | None
        if bill is not None and not bill.closed and (code.one_time or paid is None):
            if paid is not None and code.wallet_option == "SINGLE":
                return events, "账单已支付 (walletOption SINGLE: only one payment)"
            order = next((o for o in payments if o.status in OPEN_STATUSES), None)
            if order is None and paid is None:
                return events, "账单已关闭 (the bill is closed)"
            if order is None:
                order, created = self.payment(code, bill, now, pay=NEVER)
                events += created
        else:
            total = code.amount if code.amount is not None else amount
            if total is None:
                return events, "请输入金额 (this fixed code has no amount: enter one)"
            code = self.store.update_code(code.qr_code_id, lambda old: (
                replace(old, bills_made=old.bills_made + 1) if old is not None else None)) or code
            bill = platform_bill(code, self.lookups.ledger.generator, total, now)
            self.store.update_bill(bill.key, _kept(bill))
            order, created = self.payment(code, bill, now, pay=NEVER)
            events += created
        if order is None:
            return events, IDS_TAKEN
        return (*events, *self.ledger.pay(order.key, now, why, wallet)[0]), None


def _with_payment(mer_order_id: str) -> Callable[[Bill | None], Bill | None]:
    """The change that adds a payment to a bill."""
    return lambda old: replace(old, payments=(*old.payments, mer_order_id)) if old is not None else None


def _kept(bill: Bill) -> Callable[[Bill | None], Bill | None]:
    """The change that keeps `bill` as it is given."""
    return lambda _: bill

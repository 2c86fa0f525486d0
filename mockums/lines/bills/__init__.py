"""The QR-code bill line (C扫B, instMid QRPAYDEFAULT): codes the buyer scans, the bills they collect, and
the page a scanned code opens. A bill's payments are netpay-family orders, notified in the bills form."""

from __future__ import annotations

from collections.abc import Mapping

from mockums.config import App
from mockums.ledger.calls import Call, Event, Outcome
from mockums.lines.bills.cashier import CodePage
from mockums.lines.bills.endpoints import BILL_CODE_PATH, BILL_SPECS, PREAUTH_SPECS
from mockums.lines.bills.errors import VOCABULARY
from mockums.lines.bills.lookups import BillLookups
from mockums.lines.bills.notification import build_bill
from mockums.lines.bills.payments import LINE
from mockums.lines.bills.rules import BillRules
from mockums.lines.bills.store import BillRepository, MemoryBills, RecordBills
from mockums.lines.line import Book, Page, Paid, Services, memory_records
from mockums.lines.netpay import family_line
from mockums.lines.netpay import notification as netpay_notification
from mockums.notify.note import Notification
from mockums.protocol.spec import EndpointSpec


class Bills(Book):
    """The bills line's book: its rules, its code page, its notifications and paying a code by its id."""

    def __init__(self, services: Services) -> None:
        settings = services.settings
        self.services = services
        store: BillRepository = (
            MemoryBills(settings.max_qr_codes, settings.max_bills) if services.records is memory_records
            else RecordBills(services.records, settings.max_qr_codes, settings.max_bills))
        self.lookups = BillLookups(store, services.ledger)
        self.rules = BillRules(services, self.lookups)
        self.pages: Mapping[str, Page] = {BILL_CODE_PATH: CodePage(services, self.lookups, self.rules.payments)}

    def perform(self, call: Call) -> Outcome:
        return self.rules.rules[call.spec.action](call)

    def subject(self, spec: EndpointSpec, body: Mapping[str, object]) -> object:
        return self.lookups.subject(body)

    def notification(self, event: Event, app: App, now: float) -> Notification | None:
        facts = self.lookups.facts(event.order, now)
        if facts is None:  # its bill is no longer kept: notified as any order is
            return netpay_notification.build(event, self.services.generator, app, now)
        return build_bill(event, facts, self.services.generator, app)

    def clear(self) -> None:
        self.lookups.store.clear()

    def pay(self, mid: str, some_id: str, now: float) -> Paid | None:
        """Pay a bill by its billNo (or its code by qrCodeId), as if its code were scanned and paid."""
        code = self.lookups.code_for(mid, some_id)
        if code is None:
            return None
        bill = self.lookups.current(code)
        if bill is not None and self.lookups.status(code, bill, now) in ("PAID", "REFUND"):
            return Paid((), None, f"bill {bill.bill_no} is paid already (a second payment happens only at its "
                                  "cashier page)")
        events, problem = self.rules.payments.pay_code(code, now, None, None, "paid by control call")
        paid = next((event.order.key for event in reversed(events) if event.kind == "payment"), None)
        return Paid(events, paid, problem)


def open_book(services: Services) -> Book:
    """The bills line's book, with its codes and bills kept in memory."""
    return Bills(services)


BILLS = family_line(LINE, "QR-code bills (C扫B 账单支付) with the scanned code's page and pre-authorisation",
                    VOCABULARY, (*BILL_SPECS, *PREAUTH_SPECS), open_book)

__all__ = ["BILLS", "Bills"]

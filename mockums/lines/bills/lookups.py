"""Reading the bills line's state: a code and the bill it collects for, a bill's payments (orders of the
ledger) caught up with time, a bill's status, and what a notification says of a payment's bill."""

from __future__ import annotations

from collections.abc import Mapping

from mockums.ledger.calls import Event
from mockums.ledger.ledger import Ledger, text
from mockums.ledger.model import Order
from mockums.lines.bills import answers as shown
from mockums.lines.bills.model import Bill, BillFacts, QrCode
from mockums.lines.bills.store import BillRepository


class BillLookups:
    """What the bills rules, the cashier page and notifications read."""

    def __init__(self, store: BillRepository, ledger: Ledger) -> None:
        self.store = store
        self.ledger = ledger

    def code(self, qr_code_id: str) -> QrCode | None:
        """A code by its id."""
        return self.store.code(qr_code_id)

    def code_for(self, mid: str, some_id: str) -> QrCode | None:
        """The code named by a billNo or a qrCodeId of this mid."""
        bill = self.store.bill((mid, some_id))
        code = self.store.code(bill.qr_code_id if bill else some_id)
        return code if code is not None and code.mid == mid else None

    def bill_of(self, order: Order) -> Bill | None:
        """The bill an order pays, if it is a bill's payment."""
        key = self.store.bill_of_payment(order.mid, order.mer_order_id)
        return self.store.bill(key) if key else None

    def current(self, code: QrCode) -> Bill | None:
        """The bill a code collects for now (a one-time code's own; a fixed code's bound one, if any)."""
        return self.store.bill((code.mid, code.bill_no)) if code.bill_no else None

    def payments(self, bill: Bill | None) -> list[Order]:
        """A bill's payments (orders), oldest first."""
        if bill is None:
            return []
        found = (self.ledger.order(bill.mid, mer_order_id) for mer_order_id in bill.payments)
        return [order for order in found if order is not None]

    def caught_up(self, bill: Bill | None, now: float) -> tuple[list[Order], tuple[Event, ...]]:
        """A bill's payments after time has done its work on them, and the events that made."""
        events: tuple[Event, ...] = ()
        for order in self.payments(bill):
            events += self.ledger.catch_up(order.key, now)
        return self.payments(bill), events

    def status(self, code: QrCode, bill: Bill | None, now: float) -> str:
        """The bill's billStatus now."""
        return shown.bill_status(code, bill, self.payments(bill), now)

    def facts(self, order: Order, now: float) -> BillFacts | None:
        """What a notification of this order says of its bill (None: the order is not a bill's payment)."""
        bill = self.bill_of(order)
        code = self.store.code(bill.qr_code_id) if bill else None
        if bill is None or code is None:
            return None
        return BillFacts(bill, code, self.status(code, bill, now))

    def subject(self, body: Mapping[str, object]) -> str | None:
        """The id a scenario matches for a bills request: billNo, else merOrderId, else the code's bill."""
        for name in ("billNo", "merOrderId"):
            if (value := text(body, name)) is not None:
                return value
        qr_code_id = text(body, "qrCodeId")
        code = self.store.code(qr_code_id) if qr_code_id else None
        return (code.bill_no or code.qr_code_id) if code else qr_code_id

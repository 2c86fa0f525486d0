"""Where QR codes and bills are kept: the `BillRepository` interface and its in-memory implementation.

Codes and bills are values: each change reads a record and stores the new one in one atomic update. In
memory, least recently used dropped first beyond `code_capacity` codes and `bill_capacity` bills; a code
dropped takes its bills with it, and a bill dropped takes its payments' entries in the index.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

from mockums.lines.bills.model import Bill, BillKey, QrCode
from mockums.lines.line import RecordsOf
from mockums.state.records import Records


class BillRepository(Protocol):
    """The QR codes and bills the sandbox knows, with an index from a payment's merOrderId to its bill."""

    def code(self, qr_code_id: str) -> QrCode | None:
        """A code by its id."""

    def bill(self, key: BillKey) -> Bill | None:
        """A bill by (mid, billNo)."""

    def bill_of_payment(self, mid: str, mer_order_id: str) -> BillKey | None:
        """The key of the bill a payment (an order of the ledger) pays."""

    def update_code(self, qr_code_id: str, change: Callable[[QrCode | None], QrCode | None]) -> QrCode | None:
        """Apply `change` to the code under `qr_code_id` (None: there is none) and keep what it gives (None
        removes it, with its bills), as one atomic step; the code kept."""

    def update_bill(self, key: BillKey, change: Callable[[Bill | None], Bill | None]) -> Bill | None:
        """Apply `change` to the bill under `key` and keep what it gives, as one atomic step; the bill kept."""

    def code_count(self) -> int:
        """How many codes are kept."""

    def clear(self) -> None:
        """Forget every code and bill."""


class MemoryBills:
    """Codes and bills in this process, least recently used dropped first beyond the caps."""

    def __init__(self, code_capacity: int = 10_000, bill_capacity: int = 30_000) -> None:
        self.code_capacity = code_capacity
        self.bill_capacity = bill_capacity
        self._codes: OrderedDict[str, QrCode] = OrderedDict()
        self._bills: OrderedDict[BillKey, Bill] = OrderedDict()
        self._by_payment: dict[tuple[str, str], BillKey] = {}
        self._bills_of_code: dict[str, set[BillKey]] = {}

    def code(self, qr_code_id: str) -> QrCode | None:
        code = self._codes.get(qr_code_id)
        if code is not None:
            self._codes.move_to_end(qr_code_id)
        return code

    def bill(self, key: BillKey) -> Bill | None:
        bill = self._bills.get(key)
        if bill is not None:
            self._bills.move_to_end(key)
        return bill

    def bill_of_payment(self, mid: str, mer_order_id: str) -> BillKey | None:
        return self._by_payment.get((mid, mer_order_id))

    def update_code(self, qr_code_id: str, change: Callable[[QrCode | None], QrCode | None]) -> QrCode | None:
        new = change(self._codes.get(qr_code_id))
        if new is None:
            self._drop_code(qr_code_id)
            return None
        self._codes[qr_code_id] = new
        self._codes.move_to_end(qr_code_id)
        while len(self._codes) > self.code_capacity:
            self._drop_code(next(iter(self._codes)))
        return new

    def update_bill(self, key: BillKey, change: Callable[[Bill | None], Bill | None]) -> Bill | None:
        old = self._bills.get(key)
        new = change(old)
        if new is None:
            self._drop_bill(key)
            return None
        self._bills[key] = new
        self._bills.move_to_end(key)
        self._bills_of_code.setdefault(new.qr_code_id, set()).add(key)
        for mer_order_id in new.payments:
            self._by_payment[(new.mid, mer_order_id)] = key
        while len(self._bills) > self.bill_capacity:
            self._drop_bill(next(iter(self._bills)))
        return new

    def _drop_code(self, qr_code_id: str) -> None:
        self._codes.pop(qr_code_id, None)
        for key in self._bills_of_code.pop(qr_code_id, set()):
            self._drop_bill(key)

    def _drop_bill(self, key: BillKey) -> None:
        bill = self._bills.pop(key, None)
        if bill is None:
            return
        for mer_order_id in bill.payments:
            if self._by_payment.get((bill.mid, mer_order_id)) == key:
                del self._by_payment[(bill.mid, mer_order_id)]
        keys = self._bills_of_code.get(bill.qr_code_id)
        if keys is not None:
            keys.discard(key)
            if not keys:
                del self._bills_of_code[bill.qr_code_id]

    def code_count(self) -> int:
        return len(self._codes)

    def clear(self) -> None:
        self._codes.clear()
        self._bills.clear()
        self._by_payment.clear()
        self._bills_of_code.clear()


class RecordBills:
    """Codes and bills as records (`mockums.state.records`), for a store several processes share: each code and
    each bill changed by one atomic update, the indexes (a payment's bill, a code's bills) after it. A code removed
    takes its bills with it; one dropped beyond its cap leaves its bills to their own cap."""

    def __init__(self, records: RecordsOf, code_capacity: int = 10_000, bill_capacity: int = 30_000) -> None:
        self._codes: Records[QrCode] = records("qrcode", code_capacity, (QrCode,))
        self._bills: Records[Bill] = records("bill", bill_capacity, (Bill,))
        # A bill has a few payments: room for several per bill, each dropped with its bill.
        self._by_payment: Records[BillKey] = records("billpayment", 4 * bill_capacity, ())
        self._bills_of_code: Records[tuple[BillKey, ...]] = records("codebills", code_capacity, ())

    def code(self, qr_code_id: str) -> QrCode | None:
        return self._codes.get(qr_code_id)

    def bill(self, key: BillKey) -> Bill | None:
        return self._bills.get(key)

    def bill_of_payment(self, mid: str, mer_order_id: str) -> BillKey | None:
        key = self._by_payment.get((mid, mer_order_id))
        return (str(key[0]), str(key[1])) if key is not None else None

    def update_code(self, qr_code_id: str, change: Callable[[QrCode | None], QrCode | None]) -> QrCode | None:
        new = self._codes.update(qr_code_id, lambda old: (kept := change(old), kept))
        if new is None:
            for key in self._bills_of_code.update(qr_code_id, lambda old: (None, old or ())):
                self.update_bill(tuple(key), lambda _: None)  # type: ignore[arg-type]
        return new

    def update_bill(self, key: BillKey, change: Callable[[Bill | None], Bill | None]) -> Bill | None:
        old, new = self._bills.update(key, lambda old: ((kept := change(old)), (old, kept)))
        bill = new or old
        if bill is None:
            return None
        if new is not None and (old is None or old.qr_code_id != new.qr_code_id):
            self._bills_of_code.update(new.qr_code_id, lambda keys: ((*(keys or ()), key), None))
        for mer_order_id in set(old.payments if old is not None else ()) - set(new.payments if new else ()):
            self._by_payment.update((bill.mid, mer_order_id), lambda _: (None, None))
        for mer_order_id in set(new.payments if new is not None else ()) - set(old.payments if old else ()):
            self._by_payment.update((bill.mid, mer_order_id), lambda _: (key, None))
        if new is None and old is not None:
            self._bills_of_code.update(old.qr_code_id, lambda keys: (
                tuple(k for k in keys or () if tuple(k) != key) or None, None))
        return new

    def code_count(self) -> int:
        return len(self._codes)

    def clear(self) -> None:
        for records in (self._codes, self._bills, self._by_payment, self._bills_of_code):
            records.clear()

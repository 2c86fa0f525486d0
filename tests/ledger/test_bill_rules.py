"""The bills rules without HTTP: codes, bills, their payments as orders of the ledger, and time."""

from __future__ import annotations

import pytest
from memory_ledger import memory_ledger

from mockums.clock import Clock
from mockums.config import Settings
from mockums.ledger.calls import Call, Outcome
from mockums.ledger.plans import Lifecycle, PayPlan
from mockums.lines import DEFAULT_REGISTRY, Services
from mockums.lines.bills import Bills
from mockums.lines.bills.model import Bill
from mockums.lines.bills.store import MemoryBills
from mockums.lines.cashier import amount_fen

ENDPOINTS = DEFAULT_REGISTRY.endpoints

MID = "898201612345678"
T0 = 1_780_000_000.0
DAY = "2026-05-29"  # T0 in Beijing time
GET, UPDATE, QUERY = "/v1/netpay/bills/get-qrcode", "/v1/netpay/bills/update-qrcode", "/v1/netpay/bills/query"


@pytest.fixture
def book() -> Bills:
    ledger = memory_ledger()
    return Bills(Services(Settings(), Clock(), ledger, ledger.generator, lambda events: None))


def run(book: Bills, path: str, now: float = T0, lifecycle: Lifecycle | None = None, **fields: object) -> Outcome:
    body = {"mid": MID, "tid": "88880001", "instMid": "QRPAYDEFAULT", **fields}
    return book.perform(Call(ENDPOINTS[path], body, now, None, lifecycle=lifecycle, base_url="http://h"))


def test_a_one_time_code_and_its_first_payment(book: Bills) -> None:
    created = run(book, GET, billNo="3194B0001", billDate=DAY, totalAmount=360)
    assert (created.err_code, created.err_msg, created.values["billStatus"]) == ("SUCCESS", "查询二维码成功", "UNPAID")
    code = book.lookups.code(str(created.values["qrCodeId"]))
    assert code is not None and code.url == f"http://h/bills/qrCode.do?id={code.qr_code_id}"
    assert code.expire_at == T0 + 30 * 60
    order = book.services.ledger.order(MID, "3194B00010")
    assert order is not None and (order.status, order.expire_at, order.total_amount, order.line) == (
        "WAIT_BUYER_PAY", T0 + 1800, 360, "bills")
    assert book.lookups.subject({"qrCodeId": code.qr_code_id}) == "3194B0001"
    assert book.lookups.code_for(MID, "3194B0001") == code and book.lookups.code_for("other-mid", code.qr_code_id) is None


def test_a_fixed_code_bound_then_paid_goes_back_to_its_own_amount(book: Bills) -> None:
    fixed = run(book, GET, totalAmount=500)
    code = book.lookups.code(str(fixed.values["qrCodeId"]))
    assert code is not None and code.expire_at is None and book.lookups.subject({"qrCodeId": code.qr_code_id}) == (
        code.qr_code_id)
    run(book, UPDATE, qrCodeId=code.qr_code_id, billNo="3194B0002", billDate=DAY, totalAmount=260)
    code = book.lookups.code(code.qr_code_id)
    assert code is not None
    pay_code = book.rules.payments.pay_code
    events, problem = pay_code(code, T0, "UAC", None, "test")
    assert problem is None and [e.order.mer_order_id for e in events] == ["3194B00020"]
    assert events[0].order.target_sys == "UAC"
    events, problem = pay_code(code, T0 + 1, None, None, "test")
    assert problem is None and events[-1].order.total_amount == 500
    bill = book.lookups.bill_of(events[-1].order)
    assert bill is not None and len(bill.bill_no) == 26 and bill.bill_date == DAY


def test_a_fixed_code_without_amount_needs_one(book: Bills) -> None:
    code = book.lookups.code(str(run(book, GET).values["qrCodeId"]))
    assert code is not None
    pay_code = book.rules.payments.pay_code
    assert pay_code(code, T0, None, None, "test") == ((), "请输入金额 (this fixed code has no amount: enter one)")
    assert pay_code(code, T0, None, 123, "test")[1] is None


def test_pay_twice_and_expire_after_come_from_the_scenario(book: Bills) -> None:
    twice = run(book, GET, lifecycle=Lifecycle(pay=PayPlan("twice")), billNo="3194B0003", billDate=DAY, totalAmount=1)
    assert [event.order.mer_order_id for event in twice.events] == ["3194B00030", "3194B00031"]
    run(book, GET, lifecycle=Lifecycle(expire_after=60), billNo="3194B0004", billDate=DAY, totalAmount=1)
    assert run(book, QUERY, T0 + 59, billNo="3194B0004", billDate=DAY).values["billStatus"] == "UNPAID"
    assert run(book, QUERY, T0 + 60, billNo="3194B0004", billDate=DAY).values["billStatus"] == "CLOSED"


def test_clear_forgets_codes_and_bills(book: Bills) -> None:
    run(book, GET, billNo="3194B0005", billDate=DAY, totalAmount=1)
    assert book.lookups.store.code_count() == 1
    book.clear()
    assert (book.lookups.store.code_count(), book.lookups.store.bill((MID, "3194B0005"))) == (0, None)


def test_a_code_dropped_beyond_the_cap_takes_its_bills_and_their_payment_index() -> None:
    store = MemoryBills(code_capacity=1, bill_capacity=10)
    for number in (1, 2):
        store.update_code(f"code{number}", lambda _, n=number: _code(f"code{n}"))
        store.update_bill((MID, f"bill{number}"), lambda _, n=number: Bill(f"bill{n}", DAY, MID, f"code{n}", 1, T0,
                                                                            payments=(f"bill{n}0",)))
    assert store.code("code1") is None and store.bill((MID, "bill1")) is None
    assert store.bill_of_payment(MID, "bill10") is None and store.bill_of_payment(MID, "bill20") == (MID, "bill2")


def _code(qr_code_id: str) -> object:
    from mockums.lines.bills.model import QrCode

    return QrCode(qr_code_id, MID, "", "", "BILLPAY", "u", "m", T0, None)


@pytest.mark.parametrize(("typed", "fen"), [("3.6", 360), ("3.60", 360), ("12", 1200), ("0.01", 1), ("0", None),
                                            ("1.234", None), ("１２", None), ("-1", None), ("", None), (None, None),
                                            ("99999999", None)])
def test_amounts_typed_at_the_cashier(typed: str | None, fen: int | None) -> None:
    assert amount_fen(typed) == fen

"""The four bugs a review of the core found, each through the facade as a client and the control API reach it.

Each test fails on the code before the core was rebuilt on repositories (0.1.0 as of 5fe207c)."""

from __future__ import annotations

import chinaums_client
import pytest
from conftest import sandbox_for

from mockums.config import DEMO_APP, Settings
from mockums.core import Sandbox

ORDER, REFUND, REFUND_QUERY = "/v1/netpay/wx/app-pre-order", "/v1/netpay/refund", "/v1/netpay/refund-query"
CLOSE, GET_QRCODE, BILL_QUERY = "/v1/netpay/wx/app-pre-close", "/v1/netpay/bills/get-qrcode", "/v1/netpay/bills/query"
MID, OTHER_MID = "898201612345678", "898340149000005"
NOTIFY_URL = "http://127.0.0.1:9/notify"  # never reached: these tests look at what was queued


def send(sandbox: Sandbox, path: str, order_id: str, **fields: object) -> dict[str, object]:
    body = chinaums_client.go_json(chinaums_client.close_request(order_id, **fields))
    reply = sandbox.handle_api(path, chinaums_client.open_body_sig(DEMO_APP.app_id, DEMO_APP.app_key, body), body)
    return dict(reply.body)


@pytest.fixture
async def sandbox() -> Sandbox:
    made = sandbox_for(Settings(seed=5))
    made.clock.freeze(1_780_000_000.0)
    await made.start()
    yield made  # type: ignore[misc]
    await made.stop()


async def test_a_refused_refund_still_notifies_the_payment_its_catch_up_made(sandbox: Sandbox) -> None:
    """MKPAY5S orders are paid 5 s after creation; the refund comes after that, before any tick."""
    assert send(sandbox, ORDER, "MKPAY5SBUG1", totalAmount=100, notifyUrl=NOTIFY_URL)["errCode"] == "SUCCESS"
    sandbox.clock.advance(6)  # the clock alone: no tick has run
    refused = send(sandbox, REFUND, "MKPAY5SBUG1", refundAmount=101)
    assert refused["errCode"] == "OPERATION_NOT_ALLOWED"
    assert [note["kind"] for note in sandbox.notifications(MID, "MKPAY5SBUG1")] == ["payment"]


async def test_a_refund_query_of_an_unknown_refund_still_notifies_a_settlement(sandbox: Sandbox) -> None:
    """The order is paid at once; its refunds answer PROCESSING and succeed 10 s later. The query asks for
    another refund, after the settlement fell due and before any tick."""
    sandbox.add_scenarios({"name": "settles-later", "match": {"merOrderIdPrefix": "3194BUG2"},
                           "lifecycle": {"pay": "immediately",
                                         "refund": {"status": "PROCESSING", "settle_after_seconds": 10}}})
    send(sandbox, ORDER, "3194BUG2", totalAmount=100, notifyUrl=NOTIFY_URL)
    assert send(sandbox, REFUND, "3194BUG2", refundAmount=10, refundOrderId="3194BUG2R1")["refundStatus"] == (
        "PROCESSING")
    sandbox.clock.advance(11)
    missing = send(sandbox, REFUND_QUERY, "3194BUG2", refundOrderId="3194BUG2NOPE")
    assert missing["errCode"] == "NO_ORDER"
    assert [note["kind"] for note in sandbox.notifications(MID, "3194BUG2")] == ["payment", "refund"]


def test_forgetting_an_order_keeps_the_journal_of_another_merchants_order_with_its_merOrderId() -> None:
    sandbox = sandbox_for(Settings(seed=5))
    send(sandbox, CLOSE, "MKSUCCESSBUG3", mid=MID)
    send(sandbox, CLOSE, "MKSUCCESSBUG3", mid=OTHER_MID)
    sandbox.forget_order(MID, "MKSUCCESSBUG3")
    [kept] = sandbox.journal("MKSUCCESSBUG3")
    assert kept["mid"] == OTHER_MID


def test_a_sandbox_never_started_answers_a_request_that_pays_and_queues_its_notification() -> None:
    sandbox = sandbox_for(Settings(seed=5))  # the exported facade, used without `await start()`
    created = send(sandbox, ORDER, "MKPAYNOWBUG4", totalAmount=100, notifyUrl=NOTIFY_URL)
    assert created["errCode"] == "SUCCESS"
    assert sandbox.order(MID, "MKPAYNOWBUG4")["status"] == "TRADE_SUCCESS"
    [queued] = sandbox.notifications(MID, "MKPAYNOWBUG4")
    assert (queued["kind"], queued["state"], queued["attempts"]) == ("payment", "pending", [])


def test_a_bill_never_takes_over_another_orders_merOrderId() -> None:
    """A paid netpay order holds the merOrderId a bill's first payment would take (billNo + "0")."""
    sandbox = sandbox_for(Settings(seed=5))
    bill_no = "3194BUG5000001"
    send(sandbox, ORDER, f"{bill_no}0", totalAmount=100)
    sandbox.pay(MID, f"{bill_no}0")
    created = send(sandbox, GET_QRCODE, "", billNo=bill_no, billDate="2026-05-29", totalAmount=360,
                   instMid="QRPAYDEFAULT")
    assert created["errCode"] == "SUCCESS"
    bill = send(sandbox, BILL_QUERY, "", billNo=bill_no, billDate="2026-05-29", instMid="QRPAYDEFAULT")
    assert (bill["billStatus"], bill["totalAmount"]) == ("UNPAID", 360)
    assert "billPayment" not in bill
    untouched = sandbox.order(MID, f"{bill_no}0")
    assert (untouched["status"], untouched["totalAmount"]) == ("TRADE_SUCCESS", 100)
    assert sandbox.order(MID, f"{bill_no}1")["totalAmount"] == 360  # the bill's payment took the next digit


def test_the_bill_store_is_capped_by_configuration_and_a_dropped_code_takes_its_bills() -> None:
    sandbox = sandbox_for(Settings(seed=5, max_qr_codes=2))
    for number in range(3):
        send(sandbox, GET_QRCODE, "", billNo=f"3194BUG6{number:06d}", billDate="2026-05-29", totalAmount=1,
             instMid="QRPAYDEFAULT")
    gone = send(sandbox, BILL_QUERY, "", billNo="3194BUG6000000", billDate="2026-05-29", instMid="QRPAYDEFAULT")
    assert gone["errCode"] == "NO_BILL"
    kept = send(sandbox, BILL_QUERY, "", billNo="3194BUG6000002", billDate="2026-05-29", instMid="QRPAYDEFAULT")
    assert kept["errCode"] == "SUCCESS"

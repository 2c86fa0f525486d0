"""The bundled stories of the browser-paid lines, reached by their magic ids with no YAML written, and the
lifecycle plans (pay after queries, after seconds, notification faults) applied to QR-code bills."""

from __future__ import annotations

import json

import chinaums_client
from bills_client import REFUND, UPDATE, bills, one_time, query, today
from conftest import Caller, Receiver, notification_signature_valid, story

from mockums.config import DEMO_APP


@story("qr-expires-unscanned")
async def test_a_qr_code_that_expires_unscanned(caller: Caller) -> None:
    created = await one_time(caller, "MKQREXPIRE0001")
    caller.sandbox.move_clock(advance=59)
    assert (await query(caller, "MKQREXPIRE0001"))["billStatus"] == "UNPAID"
    caller.sandbox.move_clock(advance=1)
    assert (await query(caller, "MKQREXPIRE0001"))["billStatus"] == "CLOSED"
    page = await caller.get(created["billQRCode"])
    assert "二维码已失效" in page.text
    update = (await bills(caller, UPDATE, qrCodeId=created["qrCodeId"], billDesc="late")).json
    assert (update["errCode"], update["errMsg"]) == ("OPERATION_NOT_ALLOWED", "二维码已失效 (已过期)")


@story("bill-paid-twice")
async def test_a_bill_paid_twice(caller: Caller, receiver: Receiver) -> None:
    await one_time(caller, "MKBILLTWICE0001", notifyUrl=receiver.url)
    received = await receiver.wait_for(2)
    payments = [json.loads(note.form["billPayment"])["merOrderId"] for note in received]
    assert sorted(payments) == ["MKBILLTWICE00010", "MKBILLTWICE00011"]
    assert {note.form["billNo"] for note in received} == {"MKBILLTWICE0001"}
    assert len({note.form["notifyId"] for note in received}) == 2
    assert all(notification_signature_valid(n.form, DEMO_APP.notify_key, default="MD5") for n in received)
    shown = await query(caller, "MKBILLTWICE0001")
    assert (shown["billStatus"], shown["billPayment"]["merOrderId"]) == ("PAID", "MKBILLTWICE00011")
    extra = (await bills(caller, REFUND, billNo="MKBILLTWICE0001", billDate=today(), merOrderId="MKBILLTWICE00010",
                         refundAmount=360, refundOrderId="MKBILLTWICE0001R")).json
    assert (extra["errCode"], extra["merOrderId"], extra["refundAmount"]) == ("SUCCESS", "MKBILLTWICE00010", 360)


@story("h5-abandoned")
async def test_an_h5_order_abandoned_at_the_cashier(caller: Caller, receiver: Receiver) -> None:
    content = chinaums_client.h5_content("MKH5ABANDON0001", notifyUrl=receiver.url, returnUrl="http://127.0.0.1:9/r")
    link = (await caller.form("/v1/netpay/trade/h5-pay", content)).headers["Location"]
    left = await caller.post_form(link, {"action": "leave"})
    assert left.status == 200 and "订单未支付" in left.text
    caller.sandbox.move_clock(advance=119)
    assert (await caller.call("/v1/netpay/query", "MKH5ABANDON0001", instMid="H5DEFAULT")).json["status"] == (
        "NEW_ORDER")
    caller.sandbox.move_clock(advance=1)
    assert (await caller.call("/v1/netpay/query", "MKH5ABANDON0001", instMid="H5DEFAULT")).json["status"] == (
        "TRADE_CLOSED")
    await caller.wait_idle()
    assert receiver.received == []


async def test_a_bill_paid_after_two_queries(caller: Caller) -> None:
    await one_time(caller, "MKPAYQ2BILL01")
    assert [(await query(caller, "MKPAYQ2BILL01"))["billStatus"] for _ in range(3)] == ["UNPAID", "UNPAID", "PAID"]


async def test_a_bill_paid_after_five_seconds_of_sandbox_time(caller: Caller, receiver: Receiver) -> None:
    await one_time(caller, "MKPAY5SBILL01", notifyUrl=receiver.url)
    caller.sandbox.move_clock(advance=5)
    form = (await receiver.wait_for(1))[0].form
    assert (form["billNo"], form["billStatus"]) == ("MKPAY5SBILL01", "PAID")
    assert (await query(caller, "MKPAY5SBILL01"))["billStatus"] == "PAID"


async def test_a_bill_notification_signed_with_the_wrong_key(caller: Caller, receiver: Receiver) -> None:
    await one_time(caller, "MKNOTIFYBADSIGBILL1", notifyUrl=receiver.url)  # the scenario pays it at once
    form = (await receiver.wait_for(1))[0].form
    assert not notification_signature_valid(form, DEMO_APP.notify_key, default="MD5")


async def test_a_scripted_failure_leaves_the_bill_alone(caller: Caller) -> None:
    refused = await bills(caller, "/v1/netpay/bills/get-qrcode", billNo="MKSYSERRBILL1", billDate=today(),
                          totalAmount=1)
    assert (refused.json["errCode"], refused.headers["X-Mockums-Scenario"]) == ("INTERNAL_ERROR", "system-error")
    assert (await query(caller, "MKSYSERRBILL1"))["errCode"] == "INTERNAL_ERROR"
    caller.sandbox.remove_scenario("system-error")
    assert (await query(caller, "MKSYSERRBILL1"))["errCode"] == "NO_BILL"

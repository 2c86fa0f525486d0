"""Whole payment stories over HTTP, the way an integrator's code drives them: create, query until
paid, receive and verify the notification, refund, query the refund."""

from __future__ import annotations

import asyncio

import pytest
from conftest import Caller, MakeCaller, Receiver, notification_signature_valid
from lifecycle_helpers import (
    ALI_ORDER,
    ALI_QUERY,
    CLOSE,
    MID,
    MINI_ORDER,
    QUERY,
    REFUND,
    REFUND_QUERY,
    WX_CLOSE,
    WX_QUERY,
    create,
    pay,
)

from mockums.config import DEMO_APP


async def test_whole_story_create_pay_notify_refund(caller: Caller, receiver: Receiver) -> None:
    created = await create(caller, "3194202611260400", receiver, orderDesc="测试订单", attachedData="cart=7")
    assert created["errCode"] == "SUCCESS"
    assert (created["status"], created["totalAmount"], created["targetSys"]) == ("WAIT_BUYER_PAY", 360, "WXPay")
    pay_request = created["appPayRequest"]
    assert set(pay_request) == {"appid", "partnerid", "prepayid", "package", "noncestr", "timestamp", "sign"}
    assert pay_request["package"] == "Sign=WXPay"

    unpaid = (await caller.call(WX_QUERY, "3194202611260400")).json
    assert (unpaid["errCode"], unpaid["status"], unpaid["targetStatus"]) == ("SUCCESS", "WAIT_BUYER_PAY", "SUCCESS|NOTPAY")
    assert "payTime" not in unpaid

    await pay(caller, "3194202611260400")
    [note] = await receiver.wait_for(1)
    form = note.form
    assert note.content_type == "application/x-www-form-urlencoded"
    assert notification_signature_valid(form, DEMO_APP.notify_key)
    assert (form["status"], form["merOrderId"], form["totalAmount"], form["signType"]) == (
        "TRADE_SUCCESS", "3194202611260400", "360", "SHA256")
    assert (form["mid"], form["tid"], form["instMid"], form["targetSys"]) == (MID, "88880001", "APPDEFAULT", "WXPay")
    assert (form["orderDesc"], form["attachedData"]) == ("测试订单", "cart=7")
    assert form["seqId"] == created["seqId"]
    for name in ("notifyId", "ns", "payTime", "buyerId", "targetOrderId", "createTime", "billFunds"):
        assert form[name], name

    paid = (await caller.call(QUERY, "3194202611260400")).json
    assert (paid["status"], paid["targetStatus"], paid["buyerPayAmount"]) == ("TRADE_SUCCESS", "SUCCESS|SUCCESS", 360)
    assert paid["payTime"] == form["payTime"]
    assert paid["targetOrderId"] == form["targetOrderId"]

    refunded = (await caller.call(REFUND, "3194202611260400", refundAmount=100, refundOrderId="3194R0000001")).json
    assert (refunded["errCode"], refunded["refundStatus"], refunded["status"]) == ("SUCCESS", "SUCCESS", "TRADE_REFUND")
    assert (refunded["refundOrderId"], refunded["refundAmount"]) == ("3194R0000001", 100)
    [_, refund_note] = await receiver.wait_for(2)
    assert notification_signature_valid(refund_note.form, DEMO_APP.notify_key)
    assert (refund_note.form["status"], refund_note.form["refundOrderId"], refund_note.form["refundAmount"]) == (
        "TRADE_REFUND", "3194R0000001", "100")
    assert refund_note.form["notifyId"] != form["notifyId"]

    queried = (await caller.call(REFUND_QUERY, "3194202611260400", refundOrderId="3194R0000001")).json
    assert (queried["refundStatus"], queried["refundAmount"], queried["sendBackAmount"]) == ("SUCCESS", 100, 100)
    after = (await caller.call(QUERY, "3194202611260400")).json
    assert (after["status"], after["refundAmount"]) == ("TRADE_REFUND", 100)


async def test_re_creating_an_order_is_dup_order(caller: Caller) -> None:
    await create(caller, "3194202611260401")
    again = await create(caller, "3194202611260401")
    assert (again["errCode"], again["errMsg"]) == ("DUP_ORDER", "重复订单")
    assert "status" not in again


async def test_mini_program_order_answers_mini_pay_request(caller: Caller) -> None:
    created = await create(caller, "3194202611260402", path=MINI_ORDER, instMid="MINIDEFAULT", tradeType="MINI",
                           subAppId="wx1234567890abcdef", subOpenId="o-user-1")
    mini = created["miniPayRequest"]
    assert set(mini) == {"appId", "timeStamp", "nonceStr", "package", "signType", "paySign"}
    assert mini["appId"] == "wx1234567890abcdef"
    assert mini["package"].startswith("prepay_id=wx")
    missing = await caller.call(MINI_ORDER, "3194202611260403", instMid="MINIDEFAULT", totalAmount=1, tradeType="MINI")
    assert missing.json["errMsg"] == ("请求报文有错: subOpenId: is missing or empty "
                                      "(rule: required, at most 128 characters)")


async def test_alipay_order_is_new_until_paid(caller: Caller) -> None:
    created = await create(caller, "3194202611260404", path=ALI_ORDER)
    assert (created["status"], created["targetSys"]) == ("NEW_ORDER", "Alipay 2.0")
    assert created["appPayRequest"] == {"qrCode": created["qrCode"], "msgType": "trade.precreate"}
    queried = (await caller.call(ALI_QUERY, "3194202611260404")).json
    assert (queried["errCode"], queried["errMsg"], queried["targetStatus"]) == (
        "SUCCESS", "交易不存在", "40004|ACQ.TRADE_NOT_EXIST")


async def test_query_by_target_order_id(caller: Caller) -> None:
    created = await create(caller, "3194202611260405")
    target = (await caller.call(QUERY, "3194202611260405")).json["targetOrderId"]
    by_target = (await caller.call(QUERY, None, targetOrderId=target)).json
    assert (by_target["merOrderId"], by_target["seqId"]) == ("3194202611260405", created["seqId"])
    neither = (await caller.call(QUERY, None)).json
    assert neither["errMsg"] == ("请求报文有错: merOrderId or targetOrderId: both are missing or empty "
                                 "(rule: at least one of merOrderId, targetOrderId)")


@pytest.mark.parametrize("path", [QUERY, WX_QUERY, CLOSE, WX_CLOSE, REFUND, REFUND_QUERY])
async def test_unknown_orders_are_no_order(caller: Caller, path: str) -> None:
    body = (await caller.call(path, "3194202611260406", refundAmount=1)).json
    assert (body["errCode"], body["errMsg"]) == ("NO_ORDER", "无法找到指定的订单")
    assert "status" not in body and "totalAmount" not in body and "seqId" not in body
    assert caller.sandbox.orders() == []


@pytest.mark.parametrize("path", [QUERY, CLOSE, REFUND, REFUND_QUERY])
async def test_assume_orders_brings_back_the_old_convenience(make_caller: MakeCaller, path: str) -> None:
    caller = await make_caller(assume_orders=True)
    body = (await caller.call(path, "3194202611260408", refundAmount=1)).json
    expected = {QUERY: ("SUCCESS", "WAIT_BUYER_PAY"), CLOSE: ("SUCCESS", "TRADE_CLOSED"),
                REFUND: ("OPERATION_NOT_ALLOWED", "WAIT_BUYER_PAY"), REFUND_QUERY: ("NO_ORDER", None)}[path]
    assert (body["errCode"], body.get("status")) == expected


async def test_closed_orders_allow_no_operation(caller: Caller) -> None:
    await create(caller, "3194202611260407")
    assert (await caller.call(CLOSE, "3194202611260407")).json["errCode"] == "SUCCESS"
    refund = (await caller.call(REFUND, "3194202611260407", refundAmount=1)).json
    assert (refund["errCode"], refund["errMsg"]) == ("OPERATION_NOT_ALLOWED", "订单已关闭")
    again = (await caller.call(WX_CLOSE, "3194202611260407")).json
    assert (again["errCode"], again["errMsg"]) == ("OPERATION_NOT_ALLOWED", "订单已关闭")
    async with caller.client.post(f"/__mockums/orders/{MID}/3194202611260407/pay") as response:
        assert response.status == 409


async def test_closing_a_paid_order_fails(caller: Caller) -> None:
    await create(caller, "3194202611260408")
    await pay(caller, "3194202611260408")
    body = (await caller.call(CLOSE, "3194202611260408")).json
    assert (body["errCode"], body["errMsg"], body["status"]) == ("TARGET_FAIL", "订单已支付，不能发起关单", "TRADE_SUCCESS")


async def test_refunds_add_up_are_idempotent_and_capped(caller: Caller) -> None:
    await create(caller, "3194202611260409", totalAmount=1000)
    unpaid = (await caller.call(REFUND, "3194202611260409", refundAmount=1)).json
    assert (unpaid["errCode"], unpaid["errMsg"]) == ("OPERATION_NOT_ALLOWED", "订单未支付，不能退款")
    await pay(caller, "3194202611260409")
    first = (await caller.call(REFUND, "3194202611260409", refundAmount=600, refundOrderId="R3194000001")).json
    repeat = (await caller.call(REFUND, "3194202611260409", refundAmount=600, refundOrderId="R3194000001")).json
    assert first["refundTargetOrderId"] == repeat["refundTargetOrderId"]
    too_much = (await caller.call(REFUND, "3194202611260409", refundAmount=401, refundOrderId="R3194000002")).json
    assert (too_much["errCode"], too_much["errMsg"]) == ("OPERATION_NOT_ALLOWED", "退款金额超过可退金额 (可退 400 分)")
    rest = (await caller.call(REFUND, "3194202611260409", refundAmount="400", refundOrderId="R3194000003")).json
    assert rest["refundStatus"] == "SUCCESS"
    order = (await caller.call(QUERY, "3194202611260409")).json
    assert (order["refundAmount"], order["status"]) == (1000, "TRADE_REFUND")
    latest = (await caller.call(REFUND_QUERY, "3194202611260409")).json
    assert latest["refundOrderId"] == "R3194000003"
    unknown = (await caller.call(REFUND_QUERY, "3194202611260409", refundOrderId="R3194000009")).json
    assert (unknown["errCode"], unknown["errMsg"]) == ("NO_ORDER", "无法找到指定的退款订单")


async def test_unpaid_order_expires_at_expire_time(caller: Caller) -> None:
    caller.sandbox.clock.freeze()
    moment = caller.sandbox.clock.beijing()
    expire = (moment.replace(microsecond=0)).strftime("%Y-%m-%d %H:%M:%S")
    import datetime

    later = (moment + datetime.timedelta(minutes=5)).strftime("%Y-%m-%d %H:%M:%S")
    await create(caller, "3194202611260410", expireTime=later, requestTimestamp=expire)
    caller.sandbox.clock.advance(299)
    assert (await caller.call(QUERY, "3194202611260410", requestTimestamp=expire)).json["status"] == "WAIT_BUYER_PAY"
    caller.sandbox.clock.advance(2)
    assert (await caller.call(QUERY, "3194202611260410", requestTimestamp=expire)).json["status"] == "TRADE_CLOSED"


async def test_default_expiry_is_thirty_minutes(caller: Caller) -> None:
    await create(caller, "3194202611260411")
    caller.sandbox.clock.advance(30 * 60 + 1)
    assert (await caller.call(QUERY, "3194202611260411")).json["status"] == "TRADE_CLOSED"


async def test_a_failing_receiver_never_slows_requests(make_caller: MakeCaller, receiver: Receiver) -> None:
    caller = await make_caller(notify_schedule=(0, 5), notify_timeout=60)
    receiver.gate = asyncio.Event()  # the receiver takes the notification and does not answer until let
    await create(caller, "3194202611260412", receiver)
    await pay(caller, "3194202611260412")
    await receiver.wait_for(1)
    for _ in range(20):  # answered while the notification attempt waits on the receiver…
        assert (await caller.call(QUERY, "3194202611260412")).json["status"] == "TRADE_SUCCESS"
    [delivery] = caller.sandbox.notifications(mer_order_id="3194202611260412")
    assert (delivery["state"], delivery["attempts"]) == ("pending", [])  # …which is still unanswered
    receiver.gate.set()
    await caller.attempted("3194202611260412", 1)


async def test_md5_notifications_when_the_app_asks(make_caller: MakeCaller, receiver: Receiver) -> None:
    from mockums.config import App

    md5_app = App("mockums0md5app000000000000000003", "md5-app-key", "md5", "md5-notify-key", "MD5")
    caller = await make_caller(apps=(md5_app,))
    await create(caller, "3194202611260413", receiver, app=md5_app)
    async with caller.client.post(f"/__mockums/orders/{MID}/3194202611260413/pay") as response:
        assert response.status == 200
    [note] = await receiver.wait_for(1)
    assert note.form["signType"] == "MD5"
    assert notification_signature_valid(note.form, "md5-notify-key")


async def test_the_notify_key_never_leaks(caller: Caller, receiver: Receiver, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    await create(caller, "3194202611260414", receiver)
    order = await pay(caller, "3194202611260414")
    [note] = await receiver.wait_for(1)
    async with caller.client.get("/__mockums/journal") as response:
        journal = await response.text()
    for text in (str(order), str(note.form), journal, caplog.text):
        assert DEMO_APP.notify_key not in text
        assert DEMO_APP.app_key not in text

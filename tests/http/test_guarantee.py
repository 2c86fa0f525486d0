"""担保 (guarantee) orders over HTTP, signed as the SDK samples sign: an order created with secureTransaction true is
paid, then completed in part or in full (the rest refunded to the buyer) or cancelled, by request or by itself 30
days of sandbox time after payment; its secureStatus and completeAmount show in queries and notifications."""

from __future__ import annotations

from datetime import datetime, timedelta

import chinaums_client
from conftest import Caller, Receiver, notification_signature_valid
from lifecycle_helpers import ALI_ORDER, CLOSE, MID, QUERY, REFUND, REFUND_QUERY, WX_ORDER, control, create, pay

from mockums.config import DEMO_APP

COMPLETE, CANCEL = "/v1/netpay/secure-complete", "/v1/netpay/secure-cancel"
THIRTY_DAYS = 30 * 24 * 3600
# What every answer of these calls carries, errors included (the common head and the echoed ids).
ECHOED = {"errCode", "errMsg", "responseTimestamp", "mid", "tid", "instMid", "srcReserve", "merOrderId"}
COMPLETE_FIELDS = ECHOED | {"connectSys", "merName", "seqId", "settleRefId", "targetMid", "status", "targetSys",
                            "totalAmount", "targetOrderId", "secureStatus", "completedAmount", "cardAttr"}
CANCEL_FIELDS = ECHOED | {"secureStatus", "completedAmount", "totalAmount"}


async def paid_guarantee(caller: Caller, order_id: str, receiver: Receiver | None = None, *, path: str = WX_ORDER,
                         flag: object = "true") -> None:
    """A guarantee order of 360 fen, created and paid (its payment notification received when `receiver`)."""
    await create(caller, order_id, receiver, path=path, secureTransaction=flag)
    await pay(caller, order_id)
    if receiver is not None:
        assert len(await receiver.wait_for(1)) == 1


async def refused(caller: Caller, path: str, order_id: str, **fields: object) -> tuple[str, str]:
    """The code and message of a refusal, which shows no order fields (as the documented HAS_CANCELLED answer)."""
    answer = await caller.call(path, order_id, **fields)
    assert answer.status == 200, answer.text
    assert set(answer.json) == ECHOED, answer.json
    return answer.json["errCode"], answer.json["errMsg"]


async def test_a_guarantee_order_shows_its_secure_status_in_queries_and_its_payment_notification(
        caller: Caller, receiver: Receiver) -> None:
    order_id = "31940000000000000001"
    created = await create(caller, order_id, receiver, secureTransaction="true")
    assert created["errCode"] == "SUCCESS" and "secureStatus" not in created
    unpaid = (await caller.call(QUERY, order_id)).json
    assert (unpaid["status"], unpaid["secureStatus"], unpaid["completeAmount"]) == ("WAIT_BUYER_PAY", "UNCOMPLETED", 0)

    await pay(caller, order_id)
    [note] = await receiver.wait_for(1)
    assert notification_signature_valid(note.form, DEMO_APP.notify_key)
    assert (note.form["status"], note.form["secureStatus"], note.form["completeAmount"]) == (
        "TRADE_SUCCESS", "UNCOMPLETED", "0")
    paid = (await caller.call(QUERY, order_id)).json
    assert (paid["status"], paid["secureStatus"], paid["completeAmount"], paid["totalAmount"]) == (
        "TRADE_SUCCESS", "UNCOMPLETED", 0, 360)


async def test_an_ordinary_order_shows_no_secure_fields(caller: Caller, receiver: Receiver) -> None:
    order_id = "31940000000000000002"
    await create(caller, order_id, receiver, secureTransaction="false")
    await pay(caller, order_id)
    [note] = await receiver.wait_for(1)
    assert "secureStatus" not in note.form and "completeAmount" not in note.form
    paid = (await caller.call(QUERY, order_id)).json
    assert "secureStatus" not in paid and "completeAmount" not in paid


async def test_a_partial_completion_refunds_the_rest_to_the_buyer(caller: Caller, receiver: Receiver) -> None:
    order_id = "31940000000000000003"
    await paid_guarantee(caller, order_id, receiver, path=ALI_ORDER, flag=True)  # a JSON boolean is taken too
    answer = await caller.call(COMPLETE, order_id, completedAmount=200)
    done = answer.json
    assert set(done) == COMPLETE_FIELDS, done
    assert (done["errCode"], done["errMsg"], done["secureStatus"], done["completedAmount"], done["totalAmount"]) == (
        "SUCCESS", "担保完成成功", "PARTLY_COMPLETED", 200, 360)
    assert (done["status"], done["targetSys"], done["cardAttr"], done["merOrderId"]) == (
        "TRADE_REFUND", "Alipay 2.0", "BALANCE", order_id)

    [_, returned] = await receiver.wait_for(2)
    form = returned.form
    assert notification_signature_valid(form, DEMO_APP.notify_key)
    assert (form["status"], form["refundAmount"], form["secureStatus"], form["completeAmount"]) == (
        "TRADE_REFUND", "160", "PARTLY_COMPLETED", "200")
    assert form["refundOrderId"].startswith(order_id[:4]) and form["refundOrderId"].endswith("R")

    refund = (await caller.call(REFUND_QUERY, order_id)).json  # the latest refund: the rest returned
    assert (refund["errCode"], refund["refundStatus"], refund["refundAmount"], refund["refundOrderId"]) == (
        "SUCCESS", "SUCCESS", 160, form["refundOrderId"])
    query = (await caller.call(QUERY, order_id)).json
    assert (query["status"], query["secureStatus"], query["completeAmount"], query["refundAmount"]) == (
        "TRADE_REFUND", "PARTLY_COMPLETED", 200, 160)

    # What was completed may be refunded later like any payment, and no more than that.
    too_much = (await caller.call(REFUND, order_id, refundAmount=201)).json
    assert (too_much["errCode"], too_much["errMsg"]) == ("OPERATION_NOT_ALLOWED", "退款金额超过可退金额 (可退 200 分)")
    later = (await caller.call(REFUND, order_id, refundAmount=200, refundOrderId=f"{order_id}R")).json
    assert (later["errCode"], later["refundStatus"], later["refundAmount"]) == ("SUCCESS", "SUCCESS", 200)


async def test_a_whole_completion_refunds_nothing_and_cannot_be_repeated_or_cancelled(
        caller: Caller, receiver: Receiver) -> None:
    order_id = "31940000000000000004"
    await paid_guarantee(caller, order_id, receiver)
    done = (await caller.call(COMPLETE, order_id, completedAmount="360")).json  # a digit string, as the samples send
    assert set(done) == COMPLETE_FIELDS, done
    assert (done["errMsg"], done["secureStatus"], done["completedAmount"], done["status"], done["targetSys"]) == (
        "担保完成成功", "ALL_COMPLETED", 360, "TRADE_SUCCESS", "WXPay")
    no_refund = (await caller.call(REFUND_QUERY, order_id)).json
    assert (no_refund["errCode"], no_refund["errMsg"]) == ("NO_ORDER", "无法找到指定的退款订单")
    query = (await caller.call(QUERY, order_id)).json
    assert (query["status"], query["secureStatus"], query["completeAmount"]) == ("TRADE_SUCCESS", "ALL_COMPLETED", 360)
    assert "refundAmount" not in query

    assert await refused(caller, COMPLETE, order_id, completedAmount=1) == ("OPERATION_NOT_ALLOWED", "该笔担保交易已完成")
    assert await refused(caller, CANCEL, order_id) == ("OPERATION_NOT_ALLOWED", "该笔担保交易已完成")
    # Thirty days later it is still completed: only an uncompleted guarantee cancels itself.
    await control(caller, "POST", "/clock", json={"advance": THIRTY_DAYS + 86400})
    still = (await caller.call(QUERY, order_id)).json
    assert (still["status"], still["secureStatus"]) == ("TRADE_SUCCESS", "ALL_COMPLETED")
    assert len(receiver.received) == 1  # the payment's notification only: nothing was returned


async def test_a_cancel_refunds_everything_and_a_repeat_answers_has_cancelled(caller: Caller, receiver: Receiver) -> None:
    order_id = "31940000000000000005"
    await paid_guarantee(caller, order_id, receiver)
    answer = (await caller.call(CANCEL, order_id)).json
    assert set(answer) == CANCEL_FIELDS, answer
    assert (answer["errCode"], answer["errMsg"], answer["secureStatus"], answer["completedAmount"],
            answer["totalAmount"], answer["merOrderId"]) == ("SUCCESS", "担保撤销成功", "CANCELED", 0, 360, order_id)

    [_, returned] = await receiver.wait_for(2)
    assert notification_signature_valid(returned.form, DEMO_APP.notify_key)
    assert (returned.form["status"], returned.form["refundAmount"], returned.form["secureStatus"],
            returned.form["completeAmount"]) == ("TRADE_REFUND", "360", "CANCELED", "0")
    refund = (await caller.call(REFUND_QUERY, order_id, refundOrderId=returned.form["refundOrderId"])).json
    assert (refund["refundStatus"], refund["refundAmount"]) == ("SUCCESS", 360)
    query = (await caller.call(QUERY, order_id)).json
    assert (query["status"], query["secureStatus"], query["completeAmount"], query["refundAmount"]) == (
        "TRADE_REFUND", "CANCELED", 0, 360)

    assert await refused(caller, CANCEL, order_id) == ("HAS_CANCELLED", "该笔担保交易已撤销")
    assert await refused(caller, COMPLETE, order_id, completedAmount=360) == ("HAS_CANCELLED", "该笔担保交易已撤销")
    again = (await caller.call(REFUND, order_id, refundAmount=1)).json
    assert (again["errCode"], again["errMsg"]) == ("HAS_CANCELLED", "该笔担保交易已撤销")


async def test_what_a_guarantee_refuses(caller: Caller) -> None:
    unpaid, paid, ordinary, closed = (f"3194000000000000001{n}" for n in range(4))
    await create(caller, unpaid, secureTransaction="true")
    assert await refused(caller, COMPLETE, unpaid, completedAmount=1) == (
        "OPERATION_NOT_ALLOWED", "订单未支付，不能担保完成")
    assert await refused(caller, CANCEL, unpaid) == ("OPERATION_NOT_ALLOWED", "订单未支付，不能担保撤销")

    await paid_guarantee(caller, paid)
    assert await refused(caller, COMPLETE, paid, completedAmount=361) == (
        "OPERATION_NOT_ALLOWED", "担保完成金额超过订单金额 (订单金额 360 分)")
    held = (await caller.call(REFUND, paid, refundAmount=1)).json  # neither completed nor cancelled yet
    assert (held["errCode"], held["errMsg"], held["status"]) == (
        "OPERATION_NOT_ALLOWED", "担保未完成的交易不允许直接做反交易", "TRADE_SUCCESS")
    missing = (await caller.call(COMPLETE, paid)).json
    assert missing["errCode"] == "BAD_REQUEST" and "completedAmount" in missing["errMsg"]

    await create(caller, ordinary)
    await pay(caller, ordinary)
    assert await refused(caller, COMPLETE, ordinary, completedAmount=1) == (
        "OPERATION_NOT_ALLOWED", "非担保交易，不能担保完成")
    assert await refused(caller, CANCEL, ordinary) == ("OPERATION_NOT_ALLOWED", "非担保交易，不能担保撤销")

    await create(caller, closed, secureTransaction="true")
    assert (await caller.call(CLOSE, closed)).json["status"] == "TRADE_CLOSED"
    assert await refused(caller, CANCEL, closed) == ("OPERATION_NOT_ALLOWED", "订单已关闭")
    assert await refused(caller, COMPLETE, "31940000000000009999", completedAmount=1) == (
        "NO_ORDER", "无法找到指定的订单")


async def test_a_paid_guarantee_neither_completed_nor_cancelled_cancels_itself_after_30_days(
        caller: Caller, receiver: Receiver) -> None:
    order_id = "31940000000000000006"
    await paid_guarantee(caller, order_id, receiver)
    pay_time = (await caller.call(QUERY, order_id)).json["payTime"]

    await control(caller, "POST", "/clock", json={"advance": THIRTY_DAYS - 60})
    waiting = (await caller.call(QUERY, order_id)).json
    assert (waiting["status"], waiting["secureStatus"]) == ("TRADE_SUCCESS", "UNCOMPLETED")
    assert len(receiver.received) == 1

    await control(caller, "POST", "/clock", json={"advance": 61})
    [_, returned] = await receiver.wait_for(2)
    assert (returned.form["status"], returned.form["refundAmount"], returned.form["secureStatus"]) == (
        "TRADE_REFUND", "360", "CANCELED")
    due = datetime.strptime(pay_time, "%Y-%m-%d %H:%M:%S") + timedelta(seconds=THIRTY_DAYS)
    assert returned.form["refundPayTime"] == f"{due:%Y-%m-%d %H:%M:%S}"  # at the moment it fell due
    query = (await caller.call(QUERY, order_id)).json
    assert (query["status"], query["secureStatus"], query["completeAmount"], query["refundAmount"]) == (
        "TRADE_REFUND", "CANCELED", 0, 360)
    assert await refused(caller, CANCEL, order_id) == ("HAS_CANCELLED", "该笔担保交易已撤销")
    history = [line["event"] for line in caller.sandbox.order(MID, order_id)["history"]]
    assert any("CANCELED" in line and "30 days after payment" in line for line in history), history


async def test_an_h5_order_sent_with_secure_transaction_is_a_guarantee_too(caller: Caller) -> None:
    # The H5 create content declares secureTransaction as the create calls do; its order is the ledger's.
    order_id = "3194H5SECURE01"
    content = chinaums_client.h5_content(order_id, secureTransaction="true")
    assert (await caller.form("/v1/netpay/trade/h5-pay", content)).status == 302
    caller.sandbox.pay(MID, order_id)
    done = (await caller.call(COMPLETE, order_id, instMid="H5DEFAULT", completedAmount=100)).json
    assert (done["errCode"], done["secureStatus"], done["completedAmount"], done["targetSys"]) == (
        "SUCCESS", "PARTLY_COMPLETED", 100, "Alipay 2.0")
    refund = (await caller.call(REFUND_QUERY, order_id, instMid="H5DEFAULT")).json
    assert (refund["refundStatus"], refund["refundAmount"]) == ("SUCCESS", 260)

"""The cases POS-link integrators need, with no YAML: magic payment codes (a password to enter, a lost answer with
or without the money moving, each trade failure) and the bundled POS-link stories, over HTTP."""

from __future__ import annotations

import json

import aiohttp
import pytest
from conftest import Caller, MakeCaller, story
from pos_client import ALIPAY, UNIONPAY, V2, V6, WECHAT, call, magic, pay, pay_body

FAILURES = {"6003": "03", "6013": "13", "6022": "22", "6025": "25", "6030": "30", "6057": "57", "6061": "61",
            "6064": "64", "6094": "94", "6096": "96", "6097": "97", "6098": "A7", "6099": "ER"}
MESSAGES = {"03": "无效商户", "13": "无效金额", "22": "原交易不存在", "25": "找不到原始交易", "30": "报文格式错误",
            "57": "不允许此交易", "61": "超出金额限制", "64": "原始金额错误", "94": "重复交易", "96": "系统异常",
            "97": "终端未登记", "A7": "安全处理失败", "ER": "交易失败"}


async def lost(caller: Caller, order_id: str, code: str, path: str = f"{V2}/pay") -> None:
    """A pay whose answer never comes: the client sees the connection fail."""
    with pytest.raises(aiohttp.ClientError):
        await caller.signed(path, json.dumps(pay_body(order_id, 9, code)).encode())


async def test_a_password_payment_is_paying_until_its_queries_then_paid(caller: Caller) -> None:
    paying = await pay(caller, "PW0001", 5, magic("1002"))
    assert (paying["errCode"], paying["errInfo"]) == ("ER", "用户支付中,请稍后查询 (USERPAYING)")
    assert len(paying["orderId"]) == 26
    for _ in range(2):
        found = await call(caller, "query", merchantOrderId="PW0001")
        assert (found["queryResCode"], found["queryResDesc"]) == ("FF", "交易状态未知,用户支付中")
    found = await call(caller, "query", merchantOrderId="PW0001")
    assert (found["queryResCode"], found["queryResDesc"], found["amount"]) == ("0", "成功", 5)


async def test_a_password_payment_can_fail_after_its_queries(caller: Caller) -> None:
    await pay(caller, "PW0002", 5, magic("2001", "28", 18))  # an Alipay code
    assert (await call(caller, "query", merchantOrderId="PW0002"))["queryResCode"] == "FF"
    failed = await call(caller, "query", merchantOrderId="PW0002")
    assert (failed["queryResCode"], failed["queryResDesc"], failed["thirdPartyName"]) == (
        "5", "交易失败: 用户取消支付", "支付宝钱包")
    refund = await call(caller, "refund", merchantOrderId="PW0002", refundRequestId="R1", transactionAmount=1)
    assert (refund["errCode"], refund["errInfo"]) == ("57", "不允许此交易: 原交易状态为failed")


async def test_a_password_payment_settles_on_sandbox_time(caller: Caller) -> None:
    await pay(caller, "PW0003", 5, magic("3060"))
    await pay(caller, "PW0004", 5, magic("4060", "62", 19))  # a UnionPay code
    assert (await call(caller, "query", merchantOrderId="PW0003"))["queryResCode"] == "FF"
    caller.sandbox.move_clock(advance=61)
    assert (await call(caller, "query", merchantOrderId="PW0003"))["queryResCode"] == "0"
    assert (await call(caller, "query", merchantOrderId="PW0004"))["queryResCode"] == "5"


async def test_each_trade_failure_code_from_a_magic_payment_code(caller: Caller) -> None:
    for number, (case, code) in enumerate(FAILURES.items()):
        order_id = f"FAIL{number:04d}"
        answer = await pay(caller, order_id, 5, magic(case))
        assert answer["errCode"] == code
        assert answer["errInfo"].startswith(MESSAGES[code] + " (magic payment code: refused with errCode")
        assert "orderId" not in answer
        assert (await call(caller, "query", merchantOrderId=order_id))["errCode"] == "25"  # nothing was paid


async def test_a_lost_answer_then_the_query_tells_whether_money_moved(make_caller: MakeCaller) -> None:
    caller = await make_caller(no_answer_hold=0.0)
    await lost(caller, "LOST0001", magic("5001"))
    await lost(caller, "LOST0002", magic("5002"))
    await lost(caller, "LOST0003", magic("5003"), f"{V6}/pay")
    await lost(caller, "LOST0004", magic("5004"))
    for order_id, code, description in (("LOST0001", "0", "成功"), ("LOST0002", "1", "交易超时"),
                                        ("LOST0003", "0", "成功"), ("LOST0004", "1", "交易超时")):
        found = await call(caller, "query", merchantOrderId=order_id)
        assert (found["errCode"], found["queryResCode"], found["queryResDesc"]) == ("00", code, description)
    [entry] = [e for e in caller.sandbox.journal(mer_order_id="LOST0003") if e["endpoint"].endswith("/pay")]
    assert (entry["fault"], entry["mid"], entry["merOrderId"]) == ("connection_reset", "898310060514001", "LOST0003")
    assert entry["scenario"]["forced"].startswith("fault connection_reset (magic payment code: the connection is")
    assert entry["why"].startswith("signature ok; fault connection_reset (magic payment code:"), entry["why"]


async def test_a_reversal_after_a_timeout(make_caller: MakeCaller) -> None:
    caller = await make_caller(no_answer_hold=0.0)
    await lost(caller, "REV0001", magic("5001"))
    await lost(caller, "REV0002", magic("5002"))
    for order_id in ("REV0001", "REV0002"):
        reversed_ = await call(caller, "reversepayment", merchantOrderId=order_id)
        assert (reversed_["errCode"], reversed_["errInfo"], reversed_["transactionAmount"]) == (
            "00", "10000成功响应码", 9)
        found = await call(caller, "query", merchantOrderId=order_id)
        assert (found["queryResCode"], found["queryResDesc"]) == ("4", "已冲正")
        refund = await call(caller, "refund", merchantOrderId=order_id, refundRequestId="R1", transactionAmount=1)
        assert refund["errCode"] == "57"


@story("pos-answer-lost")
async def test_story_pos_answer_lost(make_caller: MakeCaller) -> None:
    caller = await make_caller(no_answer_hold=0.0)
    await lost(caller, "MKPOSLOST0001", "134601952390095542")
    found = await call(caller, "query", merchantOrderId="MKPOSLOST0001")
    assert (found["errCode"], found["queryResCode"]) == ("00", "0")
    refund = await call(caller, "refund", merchantOrderId="MKPOSLOST0001", refundRequestId="R1", transactionAmount=1)
    assert refund["errCode"] == "00"


@story("pos-reset-then-reverse")
async def test_story_pos_reset_then_reverse(caller: Caller) -> None:
    await lost(caller, "MKPOSRESET0001", "134601952390095542")
    reversed_ = await call(caller, "reversepayment", merchantOrderId="MKPOSRESET0001")
    assert reversed_["errCode"] == "00"
    found = await call(caller, "query", merchantOrderId="MKPOSRESET0001")
    assert (found["queryResCode"], found["queryResDesc"]) == ("4", "已冲正")


@story("pos-password")
@story("pos-password-pay")
async def test_story_pos_password(caller: Caller) -> None:
    paying = await pay(caller, "MKPOSPASSWORD0001")
    assert (paying["errCode"], paying["errInfo"]) == ("ER", "用户支付中,请稍后查询 (USERPAYING)")
    codes = [(await call(caller, "query", merchantOrderId="MKPOSPASSWORD0001"))["queryResCode"] for _ in range(4)]
    assert codes == ["FF", "FF", "0", "0"]


@story("pos-terminal-unregistered")
async def test_story_pos_terminal_unregistered(caller: Caller) -> None:
    refused = await pay(caller, "MKPOS970001")
    assert refused == {"errCode": "97", "errInfo": "终端未登记", "merchantOrderId": "MKPOS970001"}


async def test_the_control_api_lists_a_pos_payment_and_pays_one_still_paying(caller: Caller) -> None:
    await pay(caller, "CTRL0001", 7, magic("1009", "28", 18))  # Alipay, paying for nine queries
    async with caller.client.get("/__mockums/orders?merOrderId=CTRL0001") as response:
        [listed] = await response.json()
    assert (listed["mid"], listed["line"], listed["status"], listed["targetSys"], listed["totalAmount"]) == (
        "898310060514001", "poslink", "WAIT_BUYER_PAY", "Alipay 2.0", 7)
    async with caller.client.post("/__mockums/orders/898310060514001/CTRL0001/pay") as response:
        paid = await response.json()
    assert (paid["status"], paid["calls"], paid["callFields"]) == (
        "TRADE_SUCCESS", {"void": f"{V2}/voidpayment", "refund": f"{V2}/refund"},
        {"amount": "transactionAmount", "request_id": "refundRequestId"})
    assert (await call(caller, "query", merchantOrderId="CTRL0001"))["queryResCode"] == "0"  # the customer paid


@story("pos-terminal-unregistered")
async def test_a_pay_the_story_refused_leaves_a_failed_payment_not_a_paid_one(caller: Caller) -> None:
    refused = await pay(caller, "MKPOS970002", 6)
    assert (refused["errCode"], refused["errInfo"]) == ("97", "终端未登记")
    found = await call(caller, "query", merchantOrderId="MKPOS970002")
    assert (found["errCode"], found["queryResCode"], found["queryResDesc"], found["orderStatus"],
            found["originalTransactionAmount"], found["originalPayCode"]) == (
        "00", "5", "交易失败: 97 终端未登记", "TRADE_CLOSED", 6, "134601952390095542")
    refund = await call(caller, "refund", merchantOrderId="MKPOS970002", refundRequestId="R1", transactionAmount=1)
    assert (refund["errCode"], refund["errInfo"]) == ("57", "不允许此交易: 原交易状态为failed")
    voided = await call(caller, "voidpayment", merchantOrderId="MKPOS970002")
    assert (voided["errCode"], voided["errInfo"]) == ("57", "不允许此交易: 原交易状态为failed")


async def test_forgetting_or_resetting_a_pos_payment_forgets_its_payment_code(caller: Caller) -> None:
    speaks = {"name": "fgt-query", "match": {"merOrderIdPrefix": "FGT", "endpoint": f"{V2}/query"},
              "respond": {"order_status": "TRADE_SUCCESS"}}
    async with caller.client.post("/__mockums/scenarios", json=speaks) as response:
        assert response.status == 201
    await pay(caller, "FGT0001", 4, ALIPAY)
    assert (await call(caller, "query", merchantOrderId="FGT0001"))["originalPayCode"] == ALIPAY
    async with caller.client.delete("/__mockums/orders/898310060514001/FGT0001") as response:
        assert (response.status, await response.json()) == (200, {"reset": True})
    # the scenario's world has the payment again, made by no pay: no payment code, not the forgotten one's
    found = await call(caller, "query", merchantOrderId="FGT0001")
    assert (found["errCode"], found["queryResCode"], found["thirdPartyName"]) == ("00", "0", "微信钱包")
    assert "originalPayCode" not in found
    await pay(caller, "FGT0002", 4, magic("1009"))  # paying for nine queries
    async with caller.client.post("/__mockums/reset") as response:
        assert response.status == 200
    async with caller.client.post("/__mockums/scenarios", json=speaks) as response:
        assert response.status == 201
    found = await call(caller, "query", merchantOrderId="FGT0002")
    assert (found["queryResCode"], found["orderStatus"]) == ("0", "TRADE_SUCCESS")
    assert "originalPayCode" not in found


async def test_a_payment_keeps_its_facts_as_long_as_its_order_is_kept(make_caller: MakeCaller) -> None:
    """A payment's code and ending are kept in its order, changed in the same update: when newer orders push older
    ones out (max_orders), the payment kept keeps them, though they were changed before the others were made."""
    caller = await make_caller(max_orders=2)
    await pay(caller, "KEEP0001", 4, ALIPAY)
    assert (await call(caller, "voidpayment", merchantOrderId="KEEP0001"))["errCode"] == "00"
    await pay(caller, "KEEP0002", 4, WECHAT)
    assert (await call(caller, "query", merchantOrderId="KEEP0001")).get("originalPayCode") == ALIPAY  # used last
    await pay(caller, "KEEP0003", 4, UNIONPAY)  # a third order over a cap of two: the least recently used goes
    gone = await call(caller, "query", merchantOrderId="KEEP0002")
    assert (gone["errCode"], gone["errInfo"]) == ("25", "找不到原始交易")
    found = await call(caller, "query", merchantOrderId="KEEP0001")
    assert (found["errCode"], found["queryResCode"], found["queryResDesc"], found.get("originalPayCode")) == (
        "00", "2", "已撤销", ALIPAY)


@story("pos-terminal-unregistered")
async def test_a_refused_pay_plays_no_case_of_its_magic_code(caller: Caller) -> None:
    """A pay a scenario refused made a failed payment: its payment code's password case (here, fail after one query)
    is not played, even when a later scenario puts the payment back to paying."""
    refused = await pay(caller, "MKPOS970003", 6, magic("2001"))
    assert (refused["errCode"], refused["errInfo"]) == ("97", "终端未登记")
    paying = {"name": "refused-paying", "match": {"merOrderId": "MKPOS970003", "endpoint": f"{V2}/query"},
              "respond": {"order_status": "WAIT_BUYER_PAY"}}
    async with caller.client.post("/__mockums/scenarios", json=paying) as response:
        assert response.status == 201
    found = [await call(caller, "query", merchantOrderId="MKPOS970003") for _ in range(3)]
    assert [(answer["errCode"], answer["queryResCode"], answer["orderStatus"]) for answer in found] == [
        ("00", "FF", "WAIT_BUYER_PAY")] * 3

"""分账 split settlement over HTTP, signed as the SDK samples sign: split and asynchronously split orders made by
the create calls, each rule a split breaks refused with BAD_REQUEST naming it, refunds of a split order with their
shares, and /v1/netpay/sub-orders-confirm (once, never after a refund); the query shows the split."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import Caller
from lifecycle_helpers import MID, QUERY, REFUND, WX_ORDER, control, create, pay

CONFIRM = "/v1/netpay/sub-orders-confirm"
PRECREATE = "/v1/netpay/trade/precreate"
SUB_A, SUB_B = "898201612340001", "898201612340002"
SPLIT = [{"mid": SUB_A, "merOrderId": "3194SUBA0000001", "totalAmount": 200},
         {"mid": SUB_B, "merOrderId": "3194SUBB0000001", "totalAmount": 100}]  # with platformAmount 60: 360


def split_fields(**changes: Any) -> dict[str, Any]:
    """A split of 360 fen: 60 to the platform, 200 and 100 to two sub-merchants."""
    return {"divisionFlag": True, "platformAmount": 60, "subOrders": SPLIT, **changes}


async def test_a_split_order_is_created_and_its_query_shows_the_split(caller: Caller) -> None:
    created = await create(caller, "31940000000001", **split_fields())
    assert (created["errCode"], created["errMsg"], created["totalAmount"], created["status"]) == (
        "SUCCESS", "", 360, "WAIT_BUYER_PAY")
    assert "subOrders" not in created  # the create answer is the documented one
    queried = (await caller.call(QUERY, "31940000000001")).json
    assert (queried["errCode"], queried["divisionFlag"], queried["platformAmount"], queried["subOrders"]) == (
        "SUCCESS", True, 60, SPLIT)
    assert "asynDivisionFlag" not in queried and "asynDivisionStatus" not in queried


async def test_an_order_not_split_shows_no_split(caller: Caller) -> None:
    await create(caller, "31940000000002")
    queried = (await caller.call(QUERY, "31940000000002")).json
    assert not {"divisionFlag", "asynDivisionFlag", "platformAmount", "subOrders"} & set(queried)


async def test_an_asynchronous_split_from_another_create_call_with_amounts_as_strings(caller: Caller) -> None:
    subs = [{"mid": SUB_A, "merOrderId": "3194SUBA0000003", "totalAmount": "300"}]
    created = await create(caller, "31940000000003", path=PRECREATE, tradeType="APP", asynDivisionFlag="true",
                           platformAmount="0", subOrders=[*subs, {"mid": SUB_B, "totalAmount": 60}])
    assert created["errCode"] == "SUCCESS", created
    queried = (await caller.call(QUERY, "31940000000003")).json
    assert (queried["asynDivisionFlag"], queried["platformAmount"], queried["subOrders"]) == (
        True, 0, [{"mid": SUB_A, "merOrderId": "3194SUBA0000003", "totalAmount": 300},
                  {"mid": SUB_B, "totalAmount": 60}])
    assert "divisionFlag" not in queried and "asynDivisionStatus" not in queried


REFUSED_CREATES = {
    "sum": (split_fields(platformAmount=50),
            "请求报文有错: subOrders: Σ subOrders.totalAmount 300 + platformAmount 50 = 350, not totalAmount 360 "
            "(rule: totalAmount = Σ subOrders.totalAmount + platformAmount)"),
    "count": (split_fields(platformAmount=339, subOrders=[{"mid": f"8982016123400{n:02d}", "totalAmount": 1}
                                                          for n in range(21)]),
              "请求报文有错: subOrders: 21 sub-orders (rule: at most 20 sub-merchants in subOrders)"),
    "secure": (split_fields(secureTransaction=True),
               "请求报文有错: divisionFlag: secureTransaction is true (rule: divisionFlag and asynDivisionFlag are not "
               "allowed together with secureTransaction true)"),
    "both flags": (split_fields(asynDivisionFlag=True),
                   "请求报文有错: asynDivisionFlag: both are true (rule: divisionFlag or asynDivisionFlag, not both)"),
    "no flag": ({"platformAmount": 60, "subOrders": SPLIT},
                "请求报文有错: subOrders: sent, but divisionFlag and asynDivisionFlag are not true "
                "(rule: subOrders only with divisionFlag or asynDivisionFlag true)"),
    "no platformAmount": (split_fields(platformAmount=None),
                          "请求报文有错: platformAmount: is None (rule: platformAmount required with a split, "
                          "integer fen 0..100000000)"),
    "no subOrders": (split_fields(subOrders=None),
                     "请求报文有错: subOrders: is missing, empty or not a list of objects (rule: subOrders required "
                     "with a split: a list of {mid, merOrderId, totalAmount})"),
    "bad sub-order": (split_fields(subOrders=[SPLIT[0], {"mid": SUB_B, "totalAmount": 0}]),
                      "请求报文有错: subOrders[1]: is {'mid': '898201612340002', 'totalAmount': 0} (rule: each "
                      "subOrders item: mid 8..15 characters, merOrderId 6..32 characters (optional), totalAmount "
                      "integer fen 1..100000000)"),
}


@pytest.mark.parametrize("case", REFUSED_CREATES)
async def test_a_split_breaking_a_rule_is_refused_naming_it(caller: Caller, case: str) -> None:
    fields, message = REFUSED_CREATES[case]
    answer = await caller.call(WX_ORDER, "31940000000010", totalAmount=360, **fields)
    assert answer.status == 200
    assert (answer.json["errCode"], answer.json["errMsg"]) == ("BAD_REQUEST", message)
    assert (await caller.call(QUERY, "31940000000010")).json["errCode"] == "NO_ORDER"  # nothing was created


async def test_a_split_order_is_refunded_share_by_share(caller: Caller) -> None:
    await create(caller, "31940000000020", **split_fields())
    await pay(caller, "31940000000020")
    first = (await caller.call(REFUND, "31940000000020", refundAmount=250, refundOrderId="31940000000020R1",
                               platformAmount=50, subOrders=[{"mid": SUB_A, "merOrderId": "3194SUBA0000001",
                                                              "refundOrderId": "3194SUBA000001R",
                                                              "totalAmount": 200}])).json
    assert (first["errCode"], first["refundStatus"], first["refundAmount"], first["status"]) == (
        "SUCCESS", "SUCCESS", 250, "TRADE_REFUND")
    platform_only = (await caller.call(REFUND, "31940000000020", refundAmount=10, refundOrderId="31940000000020R2",
                                       platformAmount="10")).json
    assert (platform_only["errCode"], platform_only["refundAmount"]) == ("SUCCESS", 10)
    rest = (await caller.call(REFUND, "31940000000020", refundAmount=100, refundOrderId="31940000000020R3",
                              platformAmount=0, subOrders=[{"mid": SUB_B, "totalAmount": 100}])).json
    assert (rest["errCode"], rest["refundAmount"]) == ("SUCCESS", 100)
    queried = (await caller.call(QUERY, "31940000000020")).json
    assert (queried["refundAmount"], queried["subOrders"]) == (360, SPLIT)


REFUSED_REFUNDS = {
    "no platformAmount": ({"subOrders": [{"mid": SUB_A, "totalAmount": 100}]}, "BAD_REQUEST",
                          "请求报文有错: platformAmount: is None (rule: a refund of a split order carries platformAmount "
                          "(and subOrders unless the platform refunds all))"),
    "no subOrders": ({"platformAmount": 0}, "BAD_REQUEST",
                     "请求报文有错: subOrders: is missing, empty or not a list of objects (rule: a refund of a split "
                     "order carries platformAmount (and subOrders unless the platform refunds all))"),
    "sum": ({"platformAmount": 10, "subOrders": [{"mid": SUB_A, "totalAmount": 100}]}, "BAD_REQUEST",
            "请求报文有错: subOrders: Σ subOrders.totalAmount 100 + platformAmount 10 = 110, not refundAmount 100 "
            "(rule: refundAmount = Σ subOrders.totalAmount + platformAmount)"),
    "stranger": ({"platformAmount": 0, "subOrders": [{"mid": "898201612349999", "totalAmount": 100}]}, "BAD_REQUEST",
                 "请求报文有错: subOrders[0].mid: 898201612349999 is not a sub-merchant of order 31940000000030 "
                 "(rule: each refund subOrders mid is one of the order's sub-merchants)"),
    "share": ({"platformAmount": 0, "subOrders": [{"mid": SUB_B, "totalAmount": 100}]}, "OPERATION_NOT_ALLOWED",
              None),
    "platform share": ({"platformAmount": 100}, "OPERATION_NOT_ALLOWED", "平台商户退款金额超过可退金额 (可退 60 分)"),
}


@pytest.mark.parametrize("case", REFUSED_REFUNDS)
async def test_a_refund_of_a_split_order_breaking_a_rule_is_refused(caller: Caller, case: str) -> None:
    fields, code, message = REFUSED_REFUNDS[case]
    await create(caller, "31940000000030", **split_fields())
    await pay(caller, "31940000000030")
    if case == "share":  # SUB_B's 100 fen: 40 refunded first, so 60 are left
        taken = await caller.call(REFUND, "31940000000030", refundAmount=40, refundOrderId="31940000000030R0",
                                  platformAmount=0, subOrders=[{"mid": SUB_B, "totalAmount": 40}])
        assert taken.json["errCode"] == "SUCCESS", taken.text
        message = f"子商户{SUB_B}退款金额超过可退金额 (可退 60 分)"
    answer = (await caller.call(REFUND, "31940000000030", refundAmount=100, refundOrderId="31940000000030R1",
                                **fields)).json
    assert (answer["errCode"], answer["errMsg"]) == (code, message)
    assert (await caller.call(QUERY, "31940000000030")).json.get("refundAmount", 0) == (40 if case == "share" else 0)


async def test_a_refund_of_an_order_not_split_ignores_split_fields_as_before(caller: Caller) -> None:
    await create(caller, "31940000000031")
    await pay(caller, "31940000000031")
    answer = (await caller.call(REFUND, "31940000000031", refundAmount=100, platformAmount=0)).json
    assert (answer["errCode"], answer["refundAmount"]) == ("SUCCESS", 100)


async def _async_split_paid(caller: Caller, order_id: str) -> None:
    await create(caller, order_id, **split_fields(divisionFlag=None, asynDivisionFlag=True))
    await pay(caller, order_id)


async def test_sub_orders_confirm_confirms_an_asynchronous_split_once(caller: Caller) -> None:
    await _async_split_paid(caller, "31940000000040")
    confirmed = await caller.call(CONFIRM, "31940000000040", instMid=None, platformAmount=0,
                                  subOrders=[{"mid": SUB_A, "merOrderId": "3194SUBA0000001", "totalAmount": 260},
                                             {"mid": SUB_B, "merOrderId": "3194SUBB0000001", "totalAmount": 100}])
    assert confirmed.status == 200
    assert confirmed.json == {"errCode": "SUCCESS", "errMsg": "", "responseTimestamp": confirmed.json[
        "responseTimestamp"], "mid": MID, "tid": "88880001", "srcReserve": "C20220119000001",
        "merOrderId": "31940000000040", "asynDivisionStatus": "success", "asynDivisionMsg": ""}
    queried = (await caller.call(QUERY, "31940000000040")).json
    assert (queried["asynDivisionFlag"], queried["asynDivisionStatus"], queried["platformAmount"]) == (
        True, "success", 0)
    assert [sub["totalAmount"] for sub in queried["subOrders"]] == [260, 100]

    again = (await caller.call(CONFIRM, "31940000000040", platformAmount=0)).json
    assert (again["errCode"], again["errMsg"], again["merOrderId"]) == (
        "OPERATION_NOT_ALLOWED", "子订单已确认，不允许再次确认", "31940000000040")
    assert "asynDivisionStatus" not in again


async def test_sub_orders_confirm_without_subOrders_confirms_those_of_the_create_call(caller: Caller) -> None:
    await _async_split_paid(caller, "31940000000041")
    confirmed = (await caller.call(CONFIRM, "31940000000041", platformAmount=60)).json
    assert (confirmed["errCode"], confirmed["asynDivisionStatus"]) == ("SUCCESS", "success")
    assert (await caller.call(QUERY, "31940000000041")).json["subOrders"] == SPLIT


async def test_sub_orders_confirm_after_a_refund_is_refused(caller: Caller) -> None:
    await _async_split_paid(caller, "31940000000042")
    refund = (await caller.call(REFUND, "31940000000042", refundAmount=60, platformAmount=60)).json
    assert refund["errCode"] == "SUCCESS", refund
    answer = (await caller.call(CONFIRM, "31940000000042", platformAmount=60)).json
    assert (answer["errCode"], answer["errMsg"]) == ("OPERATION_NOT_ALLOWED", "退货订单不允许做子订单操作")
    assert "asynDivisionStatus" not in (await caller.call(QUERY, "31940000000042")).json


REFUSED_CONFIRMS = {
    "synchronous split": ("divisionFlag", {"platformAmount": 60}, "OPERATION_NOT_ALLOWED",
                          "订单不是异步分账订单，不能确认子订单"),
    "not split": (None, {"platformAmount": 60}, "OPERATION_NOT_ALLOWED", "订单不是异步分账订单，不能确认子订单"),
    "unpaid": ("unpaid", {"platformAmount": 60}, "OPERATION_NOT_ALLOWED", "订单未支付，不能确认子订单"),
    "no platformAmount": ("asynDivisionFlag", {}, "BAD_REQUEST",
                          "请求报文有错: platformAmount: is None (rule: platformAmount required with a split, "
                          "integer fen 0..100000000)"),
    "sum": ("asynDivisionFlag", {"platformAmount": 0}, "BAD_REQUEST",
            "请求报文有错: subOrders: Σ subOrders.totalAmount 300 + platformAmount 0 = 300, not the order's "
            "totalAmount 360 (rule: the order's totalAmount = Σ subOrders.totalAmount + platformAmount)"),
}


@pytest.mark.parametrize("case", REFUSED_CONFIRMS)
async def test_sub_orders_confirm_refusals(caller: Caller, case: str) -> None:
    flag, fields, code, message = REFUSED_CONFIRMS[case]
    order_id = "31940000000050"
    if flag is None:
        await create(caller, order_id)
    elif flag == "unpaid":
        await create(caller, order_id, **split_fields(divisionFlag=None, asynDivisionFlag=True))
    else:
        await create(caller, order_id, **split_fields(**{"divisionFlag": None, flag: True}))
    if flag != "unpaid":
        await pay(caller, order_id)
    answer = (await caller.call(CONFIRM, order_id, **fields)).json
    assert (answer["errCode"], answer["errMsg"]) == (code, message)


async def test_sub_orders_confirm_of_an_order_never_made(caller: Caller) -> None:
    answer = (await caller.call(CONFIRM, "31940000000060", platformAmount=0)).json
    assert (answer["errCode"], answer["errMsg"]) == ("NO_ORDER", "无法找到指定的订单")


async def test_the_order_view_the_dashboard_shows_tells_the_split_in_its_history(caller: Caller) -> None:
    await _async_split_paid(caller, "31940000000070")
    assert (await caller.call(CONFIRM, "31940000000070", platformAmount=60)).json["errCode"] == "SUCCESS"
    refund = await caller.call(REFUND, "31940000000070", refundAmount=100, refundOrderId="31940000000070R1",
                               platformAmount=0, subOrders=[{"mid": SUB_B, "totalAmount": 100}])
    assert refund.json["errCode"] == "SUCCESS", refund.text
    status, view = await control(caller, "GET", f"/orders/{MID}/31940000000070")
    assert status == 200
    events = [line["event"] for line in view["history"]]
    assert f"split (asynchronous, to be confirmed): platform 60 fen, {SUB_A} 200 fen, {SUB_B} 100 fen" in events
    assert f"split (confirmed): platform 60 fen, {SUB_A} 200 fen, {SUB_B} 100 fen" in events
    assert f"refund 31940000000070R1 split: platform 0 fen, {SUB_B} 100 fen" in events

"""The bundled settlement stories (scenarios/netpay/settlement.yaml), over HTTP and signed as the SDK samples sign:
each magic id's order exists with no create call, paid, a 担保 guarantee or split as its story says, and the call
the story is for (secure-complete, secure-cancel, sub-orders-confirm, a split refund) answers exactly."""

from __future__ import annotations

from typing import Any

from conftest import Caller, story
from lifecycle_helpers import MID, QUERY, REFUND, REFUND_QUERY

COMPLETE, CANCEL = "/v1/netpay/secure-complete", "/v1/netpay/secure-cancel"
CONFIRM = "/v1/netpay/sub-orders-confirm"
SUB_A, SUB_B = "898201612345001", "898201612345002"
SPLIT = [{"mid": SUB_A, "merOrderId": "SUBA00000001", "totalAmount": 600},
         {"mid": SUB_B, "merOrderId": "SUBB00000001", "totalAmount": 300}]  # with the platform's 100: 1000
HEAD = {"errMsg": "", "mid": MID, "tid": "88880001", "instMid": "APPDEFAULT", "srcReserve": "C20220119000001"}
# What the order's answers share, generated from the seed: taken from the first query, then expected unchanged.
GENERATED = ("connectSys", "merName", "seqId", "settleRefId", "targetMid", "targetSys", "targetOrderId")


async def paid_as_the_story_says(caller: Caller, order_id: str, scenario: str) -> dict[str, Any]:
    """The first query of a magic id nobody created: the order exists, paid, 1000 fen, under its scenario."""
    answer = await caller.call(QUERY, order_id)
    assert answer.status == 200, answer.text
    assert answer.headers["X-Mockums-Scenario"] == scenario
    query = answer.json
    assert (query["errCode"], query["status"], query["totalAmount"], query["merOrderId"]) == (
        "SUCCESS", "TRADE_SUCCESS", 1000, order_id)
    history = caller.sandbox.order(MID, order_id)["history"]
    assert history[0]["event"].startswith(f"taken to exist, unpaid, never created here: scenario {scenario} "
                                          "speaks for this merOrderId (1000 fen")
    return query


@story("guarantee-paid")
async def test_guarantee_paid_completes_in_part_and_returns_the_rest(caller: Caller) -> None:
    query = await paid_as_the_story_says(caller, "MKSECUREPAID0001", "guarantee-paid")
    assert (query["secureStatus"], query["completeAmount"]) == ("UNCOMPLETED", 0)
    held = (await caller.call(REFUND, "MKSECUREPAID0001", refundAmount=100)).json
    assert (held["errCode"], held["errMsg"]) == ("OPERATION_NOT_ALLOWED", "担保未完成的交易不允许直接做反交易")

    answer = await caller.call(COMPLETE, "MKSECUREPAID0001", completedAmount=360)
    assert answer.status == 200, answer.text
    done = answer.json
    assert done == {**HEAD, "errCode": "SUCCESS", "errMsg": "担保完成成功", "merOrderId": "MKSECUREPAID0001",
                    "responseTimestamp": done["responseTimestamp"],
                    **{name: query[name] for name in GENERATED}, "status": "TRADE_REFUND", "totalAmount": 1000,
                    "secureStatus": "PARTLY_COMPLETED", "completedAmount": 360, "cardAttr": "BALANCE"}
    returned = (await caller.call(REFUND_QUERY, "MKSECUREPAID0001")).json
    assert (returned["errCode"], returned["refundStatus"], returned["refundAmount"]) == ("SUCCESS", "SUCCESS", 640)
    after = (await caller.call(QUERY, "MKSECUREPAID0001")).json
    assert (after["status"], after["secureStatus"], after["completeAmount"], after["refundAmount"]) == (
        "TRADE_REFUND", "PARTLY_COMPLETED", 360, 640)


@story("guarantee-paid")
async def test_guarantee_paid_cancels_once(caller: Caller) -> None:
    await paid_as_the_story_says(caller, "MKSECUREPAID0002", "guarantee-paid")
    answer = await caller.call(CANCEL, "MKSECUREPAID0002")
    assert answer.status == 200, answer.text
    assert answer.json == {**HEAD, "errCode": "SUCCESS", "errMsg": "担保撤销成功", "merOrderId": "MKSECUREPAID0002",
                           "responseTimestamp": answer.json["responseTimestamp"], "secureStatus": "CANCELED",
                           "completedAmount": 0, "totalAmount": 1000}
    again = (await caller.call(CANCEL, "MKSECUREPAID0002")).json
    assert (again["errCode"], again["errMsg"]) == ("HAS_CANCELLED", "该笔担保交易已撤销")
    after = (await caller.call(QUERY, "MKSECUREPAID0002")).json
    assert (after["status"], after["secureStatus"], after["refundAmount"]) == ("TRADE_REFUND", "CANCELED", 1000)


@story("split-async-paid")
async def test_split_async_paid_is_confirmed_once(caller: Caller) -> None:
    query = await paid_as_the_story_says(caller, "MKSPLITASYNC0001", "split-async-paid")
    assert (query["asynDivisionFlag"], query["platformAmount"], query["subOrders"]) == (True, 100, SPLIT)
    assert "asynDivisionStatus" not in query and "divisionFlag" not in query

    answer = await caller.call(CONFIRM, "MKSPLITASYNC0001", instMid=None, platformAmount=100, subOrders=SPLIT)
    assert answer.status == 200, answer.text
    assert answer.json == {"errCode": "SUCCESS", "errMsg": "", "responseTimestamp": answer.json["responseTimestamp"],
                           "mid": MID, "tid": "88880001", "srcReserve": "C20220119000001",
                           "merOrderId": "MKSPLITASYNC0001", "asynDivisionStatus": "success", "asynDivisionMsg": ""}
    confirmed = (await caller.call(QUERY, "MKSPLITASYNC0001")).json
    assert (confirmed["asynDivisionStatus"], confirmed["subOrders"]) == ("success", SPLIT)
    again = (await caller.call(CONFIRM, "MKSPLITASYNC0001", platformAmount=100)).json
    assert (again["errCode"], again["errMsg"]) == ("OPERATION_NOT_ALLOWED", "子订单已确认，不允许再次确认")


@story("split-paid")
async def test_split_paid_is_refunded_share_by_share(caller: Caller) -> None:
    query = await paid_as_the_story_says(caller, "MKSPLITPAID0001", "split-paid")
    assert (query["divisionFlag"], query["platformAmount"], query["subOrders"]) == (True, 100, SPLIT)

    answer = await caller.call(REFUND, "MKSPLITPAID0001", refundAmount=400, refundOrderId="MKSPLITPAID0001R1",
                               platformAmount=100, subOrders=[{"mid": SUB_A, "merOrderId": "SUBA00000001",
                                                               "refundOrderId": "SUBA00000001R1", "totalAmount": 300}])
    assert answer.status == 200, answer.text
    refund = answer.json
    assert (refund["errCode"], refund["refundStatus"], refund["refundAmount"], refund["refundOrderId"],
            refund["status"], refund["totalAmount"]) == (
        "SUCCESS", "SUCCESS", 400, "MKSPLITPAID0001R1", "TRADE_REFUND", 1000)
    too_much = (await caller.call(REFUND, "MKSPLITPAID0001", refundAmount=400, refundOrderId="MKSPLITPAID0001R2",
                                  platformAmount=0, subOrders=[{"mid": SUB_B, "totalAmount": 400}])).json
    assert (too_much["errCode"], too_much["errMsg"]) == ("OPERATION_NOT_ALLOWED",
                                                         f"子商户{SUB_B}退款金额超过可退金额 (可退 300 分)")
    stranger = (await caller.call(REFUND, "MKSPLITPAID0001", refundAmount=100, refundOrderId="MKSPLITPAID0001R3",
                                  platformAmount=0, subOrders=[{"mid": "898201612349999", "totalAmount": 100}])).json
    assert stranger["errCode"] == "BAD_REQUEST"
    assert (await caller.call(QUERY, "MKSPLITPAID0001")).json["refundAmount"] == 400


async def test_the_dashboards_samples_of_the_stories_calls_succeed_on_their_magic_ids(caller: Caller) -> None:
    """Try it on a story's card, its call chosen: the sample request mockums signs is answered SUCCESS as it is."""
    expected = {COMPLETE: ("MKSECUREPAID0003", "secureStatus", "PARTLY_COMPLETED"),
                CANCEL: ("MKSECUREPAID0004", "secureStatus", "CANCELED"),
                CONFIRM: ("MKSPLITASYNC0002", "asynDivisionStatus", "success")}
    for path, (order_id, name, value) in expected.items():
        signed = caller.sandbox.signed_request(path, order_id)
        headers = {"Authorization": signed.authorization, "Content-Type": "application/json"}
        async with caller.client.post(path, data=signed.body, headers=headers) as response:
            answer = await response.json()
        assert (answer["errCode"], answer[name]) == ("SUCCESS", value), (path, answer)


async def test_the_control_apis_order_view_shows_the_guarantee_and_the_split(caller: Caller) -> None:
    """GET /__mockums/orders/…: `guarantee` and `split` for such orders, null for an ordinary one."""
    for order_id in ("MKSECUREPAID0002", "MKSPLITASYNC0002", "MKPAID3194001"):
        await caller.call(QUERY, order_id)

    async def view(order_id: str) -> dict[str, Any]:
        async with caller.client.get(f"/__mockums/orders/{MID}/{order_id}") as response:
            assert response.status == 200
            found: dict[str, Any] = await response.json()
            return found

    secure = await view("MKSECUREPAID0002")
    assert (secure["guarantee"], secure["split"]) == ({"secureStatus": "UNCOMPLETED", "completedAmount": 0}, None)
    split = await view("MKSPLITASYNC0002")
    assert split["guarantee"] is None
    assert split["split"] == {"asynchronous": True, "confirmedAt": None, "platformAmount": 100, "subOrders": SPLIT}
    ordinary = await view("MKPAID3194001")
    assert (ordinary["guarantee"], ordinary["split"]) == (None, None)

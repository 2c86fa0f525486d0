"""QR pre-authorisation over real HTTP (#21 item 5): a bill created with preauthTransaction is authorised when
paid, completed with bills/preauthed, its completion undone with bills/preauthed-cancel, or released with
preauth-cancel. Beyond the paths and request fields (one public client) the behaviour is ours."""

from __future__ import annotations

from typing import Any

from bills_client import GET_QRCODE, MID, QUERY, bills, today
from conftest import Caller, story

COMPLETE, COMPLETE_CANCEL, CANCEL = ("/v1/netpay/bills/preauthed", "/v1/netpay/bills/preauthed-cancel",
                                     "/v1/netpay/preauth-cancel")


async def authorised(caller: Caller, bill_no: str, preauth: object = "true") -> str:
    """A paid one-time bill created as a pre-authorisation; its payment's merOrderId."""
    created = await bills(caller, GET_QRCODE, billNo=bill_no, billDate=today(), totalAmount=360,
                          preauthTransaction=preauth)
    assert created.json["errCode"] == "SUCCESS", created.json
    caller.sandbox.pay(MID, bill_no)
    return bill_no + "0"


async def call(caller: Caller, path: str, mer_order_id: str, **fields: Any) -> dict[str, Any]:
    return (await bills(caller, path, merOrderId=mer_order_id, **fields)).json


async def test_a_pre_authorisation_is_completed_once(caller: Caller) -> None:
    payment = await authorised(caller, "3194PREAUTH0001")
    done = await call(caller, COMPLETE, payment, completedAmount="300", msgId="p-1")
    assert {key: done[key] for key in ("errCode", "errMsg", "msgId", "mid", "tid", "instMid", "billNo", "billDate",
                                       "merOrderId", "totalAmount", "completedAmount")} == {
        "errCode": "SUCCESS", "errMsg": "", "msgId": "p-1", "mid": MID, "tid": "88880001", "instMid": "QRPAYDEFAULT",
        "billNo": "3194PREAUTH0001", "billDate": today(), "merOrderId": payment, "totalAmount": 360,
        "completedAmount": 300}
    again = await call(caller, COMPLETE, payment, completedAmount=300)
    assert (again["errCode"], again["errMsg"]) == ("OPERATION_NOT_ALLOWED", "预授权已完成")
    released = await call(caller, CANCEL, payment)
    assert (released["errCode"], released["errMsg"]) == ("OPERATION_NOT_ALLOWED", "预授权已完成")


async def test_a_completion_is_undone_and_completed_again(caller: Caller) -> None:
    payment = await authorised(caller, "3194PREAUTH0002")
    before = await call(caller, COMPLETE_CANCEL, payment)
    assert (before["errCode"], before["errMsg"]) == ("OPERATION_NOT_ALLOWED", "预授权未完成")
    assert (await call(caller, COMPLETE, payment, completedAmount=360))["completedAmount"] == 360
    undone = await call(caller, COMPLETE_CANCEL, payment)
    assert (undone["errCode"], undone["merOrderId"], undone["totalAmount"]) == ("SUCCESS", payment, 360)
    assert "completedAmount" not in undone
    assert (await call(caller, COMPLETE, payment, completedAmount=100))["completedAmount"] == 100


async def test_a_released_authorisation_takes_nothing_more(caller: Caller) -> None:
    payment = await authorised(caller, "3194PREAUTH0003")
    released = await call(caller, CANCEL, payment)
    assert (released["errCode"], released["billNo"], released["merOrderId"]) == ("SUCCESS", "3194PREAUTH0003",
                                                                                 payment)
    for path, fields in ((COMPLETE, {"completedAmount": 1}), (COMPLETE_CANCEL, {}), (CANCEL, {})):
        refused = await call(caller, path, payment, **fields)
        assert (refused["errCode"], refused["errMsg"]) == ("OPERATION_NOT_ALLOWED", "预授权已撤销")


async def test_what_cannot_be_completed(caller: Caller) -> None:
    payment = await authorised(caller, "3194PREAUTH0004")
    over = await call(caller, COMPLETE, payment, completedAmount=361)
    assert (over["errCode"], over["errMsg"]) == ("OPERATION_NOT_ALLOWED", "完成金额361超过预授权金额360")
    ordinary = await authorised(caller, "3194PREAUTH0005", preauth=None)
    refused = await call(caller, COMPLETE, ordinary, completedAmount=1)
    assert (refused["errCode"], refused["errMsg"]) == ("OPERATION_NOT_ALLOWED", "非预授权交易")
    created = await bills(caller, GET_QRCODE, billNo="3194PREAUTH0006", billDate=today(), totalAmount=360,
                          preauthTransaction=True)
    assert created.json["errCode"] == "SUCCESS"
    unpaid = await call(caller, CANCEL, "3194PREAUTH00060")
    assert (unpaid["errCode"], unpaid["errMsg"]) == ("OPERATION_NOT_ALLOWED", "预授权未支付")
    unknown = await call(caller, COMPLETE, "3194NOPREAUTH0", completedAmount=1)
    assert (unknown["errCode"], unknown["errMsg"]) == ("NO_BILL", "找不到账单")
    missing = await call(caller, COMPLETE, payment)
    assert missing["errCode"] == "BAD_REQUEST" and "completedAmount: is missing or empty" in missing["errMsg"]


@story("preauth-paid")
async def test_the_preauth_story_is_authorised_as_get_qrcode_makes_it(caller: Caller) -> None:
    """MKPREAUTH…: the bill is paid as get-qrcode makes it, so pre-authorisation calls work with no buyer."""
    created = await bills(caller, GET_QRCODE, billNo="MKPREAUTH0001", billDate=today(), totalAmount=360,
                          preauthTransaction="true")
    assert created.json["errCode"] == "SUCCESS", created.json
    shown = (await bills(caller, QUERY, billNo="MKPREAUTH0001", billDate=today())).json
    assert (shown["billStatus"], shown["billPayment"]["merOrderId"]) == ("PAID", "MKPREAUTH00010")
    done = await call(caller, COMPLETE, "MKPREAUTH00010", completedAmount=200)
    assert (done["errCode"], done["billNo"], done["totalAmount"], done["completedAmount"]) == (
        "SUCCESS", "MKPREAUTH0001", 360, 200)
    undone = await call(caller, COMPLETE_CANCEL, "MKPREAUTH00010")
    assert (undone["errCode"], undone["merOrderId"]) == ("SUCCESS", "MKPREAUTH00010")
    released = await call(caller, CANCEL, "MKPREAUTH00010")
    assert (released["errCode"], released["merOrderId"]) == ("SUCCESS", "MKPREAUTH00010")

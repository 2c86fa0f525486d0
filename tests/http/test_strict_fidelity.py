"""Strict mode accepts everything official material shows (#21 item 6): amounts as digit strings (the official
examples send `"totalAmount":"1"`), a `billDate` with a time (a kept 2022 gateway answer echoed its date part) and
optional fields sent empty (no source shows the gateway refusing them); over real HTTP, in strict request mode."""

from __future__ import annotations

from bills_client import GET_QRCODE, QUERY, bills, today
from conftest import Caller, MakeCaller
from lifecycle_helpers import MID, REFUND, pay

from mockums.config import Strictness


async def strict_caller(make_caller: MakeCaller) -> Caller:
    return await make_caller(strict=Strictness(request=True))


async def test_strict_mode_takes_amounts_sent_as_digit_strings(make_caller: MakeCaller) -> None:
    caller = await strict_caller(make_caller)
    created = await caller.call("/v1/netpay/wx/app-pre-order", "3194STRICTAMT01", totalAmount="1")
    assert (created.status, created.json["errCode"], created.json["totalAmount"]) == (200, "SUCCESS", 1)
    assert "X-Mockums-Warning" not in created.headers
    await pay(caller, "3194STRICTAMT01")
    refunded = await caller.call(REFUND, "3194STRICTAMT01", refundAmount="1", refundOrderId="3194STRICTREF01")
    assert (refunded.json["errCode"], refunded.json["refundStatus"], refunded.json["refundAmount"]) == (
        "SUCCESS", "SUCCESS", 1)


async def test_strict_mode_still_refuses_an_amount_that_is_not_whole_fen(make_caller: MakeCaller) -> None:
    caller = await strict_caller(make_caller)
    answer = await caller.call("/v1/netpay/wx/app-pre-order", "3194STRICTAMT02", totalAmount="1.00")
    assert answer.json["errCode"] == "BAD_REQUEST"
    assert answer.json["errMsg"] == ("请求报文有错: totalAmount: '1.00' is not a whole number of fen "
                                     "(rule: required, integer fen 1..100000000 (number or numeric string))")


async def test_strict_mode_takes_a_bill_date_with_a_time_and_uses_its_date(make_caller: MakeCaller) -> None:
    caller = await strict_caller(make_caller)
    created = await bills(caller, GET_QRCODE, billNo="3194STRICTBILL1", billDate=f"{today()} 13:40:17",
                          totalAmount="1")
    assert (created.json["errCode"], created.json["billNo"], created.json["billDate"]) == (
        "SUCCESS", "3194STRICTBILL1", today())
    assert created.headers["X-Mockums-Warning"] == (
        f"billDate: '{today()} 13:40:17' carries a time; the table says yyyy-MM-dd (the date part is used)")
    found = (await bills(caller, QUERY, billNo="3194STRICTBILL1", billDate=f"{today()} 00:00:00")).json
    assert (found["errCode"], found["billStatus"], found["billDate"], found["totalAmount"]) == (
        "SUCCESS", "UNPAID", today(), 1)


async def test_strict_mode_takes_optional_fields_sent_empty(make_caller: MakeCaller) -> None:
    caller = await strict_caller(make_caller)
    closed = await caller.close("MKSUCCESS3194STRICT01", srcReserve="", msgId="")
    assert (closed.json["errCode"], closed.json["srcReserve"]) == ("SUCCESS", "")
    created = await caller.call("/v1/netpay/wx/app-pre-order", "3194STRICTEMPTY1", totalAmount=1, notifyUrl="",
                                orderDesc="", attachedData="")
    assert created.json["errCode"] == "SUCCESS"
    assert caller.sandbox.orders(mer_order_id="3194STRICTEMPTY1")[0]["mid"] == MID


async def test_strict_mode_still_refuses_an_optional_field_sent_as_zero(make_caller: MakeCaller) -> None:
    caller = await strict_caller(make_caller)
    body = (await caller.close("MKSUCCESS3194STRICT02", msgId=0)).json
    assert body["errCode"] == "BAD_REQUEST"
    assert body["errMsg"] == "请求报文有错: msgId: is 0; omit it instead (strict mode) (rule: optional, at most 64 characters)"

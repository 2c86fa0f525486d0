"""POST /v1/netpay/wx/app-pre-close over real HTTP: answers, field rules, order rules."""

from __future__ import annotations

import re

import chinaums_client
import pytest
from conftest import CLOSE, Caller, MakeCaller

from mockums.config import Strictness

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")


async def test_success_answers_every_documented_field(caller: Caller) -> None:
    answer = await caller.close("MKSUCCESS202611260001")
    assert answer.status == 200
    assert answer.headers["Content-Type"] == "application/json; charset=utf-8"
    body = answer.json
    assert list(body) == [
        "errCode", "errMsg", "responseTimestamp", "mid", "tid", "instMid", "connectSys", "settleDate",
        "settleRefId", "targetMid", "srcReserve", "merOrderId", "merName", "seqId", "status",
        "targetStatus", "targetSys", "totalAmount",
    ]
    assert body["errCode"] == "SUCCESS"
    assert body["errMsg"] == ""
    assert TIMESTAMP.match(body["responseTimestamp"])
    assert body["settleDate"] == body["responseTimestamp"][:10]
    assert (body["mid"], body["tid"], body["instMid"]) == ("898201612345678", "88880001", "APPDEFAULT")
    assert (body["merOrderId"], body["srcReserve"]) == ("MKSUCCESS202611260001", "C20220119000001")
    assert body["connectSys"] == "UNIONPAY"
    assert body["status"] == "TRADE_CLOSED"
    assert body["targetStatus"] == "SUCCESS|SUCCESS"
    assert body["targetSys"] == "WXPay"
    assert re.fullmatch(r"\d{11}[A-Z]", body["seqId"])
    assert body["settleRefId"] == body["seqId"]
    assert re.fullmatch(r"\d{9}", body["targetMid"])
    assert isinstance(body["totalAmount"], int) and 1 <= body["totalAmount"] <= 99_999
    assert isinstance(body["merName"], str) and body["merName"]
    assert "X-Mockums-Warning" not in answer.headers


async def test_msg_id_is_echoed_when_sent(caller: Caller) -> None:
    body = (await caller.close("MKSUCCESS202611260002", msgId="msg-0001")).json
    assert body["msgId"] == "msg-0001"


async def test_generated_values_are_reproducible_under_a_seed(make_caller: MakeCaller) -> None:
    first = (await (await make_caller(seed=99)).close("MKSUCCESS202611260003")).json
    second = (await (await make_caller(seed=99)).close("MKSUCCESS202611260003")).json
    other = (await (await make_caller(seed=100)).close("MKSUCCESS202611260003")).json
    keys = ("seqId", "targetMid", "merName", "totalAmount")
    assert [first[k] for k in keys] == [second[k] for k in keys]
    assert [first[k] for k in keys] != [other[k] for k in keys]


async def test_closing_twice_is_not_allowed(caller: Caller) -> None:
    created = await caller.call("/v1/netpay/wx/app-pre-order", "3194202611260004", totalAmount=360)
    assert created.json["errCode"] == "SUCCESS"
    closed = (await caller.close("3194202611260004")).json
    assert (closed["errCode"], closed["status"], closed["totalAmount"]) == ("SUCCESS", "TRADE_CLOSED", 360)
    again = (await caller.close("3194202611260004")).json
    assert (again["errCode"], again["errMsg"]) == ("OPERATION_NOT_ALLOWED", "订单已关闭")
    assert again["status"] == "TRADE_CLOSED"


async def test_an_order_never_created_answers_no_order(caller: Caller) -> None:
    answer = await caller.close("3194202611260005")
    assert answer.json == {
        "errCode": "NO_ORDER", "errMsg": "无法找到指定的订单", "responseTimestamp": answer.json["responseTimestamp"],
        "mid": "898201612345678", "tid": "88880001", "instMid": "APPDEFAULT", "srcReserve": "C20220119000001",
        "merOrderId": "3194202611260005",
    }
    assert "X-Mockums-Scenario" not in answer.headers


async def test_assume_orders_takes_an_order_never_created_to_exist(make_caller: MakeCaller) -> None:
    caller = await make_caller(assume_orders=True)
    body = (await caller.close("3194202611260006")).json
    assert (body["errCode"], body["status"], body["targetStatus"]) == ("SUCCESS", "TRADE_CLOSED", "SUCCESS|SUCCESS")
    order = caller.sandbox.order("898201612345678", "3194202611260006")
    assert order["assumed"] is True
    assert order["history"][0]["event"] == "taken to exist, unpaid, never created here: assume_orders is on"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("requestTimestamp", None, "requestTimestamp: is missing or empty (rule: required, format yyyy-MM-dd HH:mm:ss (Beijing time))"),
        ("requestTimestamp", "2022/04/15 09:49:59", "requestTimestamp: '2022/04/15 09:49:59' is not yyyy-MM-dd HH:mm:ss (rule: required, format yyyy-MM-dd HH:mm:ss (Beijing time))"),
        ("merOrderId", "12345", "merOrderId: length 5 is below 6 (rule: required, 6..32 characters)"),
        ("merOrderId", "1" * 33, "merOrderId: length 33 is above 32 (rule: required, 6..32 characters)"),
        ("instMid", None, "instMid: is missing or empty (rule: required, one of APPDEFAULT)"),
        ("instMid", "MINIDEFAULT", "instMid: 'MINIDEFAULT' is not one of APPDEFAULT (rule: required, one of APPDEFAULT)"),
        ("mid", None, "mid: is missing or empty (rule: required, 8..15 characters)"),
        ("mid", "8982016123456789", "mid: length 16 is above 15 (rule: required, 8..15 characters)"),
        ("mid", "8982016", "mid: length 7 is below 8 (rule: required, 8..15 characters)"),
        ("tid", None, "tid: is missing or empty (rule: required, 2..8 characters)"),
        ("tid", "888800012", "tid: length 9 is above 8 (rule: required, 2..8 characters)"),
        ("srcReserve", "x" * 256, "srcReserve: length 256 is above 255 (rule: optional, at most 255 characters)"),
        ("msgId", "m" * 65, "msgId: length 65 is above 64 (rule: optional, at most 64 characters)"),
        ("mid", {"a": 1}, "mid: must be a string, got dict (rule: required, 8..15 characters)"),
    ],
)
async def test_each_field_rule_answers_bad_request_naming_the_field(
    caller: Caller, field: str, value: object, message: str
) -> None:
    fields = {field: value}
    order_id = value if field == "merOrderId" else "3194202611260006"
    if field == "merOrderId":
        fields = {}
    body = chinaums_client.go_json(chinaums_client.close_request(str(order_id), **fields))
    if value is None:
        assert field not in body.decode()
    answer = await caller.signed(CLOSE, body)
    assert answer.status == 200
    assert answer.json["errCode"] == "BAD_REQUEST"
    assert answer.json["errMsg"] == "请求报文有错: " + message


async def test_all_violations_are_listed(caller: Caller) -> None:
    body = chinaums_client.go_json({"merOrderId": "1"})
    message = (await caller.signed(CLOSE, body)).json["errMsg"]
    for field in ("requestTimestamp", "merOrderId", "instMid", "mid", "tid"):
        assert f"{field}: " in message


async def test_lenient_defaults_accept_what_real_clients_send(caller: Caller) -> None:
    moment = chinaums_client.beijing_now()
    answer = await caller.close(
        "MKSUCCESS202611260007", srcReserve="", msgId=0, extraField="ignored",
        requestTimestamp=chinaums_client.compact(moment),
    )
    assert answer.json["errCode"] == "SUCCESS"
    warning = answer.headers["X-Mockums-Warning"]
    assert "requestTimestamp: " in warning
    assert "is yyyyMMddHHmmss; the API table says yyyy-MM-dd HH:mm:ss" in warning
    assert answer.json["srcReserve"] == ""  # echoed as sent


async def test_strict_request_rejects_compact_time_and_optionals_sent_as_zero(make_caller: MakeCaller) -> None:
    caller = await make_caller(strict=Strictness(request=True))
    moment = chinaums_client.beijing_now()
    body = (await caller.close("3194202611260008", requestTimestamp=chinaums_client.compact(moment))).json
    assert body["errCode"] == "BAD_REQUEST"
    assert "requestTimestamp: " in body["errMsg"] and "is not yyyy-MM-dd HH:mm:ss" in body["errMsg"]
    body = (await caller.close("3194202611260009", srcReserve=0)).json
    assert body["errMsg"] == ("请求报文有错: srcReserve: is 0; omit it instead (strict mode) "
                              "(rule: optional, at most 255 characters)")


async def test_utc_request_timestamp_is_flagged_by_default_and_abnormal_in_strict(
    make_caller: MakeCaller,
) -> None:
    from datetime import datetime, timezone

    utc_clock = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    lenient = await make_caller()
    answer = await lenient.close("MKSUCCESS202611260010", requestTimestamp=utc_clock)
    assert answer.json["errCode"] == "SUCCESS"
    assert "stamped with a UTC clock" in answer.headers["X-Mockums-Warning"]
    strict = await make_caller(strict=Strictness(request=True))
    body = (await strict.close("MKSUCCESS202611260011", requestTimestamp=utc_clock)).json
    assert body["errCode"] == "ABNORMAL_REQUEST_TIME"
    assert body["errMsg"].startswith("请求时间异常: requestTimestamp: ")


async def test_amount_like_strings_for_string_fields_are_flagged(caller: Caller) -> None:
    answer = await caller.close("MKSUCCESS202611260012", tid=88880001)
    assert answer.json["errCode"] == "SUCCESS"
    assert "tid: sent as the number 88880001; the API table says string" in answer.headers["X-Mockums-Warning"]

"""The other netpay create calls over HTTP, the way their published clients drive them: each answers the netpay
create with its own pay parameters and its wallet's values, and the order it makes goes through the shared query,
close, refund and refund query and sends a signed notification."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from conftest import Caller, MakeCaller, Receiver, notification_signature_valid
from lifecycle_helpers import CLOSE, MID, QUERY, REFUND, REFUND_QUERY, create, pay

from mockums.config import DEMO_APP, Strictness

HEAD = {"errCode", "errMsg", "responseTimestamp", "mid", "tid", "instMid", "connectSys", "srcReserve", "merOrderId",
        "merName", "seqId", "settleRefId", "targetMid", "status", "targetStatus", "targetSys", "totalAmount"}
TN = r"\d{21}"  # a UnionPay tn (ours): yyyyMMddHHmmss and 7 digits
ALIPAY_TRADE_NO = r"\d{8}2200\d{16}"
UNIONPAY_ID = r"\d{8}\d{20}"
WX_MINI = {"appId", "timeStamp", "nonceStr", "package", "signType", "paySign"}


@dataclass(frozen=True)
class Create:
    """One create call as its clients send it, and what its answer and its order show."""

    fields: dict[str, object]
    target_sys: str
    status: str  # just created
    target_status: str  # in the create answer
    unpaid_target_status: str  # in a query before payment
    target_order_id: str  # its shape once paid
    pay_request: dict[str, str] = field(default_factory=dict)  # answer field → regex of its JSON (sorted keys)


CREATES = {
    "/v1/netpay/trade/precreate": Create(
        {"tradeType": "APP"}, "Alipay 2.0", "NEW_ORDER", "10000", "40004|ACQ.TRADE_NOT_EXIST", ALIPAY_TRADE_NO,
        {"qrCode": r"https://qr\.alipay\.com/bax0[a-z0-9]{20}",
         "appPayRequest": r"\{'msgType': 'trade\.precreate', 'qrCode': 'https://qr\.alipay\.com/bax0[a-z0-9]{20}'\}"}),
    "/v1/netpay/uac/app-order": Create(
        {"tradeType": "APP"}, "UAC", "WAIT_BUYER_PAY", "00|NOTPAY", "00|NOTPAY", UNIONPAY_ID,
        {"appPayRequest": rf"\{{'tn': '{TN}'\}}"}),
    "/v1/netpay/trade/create": Create(
        {"instMid": "MINIDEFAULT", "tradeType": "MINI", "userId": "2088102123456789"}, "Alipay 2.0", "NEW_ORDER",
        "10000", "40004|ACQ.TRADE_NOT_EXIST", ALIPAY_TRADE_NO, {"targetOrderId": ALIPAY_TRADE_NO}),
    "/v1/netpay/uac/mini-order": Create(
        {"instMid": "MINIDEFAULT", "tradeType": "MINI", "subAppId": "wx0123456789abcdef", "subOpenId": "o1a2b3"},
        "UAC", "WAIT_BUYER_PAY", "00|NOTPAY", "00|NOTPAY", UNIONPAY_ID, {"miniPayRequest": rf"\{{'tn': '{TN}'\}}"}),
    "/v1/netpay/wx/mini-pre-order": Create(
        {"instMid": "MINIDEFAULT", "tradeType": "UP_WX_MINI", "invokeScene": "03", "subAppId": "wx0123456789abcdef",
         "subOpenId": "o1a2b3"}, "WXPay", "WAIT_BUYER_PAY", "SUCCESS|SUCCESS", "SUCCESS|NOTPAY",
        r"4200001\d{3}\d{8}\d{10}", {"miniPayRequest": r"\{'appId': 'wx0123456789abcdef', 'nonceStr': '[0-9a-f]{32}', "
                                                       r"'package': 'prepay_id=wx\w{32}', 'paySign': '[^']+', "
                                                       r"'signType': 'RSA', 'timeStamp': '\d{10}'\}"}),
    "/v1/netpay/qmf/order": Create(
        {"tradeType": "APP", "merchantUserId": "1234567", "mobile": "13800138000"}, "QMF", "WAIT_BUYER_PAY",
        "00|NOTPAY", "00|NOTPAY", UNIONPAY_ID, {"appPayRequest": rf"\{{'tn': '{TN}'\}}"}),
    "/v1/netpay/applepay/order": Create(
        {"tradeType": "APP"}, "ACP", "WAIT_BUYER_PAY", "00|NOTPAY", "00|NOTPAY", UNIONPAY_ID,
        {"appPayRequest": rf"\{{'tn': '{TN}'\}}"}),
    "/v1/netpay/acp/js-pay": Create(
        {"instMid": "YUEDANDEFAULT", "tradeType": "JSAPI"}, "ACP", "WAIT_BUYER_PAY", "00|NOTPAY", "00|NOTPAY",
        UNIONPAY_ID, {"redirectUrl": rf"http://127\.0\.0\.1:\d+/netpay-portal/acp/jsPay\.do\?tn={TN}"}),
}


def _order_id(series: int, path: str) -> str:
    """A merOrderId of its own for each create call (`series`: which test)."""
    return f"{series}{list(CREATES).index(path):04d}0000001"


def _shown(value: Any) -> str:
    """A value as the regexes above spell it: an object with its keys sorted."""
    return str(dict(sorted(value.items()))) if isinstance(value, dict) else str(value)


@pytest.mark.parametrize("path", CREATES)
async def test_create_answers_its_pay_parameters_and_its_wallets_values(caller: Caller, path: str) -> None:
    made = CREATES[path]
    order_id = _order_id(3194, path)
    answer = await caller.call(path, order_id, totalAmount=360, **made.fields)
    assert answer.status == 200 and "X-Mockums-Warning" not in answer.headers, answer.text
    created = answer.json
    assert set(created) == HEAD | set(made.pay_request)
    assert (created["errCode"], created["errMsg"], created["merOrderId"], created["mid"], created["tid"]) == (
        "SUCCESS", "", order_id, MID, "88880001")
    assert (created["instMid"], created["connectSys"], created["srcReserve"], created["totalAmount"]) == (
        made.fields.get("instMid", "APPDEFAULT"), "UNIONPAY", "C20220119000001", 360)
    assert (created["status"], created["targetStatus"], created["targetSys"]) == (
        made.status, made.target_status, made.target_sys)
    assert created["settleRefId"] == created["seqId"]
    for name, shape in made.pay_request.items():
        assert re.fullmatch(shape, _shown(created[name])), (name, created[name])


@pytest.mark.parametrize("path", CREATES)
async def test_its_order_is_queried_paid_notified_and_refunded_like_any_other(
        caller: Caller, receiver: Receiver, path: str) -> None:
    made = CREATES[path]
    order_id = _order_id(3195, path)
    created = await create(caller, order_id, receiver, path=path, **made.fields)
    unpaid = (await caller.call(QUERY, order_id)).json
    assert (unpaid["errCode"], unpaid["status"], unpaid["targetStatus"], unpaid["targetSys"], unpaid["seqId"]) == (
        "SUCCESS", made.status, made.unpaid_target_status, made.target_sys, created["seqId"])

    await pay(caller, order_id)
    [note] = await receiver.wait_for(1)
    form = note.form
    assert notification_signature_valid(form, DEMO_APP.notify_key)
    assert (form["status"], form["merOrderId"], form["targetSys"], form["totalAmount"], form["instMid"]) == (
        "TRADE_SUCCESS", order_id, made.target_sys, "360", created["instMid"])
    paid = (await caller.call(QUERY, order_id)).json
    assert (paid["status"], paid["targetSys"], paid["targetOrderId"]) == (
        "TRADE_SUCCESS", made.target_sys, form["targetOrderId"])
    assert re.fullmatch(made.target_order_id, paid["targetOrderId"])
    if "targetOrderId" in made.pay_request:  # the trade number the create answered is the one paid
        assert paid["targetOrderId"] == created["targetOrderId"]

    refund = (await caller.call(REFUND, order_id, refundAmount=100, refundOrderId=f"{order_id}R")).json
    assert (refund["errCode"], refund["refundStatus"], refund["status"], refund["refundAmount"]) == (
        "SUCCESS", "SUCCESS", "TRADE_REFUND", 100)
    queried = (await caller.call(REFUND_QUERY, order_id, refundOrderId=f"{order_id}R")).json
    assert (queried["errCode"], queried["refundStatus"], queried["targetSys"]) == ("SUCCESS", "SUCCESS", made.target_sys)
    [_, refund_note] = await receiver.wait_for(2)
    assert (refund_note.form["status"], refund_note.form["refundOrderId"]) == ("TRADE_REFUND", f"{order_id}R")


@pytest.mark.parametrize("path", CREATES)
async def test_its_order_closes_while_unpaid(caller: Caller, path: str) -> None:
    made = CREATES[path]
    order_id = _order_id(3196, path)
    await create(caller, order_id, path=path, **made.fields)
    closed = (await caller.call(CLOSE, order_id, instMid=made.fields.get("instMid", "APPDEFAULT"))).json
    assert (closed["errCode"], closed["status"], closed["targetSys"]) == ("SUCCESS", "TRADE_CLOSED", made.target_sys)
    again = (await caller.call(CLOSE, order_id)).json
    assert (again["errCode"], again["errMsg"]) == ("OPERATION_NOT_ALLOWED", "订单已关闭")
    refund = (await caller.call(REFUND, order_id, refundAmount=1)).json
    assert (refund["errCode"], refund["errMsg"]) == ("OPERATION_NOT_ALLOWED", "订单已关闭")


async def test_md5_notifications_for_a_merchant_configured_so(make_caller: MakeCaller, receiver: Receiver) -> None:
    caller = await make_caller(apps=(replace(DEMO_APP, notify_sign_type="MD5"),))
    await create(caller, "3197000000000001", receiver, path="/v1/netpay/uac/app-order")
    await pay(caller, "3197000000000001")
    [note] = await receiver.wait_for(1)
    assert (note.form["signType"], note.form["targetSys"]) == ("MD5", "UAC")
    assert re.fullmatch(r"[0-9A-F]{32}", note.form["sign"])
    assert notification_signature_valid(note.form, DEMO_APP.notify_key)


BUYER_FIELDS_LEFT_OUT = [  # fields the tables require that published clients leave out: (path, sent, left out)
    ("/v1/netpay/trade/create", {"instMid": "MINIDEFAULT"}, "userId"),
    ("/v1/netpay/qmf/order", {"mobile": "13800138000"}, "merchantUserId"),
    ("/v1/netpay/qmf/order", {"merchantUserId": "1234567"}, "mobile"),
]


@pytest.mark.parametrize(("path", "fields", "missing"), BUYER_FIELDS_LEFT_OUT)
async def test_strict_mode_requires_the_buyer_fields_these_wallets_need(
        make_caller: MakeCaller, path: str, fields: dict[str, str], missing: str) -> None:
    caller = await make_caller(strict=Strictness(request=True))
    body = (await caller.call(path, "3198000000000001", totalAmount=360, **fields)).json
    assert body["errCode"] == "BAD_REQUEST"
    assert body["errMsg"].startswith(f"请求报文有错: {missing}: is missing or empty (rule: required"), body["errMsg"]
    assert caller.sandbox.orders() == []


@pytest.mark.parametrize(("path", "fields", "missing"), BUYER_FIELDS_LEFT_OUT)
async def test_lenient_mode_accepts_a_buyer_field_published_clients_leave_out_with_a_warning(
        caller: Caller, path: str, fields: dict[str, str], missing: str) -> None:
    answer = await caller.call(path, "3198000000000002", totalAmount=360, **fields)
    assert answer.json["errCode"] == "SUCCESS", answer.text
    assert answer.headers["X-Mockums-Warning"].startswith(
        f"{missing} left out is not in the table of {path} ({missing}: required"), answer.headers["X-Mockums-Warning"]
    assert answer.headers["X-Mockums-Warning"].endswith(
        "accepted because published clients send it, but the gateway may refuse it (strict mode does)")


async def test_order_query_answers_as_the_query(caller: Caller) -> None:
    await create(caller, "3199000000000001", path="/v1/netpay/uac/app-order")
    by_query = (await caller.call(QUERY, "3199000000000001")).json
    by_order_query = (await caller.call("/v1/netpay/order-query", "3199000000000001")).json
    assert {k: v for k, v in by_order_query.items() if k != "responseTimestamp"} == {
        k: v for k, v in by_query.items() if k != "responseTimestamp"}
    assert by_order_query["status"] == "WAIT_BUYER_PAY"
    unknown = (await caller.call("/v1/netpay/order-query", "3199000000000002")).json
    assert (unknown["errCode"], unknown["errMsg"]) == ("NO_ORDER", "无法找到指定的订单")


async def test_a_magic_id_speaks_for_an_order_of_any_create(caller: Caller, receiver: Receiver) -> None:
    created = await create(caller, "MKPAYNOW3194001", receiver, path="/v1/netpay/trade/precreate")
    assert created["errCode"] == "SUCCESS"
    [note] = await receiver.wait_for(1)
    assert (note.form["status"], note.form["targetSys"]) == ("TRADE_SUCCESS", "Alipay 2.0")
    answer = await caller.call("/v1/netpay/trade/create", "MKHTTP5XX3194001", totalAmount=1, instMid="MINIDEFAULT",
                               userId="2088102123456789")
    assert (answer.status, "nginx" in answer.text) == (502, True)


async def test_strict_mode_accepts_the_tables(make_caller: MakeCaller) -> None:
    caller = await make_caller(strict=Strictness(request=True))
    for path, made in CREATES.items():
        answer = await caller.call(path, _order_id(3193, path), totalAmount=360, **made.fields)
        assert answer.json["errCode"] == "SUCCESS", (path, answer.text)


CLIENT_HABITS = [  # what published clients send that the tables do not list: (path, the value, the other fields)
    ("/v1/netpay/trade/create", "JSAPI", {"instMid": "YUEDANDEFAULT", "userId": "2088102123456789"}),
    ("/v1/netpay/trade/create", "MINI_PAY", {"instMid": "MINIDEFAULT", "userId": "2088102123456789",
                                            "subAppId": "wx0123456789abcdef", "subOpenId": "o1a2b3"}),
    ("/v1/netpay/trade/precreate", "MINI_PAY", {"subAppId": "wx0123456789abcdef", "subOpenId": "o1a2b3"}),
    ("/v1/netpay/uac/mini-order", "MINI_PAY", {"instMid": "MINIDEFAULT", "subAppId": "wx0123456789abcdef",
                                              "subOpenId": "o1a2b3"}),
    ("/v1/netpay/uac/mini-order", "UP_WX_MINI", {"instMid": "MINIDEFAULT", "invokeScene": "03"}),
]


@pytest.mark.parametrize(("path", "trade_type", "fields"), CLIENT_HABITS)
async def test_lenient_mode_accepts_what_clients_send_naming_the_documented_value(
        caller: Caller, path: str, trade_type: str, fields: dict[str, str]) -> None:
    answer = await caller.call(path, "3192000000000001", totalAmount=360, tradeType=trade_type, **fields)
    assert (answer.json["errCode"], answer.json["targetSys"]) == ("SUCCESS", "Alipay 2.0" if "trade" in path else "UAC")
    documented = "MINI" if path != "/v1/netpay/trade/precreate" else "APP"
    with_inst_mid = " with instMid YUEDANDEFAULT" if trade_type == "JSAPI" else ""
    assert answer.headers["X-Mockums-Warning"] == (
        f"tradeType {trade_type}{with_inst_mid} is not in the table of {path} (tradeType: optional, one of "
        f"{documented}); accepted because published clients send it, but the gateway may refuse it (strict mode does)")


@pytest.mark.parametrize(("path", "trade_type", "fields"), CLIENT_HABITS)
async def test_strict_mode_refuses_what_no_official_material_shows(
        make_caller: MakeCaller, path: str, trade_type: str, fields: dict[str, str]) -> None:
    caller = await make_caller(strict=Strictness(request=True))
    body = (await caller.call(path, "3192000000000001", totalAmount=360, tradeType=trade_type, **fields)).json
    documented = "MINI" if path != "/v1/netpay/trade/precreate" else "APP"
    assert (body["errCode"], body["errMsg"]) == (
        "BAD_REQUEST", f"请求报文有错: tradeType: {trade_type!r} is not one of {documented} "
                       f"(rule: optional, one of {documented})")
    assert caller.sandbox.orders() == []


async def test_the_trade_number_trade_create_answers_finds_its_order(caller: Caller) -> None:
    created = await create(caller, "3191000000000001", path="/v1/netpay/trade/create", instMid="MINIDEFAULT",
                           userId="2088102123456789")
    found = (await caller.call(QUERY, None, targetOrderId=created["targetOrderId"])).json
    assert (found["errCode"], found["merOrderId"], found["status"]) == ("SUCCESS", "3191000000000001", "NEW_ORDER")

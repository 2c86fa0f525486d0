"""H5 payment over real HTTP: a GET with OPEN-FORM-PARAM answers HTTP 302 to mockums' cashier page,
carrying what the real redirect carries; the order joins the ledger, so query, close and refund work."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl, quote, urlsplit

import chinaums_client
import pytest
from conftest import Caller, MakeCaller

from mockums.config import DEMO_APP, Strictness

ALIPAY = "/v1/netpay/trade/h5-pay"
WECHAT = "/v1/netpay/wxpay/h5-pay"
WECHAT_SCENE = {"sceneType": "AND_WAP", "merAppName": "mockums shop", "merAppId": "http://127.0.0.1:9000"}


def location_params(location: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(location).query, keep_blank_values=True)


async def test_an_alipay_h5_order_is_redirected_to_the_cashier_with_the_real_parameters(caller: Caller) -> None:
    content = chinaums_client.h5_content("3194H5A0001", returnUrl="http://127.0.0.1:9/paid?x=1")
    answer = await caller.form(ALIPAY, content)
    assert answer.status == 302
    assert answer.text == ""
    location = answer.headers["Location"]
    port = caller.client.port
    assert location.startswith(f"http://127.0.0.1:{port}/netpay-portal/alipay2/h5Pay.do?")
    params = location_params(location)
    # Content fields first, in content order, then openAppId, msgSrc, msgType and the sign (2024 capture).
    assert [key for key, _ in params] == [*content, "openAppId", "msgSrc", "msgType", "sign"]
    values = dict(params)
    assert values["requestTimestamp"] == content["requestTimestamp"]
    assert values["totalAmount"] == "360"
    assert (values["openAppId"], values["msgSrc"], values["msgType"]) == (DEMO_APP.app_id, "OPENPLATFORM", "trade.h5Pay")
    assert re.fullmatch(r"[0-9A-F]{32}", values["sign"])
    raw_query = urlsplit(location).query
    assert "requestTimestamp=" + chinaums_client.java_urlencode(str(content["requestTimestamp"])) in raw_query
    assert "orderDesc=%E6%B5%8B%E8%AF%95+%E8%AE%A2%E5%8D%95" in raw_query  # java.net.URLEncoder: a space is '+'


async def test_the_order_joins_the_ledger_query_close_and_refund_work(caller: Caller) -> None:
    await caller.form(ALIPAY, chinaums_client.h5_content("3194H5A0002"))
    query = await caller.call("/v1/netpay/query", "3194H5A0002", instMid="H5DEFAULT")
    assert (query.json["status"], query.json["targetSys"], query.json["totalAmount"]) == ("NEW_ORDER", "Alipay 2.0",
                                                                                          360)
    caller.sandbox.pay("898201612345678", "3194H5A0002")
    refund = await caller.call("/v1/netpay/refund", "3194H5A0002", instMid="H5DEFAULT", refundAmount=100)
    assert (refund.json["errCode"], refund.json["refundStatus"]) == ("SUCCESS", "SUCCESS")
    await caller.form(ALIPAY, chinaums_client.h5_content("3194H5A0003"))
    closed = await caller.call("/v1/netpay/close", "3194H5A0003", instMid="H5DEFAULT")
    assert (closed.json["errCode"], closed.json["status"]) == ("SUCCESS", "TRADE_CLOSED")


async def test_wechat_h5_requires_its_scene_fields(caller: Caller) -> None:
    refused = await caller.form(WECHAT, chinaums_client.h5_content("3194H5W0001"))
    assert refused.status == 200
    assert refused.json["errCode"] == "BAD_REQUEST"
    for name in ("sceneType", "merAppName", "merAppId"):
        assert f"{name}: is missing or empty" in refused.json["errMsg"]
    assert refused.json["merOrderId"] == "3194H5W0001"
    assert "errInfo" not in refused.json
    bad_scene = await caller.form(WECHAT, chinaums_client.h5_content("3194H5W0001", **{**WECHAT_SCENE,
                                                                                        "sceneType": "PC"}))
    assert "sceneType: 'PC' is not one of IOS_SDK, AND_SDK, IOS_WAP, AND_WAP" in bad_scene.json["errMsg"]
    answer = await caller.form(WECHAT, chinaums_client.h5_content("3194H5W0001", **WECHAT_SCENE))
    assert answer.status == 302
    assert "/netpay-portal/wxpay/h5Pay.do?" in answer.headers["Location"]
    assert dict(location_params(answer.headers["Location"]))["msgType"] == "WXPay.h5Pay"
    query = await caller.call("/v1/netpay/query", "3194H5W0001", instMid="H5DEFAULT")
    assert (query.json["status"], query.json["targetSys"]) == ("WAIT_BUYER_PAY", "WXPay")


@pytest.mark.parametrize(("path", "inst_mid", "portal", "target_sys"), [
    ("/v1/netpay/uac/order", "H5DEFAULT", "/netpay-portal/uac/h5Pay.do", "UAC"),
    ("/v1/netpay/wxpay/h5-to-minipay", "H5DEFAULT", "/netpay-portal/wxpay/h5ToMiniPay.do", "WXPay"),
    ("/v1/netpay/webpay/pay", "YUEDANDEFAULT", "/netpay-portal/webpay/pay.do", "WXPay"),
    ("/v1/netpay/qmf/h5-pay", "H5DEFAULT", "/netpay-portal/qmf/h5Pay.do", "QMF"),
])
async def test_the_other_h5_paths(caller: Caller, path: str, inst_mid: str, portal: str, target_sys: str) -> None:
    order_id = "3194H5X" + str(abs(hash(path)) % 10**6)
    answer = await caller.form(path, chinaums_client.h5_content(order_id, instMid=inst_mid))
    assert answer.status == 302, answer.text
    assert urlsplit(answer.headers["Location"]).path == portal
    query = await caller.call("/v1/netpay/query", order_id, instMid=inst_mid)
    assert query.json["targetSys"] == target_sys
    wrong = await caller.form(path, chinaums_client.h5_content(order_id + "9", instMid="APPDEFAULT"))
    assert wrong.json["errCode"] == "BAD_REQUEST"


async def test_the_same_link_opened_twice_shows_the_cashier_of_the_existing_order(caller: Caller) -> None:
    content = json.dumps(chinaums_client.h5_content("3194H5D0001"), ensure_ascii=False)
    link = f"{ALIPAY}?{chinaums_client.open_form_param(DEMO_APP.app_id, DEMO_APP.app_key, content)}"
    first = await caller.get(link)
    assert first.status == 302
    again = await caller.get(link)
    assert (again.status, again.text, again.headers["Location"]) == (302, "", first.headers["Location"])
    assert again.headers["X-Mockums-Warning"] == ("the create answered DUP_ORDER: this link made the order before, "
                                                  "so the browser goes to its cashier again")
    page = await caller.get(again.headers["Location"])
    assert (page.status, page.headers["Content-Type"].split(";")[0]) == (200, "text/html")
    assert "3194H5D0001" in page.text and '<p class="amount">3.60</p>' in page.text
    assert 'name="action" value="pay"' in page.text
    assert [order["merOrderId"] for order in caller.sandbox.orders(mer_order_id="3194H5D0001")] == ["3194H5D0001"]
    entries = await caller.journaled("3194H5D0001")
    assert [(entry["method"], entry["status"]) for entry in entries[-2:]] == [("GET", 302), ("GET", 302)]


async def test_a_paid_order_opened_again_shows_its_cashier_as_paid(caller: Caller) -> None:
    assert (await caller.form(ALIPAY, chinaums_client.h5_content("3194H5D0002"))).status == 302
    caller.sandbox.pay("898201612345678", "3194H5D0002")
    again = await caller.form(ALIPAY, chinaums_client.h5_content("3194H5D0002"))
    assert again.status == 302
    page = await caller.get(again.headers["Location"])
    assert page.status == 200 and "订单已支付 (already paid)" in page.text
    assert 'name="action" value="pay" class="pay" disabled' in page.text


@pytest.mark.parametrize("change", [{"totalAmount": 361}, {"instMid": "YUEDANDEFAULT"}])
async def test_another_order_under_a_taken_id_is_still_a_json_dup_order(caller: Caller,
                                                                          change: dict[str, object]) -> None:
    assert (await caller.form(ALIPAY, chinaums_client.h5_content("3194H5D0003"))).status == 302
    path = "/v1/netpay/webpay/pay" if "instMid" in change else ALIPAY
    again = await caller.form(path, chinaums_client.h5_content("3194H5D0003", **change))
    assert (again.status, again.json["errCode"], again.json["errMsg"]) == (200, "DUP_ORDER", "重复订单")
    assert "Location" not in again.headers


async def test_a_netpay_order_under_the_id_is_still_a_json_dup_order(caller: Caller) -> None:
    created = await caller.call("/v1/netpay/wx/app-pre-order", "3194H5D0004", totalAmount=360)
    assert created.json["errCode"] == "SUCCESS"
    again = await caller.form(ALIPAY, chinaums_client.h5_content("3194H5D0004"))
    assert (again.status, again.json["errCode"]) == (200, "DUP_ORDER")


async def test_content_that_is_not_json_is_a_bad_request(caller: Caller) -> None:
    answer = await caller.form(ALIPAY, "merOrderId=3194")
    assert (answer.status, answer.json["errCode"]) == (200, "BAD_REQUEST")
    assert "not valid JSON" in answer.json["errMsg"]


async def test_percent_twenty_is_refused_with_the_observed_1000(caller: Caller) -> None:
    answer = await caller.form(ALIPAY, chinaums_client.h5_content("3194H5E0001"),
                               encode=lambda text: quote(text, safe=""))
    assert answer.status == 412
    assert (answer.json["errCode"], answer.json["errInfo"]) == ("1000", "Timestamp解析失败")
    assert "errMsg" not in answer.json
    assert "a space as '+'" in answer.json["diagnosis"]["reason"]
    entry = (await caller.journaled("3194H5E0001"))[-1]
    assert (entry["method"], entry["auth"]["verdict"], entry["auth"]["scheme"]) == ("GET", "form_encoding",
                                                                                    "OPEN-FORM-PARAM")


async def test_a_dashed_auth_timestamp_is_the_observed_1000(caller: Caller) -> None:
    answer = await caller.form(ALIPAY, chinaums_client.h5_content("3194H5E0002"), timestamp="2026-11-26 12:00:00")
    assert (answer.status, answer.json["errCode"], answer.json["errInfo"]) == (412, "1000", "Timestamp解析失败")


async def test_a_compact_request_timestamp_in_the_content_is_flagged_or_the_observed_1000(
    make_caller: MakeCaller,
) -> None:
    caller = await make_caller()
    stamp = chinaums_client.compact(chinaums_client.beijing_now())
    answer = await caller.form(ALIPAY, chinaums_client.h5_content("3194H5E0003", requestTimestamp=stamp))
    assert answer.status == 302
    assert "yyyyMMddHHmmss" in answer.headers["X-Mockums-Warning"]
    strict = await make_caller(strict=Strictness(request=True))
    refused = await strict.form(ALIPAY, chinaums_client.h5_content("3194H5E0004", requestTimestamp=stamp))
    assert refused.status == 412
    assert (refused.json["errCode"], refused.json["errInfo"]) == ("1000", "Timestamp解析失败")
    assert refused.json["diagnosis"] == {"failure": "content_timestamp",
                                         "reason": f"requestTimestamp: {stamp!r} is not yyyy-MM-dd HH:mm:ss"}


@pytest.mark.parametrize("stamp", ["2026/11/26 08:33:26", "yesterday", "2026-13-40 25:61:61", 20261126083326])
async def test_a_malformed_request_timestamp_in_h5_content_is_the_observed_1000_in_strict_mode(
    make_caller: MakeCaller, stamp: object,
) -> None:
    strict = await make_caller(strict=Strictness(request=True))
    refused = await strict.form(ALIPAY, chinaums_client.h5_content("3194H5T0001", requestTimestamp=stamp))
    assert refused.status == 412
    assert (refused.json["errCode"], refused.json["errInfo"]) == ("1000", "Timestamp解析失败")
    assert "errMsg" not in refused.json
    assert refused.json["diagnosis"]["failure"] == "content_timestamp"
    assert strict.sandbox.orders(mer_order_id="3194H5T0001") == []
    entry = (await strict.journaled("3194H5T0001"))[-1]
    assert (entry["method"], entry["status"], entry["auth"]["verdict"]) == ("GET", 412, "content_timestamp")


@pytest.mark.parametrize("stamp", ["2026/11/26 08:33:26", "yesterday", 20261126083326])
async def test_a_malformed_request_timestamp_in_h5_content_passes_flagged_in_lenient_mode(
    caller: Caller, stamp: object,
) -> None:
    answer = await caller.form(ALIPAY, chinaums_client.h5_content("3194H5T0002", requestTimestamp=stamp))
    assert answer.status == 302
    assert answer.headers["Location"].startswith(f"http://127.0.0.1:{caller.client.port}/netpay-portal/alipay2/h5Pay.do?")
    shown = repr(stamp) if isinstance(stamp, str) else None
    warning = answer.headers["X-Mockums-Warning"]
    assert warning.startswith("requestTimestamp: ")
    assert (f"{shown} is not yyyy-MM-dd HH:mm:ss" if shown else "sent as int, not a yyyy-MM-dd HH:mm:ss string") in warning
    assert "strict mode refuses it as the gateway does (HTTP 412)" in warning
    assert caller.sandbox.orders(mer_order_id="3194H5T0002")[0]["status"] == "NEW_ORDER"


async def test_a_malformed_request_timestamp_on_a_post_path_stays_a_bad_request(make_caller: MakeCaller) -> None:
    strict = await make_caller(strict=Strictness(request=True))
    refused = await strict.close("MKSUCCESS3194T0003", requestTimestamp="yesterday")
    assert (refused.status, refused.json["errCode"]) == (200, "BAD_REQUEST")
    assert refused.json["errMsg"].startswith("请求报文有错: requestTimestamp: 'yesterday' is not yyyy-MM-dd HH:mm:ss")


@pytest.mark.parametrize(("query", "status", "code"), [
    ("", 401, "1001"),
    ("authorization=OPEN-BODY-SIG", 401, "1002"),
    ("authorization=OPEN-FORM-PARAM&appId=x", 412, "1003"),
])
async def test_query_problems_answer_the_gateway_table(caller: Caller, query: str, status: int, code: str) -> None:
    answer = await caller.get(f"{ALIPAY}?{query}")
    assert (answer.status, answer.json["errCode"]) == (status, code)
    assert "errMsg" not in answer.json


async def test_a_wrong_key_and_an_unknown_app(caller: Caller) -> None:
    content = chinaums_client.h5_content("3194H5E0005")
    wrong = await caller.form(ALIPAY, content, app=DEMO_APP.__class__(DEMO_APP.app_id, "not-the-key"))
    assert (wrong.status, wrong.json["errCode"]) == (401, "1006")
    assert "string_to_sign" in wrong.json["diagnosis"]
    unknown = await caller.form(ALIPAY, content, app=DEMO_APP.__class__("nobody", "key"))
    assert (unknown.status, unknown.json["errCode"]) == (401, "1005")


async def test_the_gateway_table_override_applies_to_get_too(make_caller: MakeCaller) -> None:
    caller = await make_caller(gateway_errors={"form_encoding": {"status": 400, "errInfo": "content编码错误"}})
    answer = await caller.form(ALIPAY, chinaums_client.h5_content("3194H5E0006"),
                               encode=lambda text: quote(text, safe=""))
    assert (answer.status, answer.json["errCode"], answer.json["errInfo"]) == (400, "1000", "content编码错误")


async def test_methods_that_do_not_fit_the_path(caller: Caller) -> None:
    get_on_post_path = await caller.form("/v1/netpay/query", chinaums_client.h5_content("3194H5M0001"))
    assert (get_on_post_path.status, get_on_post_path.json["errCode"]) == (405, "1013")
    body = chinaums_client.go_json(chinaums_client.h5_content("3194H5M0002"))
    post_on_h5_path = await caller.signed(ALIPAY, body)
    assert (post_on_h5_path.status, post_on_h5_path.json["errCode"]) == (405, "1013")
    unknown = await caller.get("/v1/netpay/nothing-here?authorization=OPEN-FORM-PARAM")
    assert (unknown.status, unknown.json["errCode"]) == (404, "1012")


async def test_the_cashier_link_follows_the_host_or_the_public_url(make_caller: MakeCaller) -> None:
    caller = await make_caller()
    content = chinaums_client.h5_content("3194H5U0001")
    behind_docker = await caller.form(ALIPAY, content, headers={"Host": "localhost:18080"})
    assert behind_docker.headers["Location"].startswith("http://localhost:18080/netpay-portal/")
    configured = await make_caller(public_url="https://pay.example.test/sandbox/")
    answer = await configured.form(ALIPAY, content)
    assert answer.headers["Location"].startswith("https://pay.example.test/sandbox/netpay-portal/alipay2/h5Pay.do?")


async def test_scenarios_answer_h5_orders_too(caller: Caller) -> None:
    failed = await caller.form(ALIPAY, chinaums_client.h5_content("MKTARGETFAIL0042"))
    assert (failed.status, failed.json["errCode"]) == (200, "TARGET_FAIL")
    refused = await caller.form(ALIPAY, chinaums_client.h5_content("MKBADSIG0042"))
    assert (refused.status, refused.json["errCode"]) == (401, "1006")
    paid = await caller.form(ALIPAY, chinaums_client.h5_content("MKPAYNOW0042"))
    assert paid.status == 302
    query = await caller.call("/v1/netpay/query", "MKPAYNOW0042", instMid="H5DEFAULT")
    assert query.json["status"] == "TRADE_SUCCESS"
    entry = (await caller.journaled("MKPAYNOW0042"))[0]
    assert (entry["status"], entry["why"]) == (302, "form signature ok; scenario paid-at-once")
    assert json.loads(entry["request"])["merOrderId"] == "MKPAYNOW0042"


async def test_a_head_request_creates_nothing(caller: Caller) -> None:
    query = chinaums_client.open_form_param(DEMO_APP.app_id, DEMO_APP.app_key,
                                            json.dumps(chinaums_client.h5_content("3194H5HEAD01")))
    from yarl import URL

    async with caller.client.head(URL(f"{ALIPAY}?{query}", encoded=True)) as response:
        assert response.status == 405
    assert caller.sandbox.orders(mer_order_id="3194H5HEAD01") == []

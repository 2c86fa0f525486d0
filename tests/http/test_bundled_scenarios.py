"""Every bundled scenario, reached by its documented magic merOrderId, with no YAML written."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import chinaums_client
import pytest
from conftest import CLOSE, Caller, MakeCaller

from mockums.config import DEMO_APP, Settings
from mockums.core.sandbox import load_scenarios


def magic_ids() -> dict[str, str]:
    scenarios, errors = load_scenarios(Settings())
    assert not errors
    return {s.name: s.magic_id for s in scenarios if s.magic_id}


def test_every_bundled_scenario_has_a_magic_id_and_the_product_list_is_covered() -> None:
    ids = magic_ids()
    required = {"success", "already-paid", "already-closed", "not-found", "bad-signature", "bad-request",
                "system-error", "processing", "target-fail", "slow", "timeout", "http-5xx",
                "connection-reset", "malformed-body"}
    assert required <= set(ids)


async def test_success(caller: Caller) -> None:
    answer = await caller.close("MKSUCCESS0001")
    assert answer.json["errCode"] == "SUCCESS"
    assert answer.headers["X-Mockums-Scenario"] == "success"


async def test_already_paid(caller: Caller) -> None:
    body = (await caller.close("MKPAID0001")).json
    assert (body["errCode"], body["errMsg"]) == ("TARGET_FAIL", "订单已支付，不能发起关单")
    assert (body["status"], body["targetStatus"]) == ("TRADE_SUCCESS", "FAIL|ORDERPAID")


async def test_already_closed(caller: Caller) -> None:
    body = (await caller.close("MKCLOSED0001")).json
    assert (body["errCode"], body["errMsg"], body["status"]) == ("OPERATION_NOT_ALLOWED", "订单已关闭", "TRADE_CLOSED")


async def test_not_found(caller: Caller) -> None:
    body = (await caller.close("MKNOTFOUND0001")).json
    assert body["errCode"] == "NO_ORDER"
    assert body["errMsg"] == "无法找到指定的订单"
    assert set(body) == {"errCode", "errMsg", "responseTimestamp", "mid", "tid", "instMid", "srcReserve", "merOrderId"}


async def test_bad_signature_even_though_the_signature_is_right(caller: Caller) -> None:
    answer = await caller.close("MKBADSIG0001")
    assert answer.status == 401
    assert (answer.json["errCode"], answer.json["errInfo"]) == ("1006", "签名验证失败")


@pytest.mark.parametrize(
    ("order_id", "code", "message"),
    [
        ("MKBADREQ0001", "BAD_REQUEST", "请求报文有错"),
        ("MKSYSERR0001", "INTERNAL_ERROR", "内部错误"),
        ("MKTARGETFAIL0001", "TARGET_FAIL", "支付宝/微信方失败"),
    ],
)
async def test_business_failures(caller: Caller, order_id: str, code: str, message: str) -> None:
    answer = await caller.close(order_id)
    assert answer.status == 200
    assert (answer.json["errCode"], answer.json["errMsg"]) == (code, message)
    assert "status" not in answer.json


async def test_scripted_failure_leaves_the_order_untouched(caller: Caller) -> None:
    await caller.close("MKTARGETFAIL0002")
    assert caller.sandbox.orders("898201612345678", "MKTARGETFAIL0002") == []


async def test_processing_twice_then_success(caller: Caller) -> None:
    answers = [await caller.close("MKPROCESSING0001") for _ in range(4)]
    codes = [answer.json["errCode"] for answer in answers]
    # The third call closes the order; the fourth meets a closed order, and its real answer stands.
    assert codes == ["ORDER_PROCESSING", "ORDER_PROCESSING", "SUCCESS", "OPERATION_NOT_ALLOWED"]
    assert answers[3].headers["X-Mockums-Warning"] == (
        "scenario processing scripts a success, but the order's rules answer OPERATION_NOT_ALLOWED")
    other = (await caller.close("MKPROCESSING0002")).json["errCode"]
    assert other == "ORDER_PROCESSING"  # each order has its own sequence


async def test_slow_answers_after_three_seconds(caller: Caller) -> None:
    caller.sandbox.move_clock(freeze=True)  # the delay is sandbox time: it passes when the clock moves
    pending = asyncio.create_task(caller.close("MKSLOW0001"))
    await caller.journaled("MKSLOW0001")
    caller.sandbox.move_clock(advance=2.9)
    await asyncio.sleep(0.05)
    assert not pending.done()
    caller.sandbox.move_clock(advance=0.1)
    answer = await asyncio.wait_for(pending, 5)
    assert answer.json["errCode"] == "SUCCESS"


async def test_timeout_never_answers(make_caller: MakeCaller) -> None:
    caller = await make_caller(no_answer_hold=120.0)
    caller.sandbox.move_clock(freeze=True)
    body = chinaums_client.go_json(chinaums_client.close_request("MKTIMEOUT0001"))
    header = chinaums_client.open_body_sig(DEMO_APP.app_id, DEMO_APP.app_key, body)
    pending = asyncio.create_task(caller.client.post(CLOSE, data=body, headers={"Authorization": header}))
    await caller.journaled("MKTIMEOUT0001")
    caller.sandbox.move_clock(advance=119)
    await asyncio.sleep(0.05)
    assert not pending.done()  # held silent while sandbox time has not reached no_answer_hold
    caller.sandbox.move_clock(advance=1)
    with pytest.raises(aiohttp.ClientError):  # then dropped
        await asyncio.wait_for(pending, 5)


async def test_http_5xx_is_an_html_page(caller: Caller) -> None:
    answer = await caller.close("MKHTTP5XX0001")
    assert answer.status == 502
    assert answer.headers["Content-Type"].startswith("text/html")
    assert "<h1>502 Bad Gateway</h1>" in answer.text


async def test_connection_reset(caller: Caller) -> None:
    with pytest.raises(aiohttp.ClientError):
        await caller.close("MKRESET0001")


async def test_malformed_body_is_cut_short(caller: Caller) -> None:
    with pytest.raises(aiohttp.ClientPayloadError):
        await caller.close("MKMALFORMED0001")


async def test_non_json_body(caller: Caller) -> None:
    answer = await caller.close("MKNOTJSON0001")
    assert answer.status == 200
    assert answer.headers["Content-Type"].startswith("text/plain")
    with pytest.raises(json.JSONDecodeError):
        _ = answer.json


async def test_gateway_9200_once_then_normal(caller: Caller) -> None:
    first = await caller.close("MK9200N0001")
    assert (first.status, first.json["errCode"]) == (412, "9200")
    second = await caller.close("MK9200N0001")
    assert second.json["errCode"] == "SUCCESS"

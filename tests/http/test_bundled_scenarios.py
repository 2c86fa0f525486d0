"""Every bundled scenario, reached by its documented magic merOrderId with no YAML written, does what
its description (the README's magic-id table) says; the lifecycle stories are in test_lifecycle_stories."""

from __future__ import annotations

import ast
import asyncio
import json
from pathlib import Path

import aiohttp
import pytest
from conftest import CLOSE, Caller, MakeCaller, story
from lifecycle_helpers import MID, QUERY, REFUND, WX_ORDER, WX_QUERY

from mockums.config import Settings
from mockums.core.sandbox import load_scenarios


def bundled() -> dict[str, str]:
    scenarios, errors = load_scenarios(Settings())
    assert not errors
    return {s.name: s.magic_id or "" for s in scenarios}


def test_every_bundled_scenario_has_a_magic_id_and_the_product_list_is_covered() -> None:
    ids = bundled()
    assert all(ids.values())
    required = {"success", "already-paid", "already-closed", "not-found", "bad-signature", "bad-request",
                "system-error", "processing", "target-fail", "slow", "timeout", "http-5xx",
                "connection-reset", "malformed-body"}
    assert required <= set(ids)


def story_tests() -> dict[str, list[str]]:
    """Bundled scenario name -> the tests marked `@story(name)` in tests/http, read from their source (so that
    this module need not import the other test modules to see their marks). A file without the word `story`
    holds no such mark, and is not parsed (parsing all 42 took half a second)."""
    found: dict[str, list[str]] = {}
    for path in sorted(Path(__file__).parent.glob("test_*.py")):
        if "story" not in (source := path.read_text(encoding="utf-8")):
            continue
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for decorator in node.decorator_list:
                if isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Name) and \
                        decorator.func.id == "story":
                    [name] = [arg.value for arg in decorator.args if isinstance(arg, ast.Constant)]
                    assert node.name.startswith("test_"), f"{path.name}: @story({name!r}) marks {node.name}, not a test"
                    found.setdefault(name, []).append(f"{path.name}::{node.name}")
    return found


def test_every_bundled_scenario_has_a_story_test() -> None:
    # This module, test_lifecycle_stories and test_web_stories mark their story tests with @story(name).
    stories = story_tests()
    assert {"success", "paid-after-two-queries", "qr-expires-unscanned"} <= set(stories)  # all three modules read
    assert set(stories) == set(bundled()), "a bundled scenario without a test of its story, or the reverse"


async def still_open(caller: Caller, order_id: str) -> None:
    """A query answers normally: the order exists (the scenario speaks for it) and nothing happened to it."""
    for path in (QUERY, WX_QUERY):
        answer = await caller.call(path, order_id)
        assert answer.status == 200
        assert (answer.json["errCode"], answer.json["status"]) == ("SUCCESS", "WAIT_BUYER_PAY")
        assert "X-Mockums-Scenario" not in answer.headers  # the scenario does not answer queries
    history = caller.sandbox.order(MID, order_id)["history"]
    assert history[0]["event"].endswith("speaks for this merOrderId")
    assert len(history) == 1  # no close, no payment


@story("success")
async def test_success(caller: Caller) -> None:
    query = await caller.call(QUERY, "MKSUCCESS0001")
    assert (query.json["errCode"], query.json["status"]) == ("SUCCESS", "WAIT_BUYER_PAY")
    assert query.headers["X-Mockums-Scenario"] == "success"
    closed = (await caller.close("MKSUCCESS0001")).json
    assert (closed["errCode"], closed["status"]) == ("SUCCESS", "TRADE_CLOSED")
    refund = (await caller.call(REFUND, "MKSUCCESS0002", refundAmount=1)).json
    assert (refund["errCode"], refund["errMsg"]) == ("OPERATION_NOT_ALLOWED", "订单未支付，不能退款")


@story("already-paid")
async def test_already_paid(caller: Caller) -> None:
    query = (await caller.call(QUERY, "MKPAID0001")).json
    assert (query["errCode"], query["status"]) == ("SUCCESS", "TRADE_SUCCESS")
    body = (await caller.close("MKPAID0001")).json
    assert (body["errCode"], body["errMsg"]) == ("TARGET_FAIL", "订单已支付，不能发起关单")
    assert (body["status"], body["targetStatus"]) == ("TRADE_SUCCESS", "FAIL|ORDERPAID")
    refund = (await caller.call(REFUND, "MKPAID0002", refundAmount=1)).json
    assert (refund["errCode"], refund["refundStatus"], refund["status"]) == ("SUCCESS", "SUCCESS", "TRADE_REFUND")


@story("already-closed")
async def test_already_closed(caller: Caller) -> None:
    assert (await caller.call(QUERY, "MKCLOSED0001")).json["status"] == "TRADE_CLOSED"
    body = (await caller.close("MKCLOSED0001")).json
    assert (body["errCode"], body["errMsg"], body["status"]) == ("OPERATION_NOT_ALLOWED", "订单已关闭", "TRADE_CLOSED")
    refund = (await caller.call(REFUND, "MKCLOSED0001", refundAmount=1)).json
    assert (refund["errCode"], refund["errMsg"]) == ("OPERATION_NOT_ALLOWED", "订单已关闭")


@story("not-found")
async def test_not_found(caller: Caller) -> None:
    for path, fields in ((CLOSE, {}), (QUERY, {}), (WX_ORDER, {"totalAmount": 1})):
        body = (await caller.call(path, "MKNOTFOUND0001", **fields)).json
        assert (body["errCode"], body["errMsg"]) == ("NO_ORDER", "无法找到指定的订单")
        assert set(body) == {"errCode", "errMsg", "responseTimestamp", "mid", "tid", "instMid", "srcReserve",
                             "merOrderId"}


@story("bad-signature")
async def test_bad_signature_even_though_the_signature_is_right(caller: Caller) -> None:
    for path in (CLOSE, QUERY):
        answer = await caller.call(path, "MKBADSIG0001")
        assert answer.status == 401
        assert answer.json == {"errCode": "1006", "errInfo": "签名验证失败", "diagnosis": {
            "failure": "bad_signature", "reason": "forced by scenario bad-signature"}}


@story("bad-request")
@story("system-error")
@story("target-fail")
@pytest.mark.parametrize(
    ("order_id", "code", "message"),
    [
        ("MKBADREQ0001", "BAD_REQUEST", "请求报文有错"),
        ("MKSYSERR0001", "INTERNAL_ERROR", "内部错误"),
        ("MKTARGETFAIL0001", "TARGET_FAIL", "支付宝/微信方失败"),
    ],
)
async def test_business_failures(caller: Caller, order_id: str, code: str, message: str) -> None:
    for path, fields in ((CLOSE, {}), (QUERY, {}), (WX_ORDER, {"totalAmount": 1})):
        answer = await caller.call(path, order_id, **fields)
        assert answer.status == 200
        assert (answer.json["errCode"], answer.json["errMsg"]) == (code, message)
        assert "status" not in answer.json
    assert caller.sandbox.orders(MID, order_id) == []  # nothing happened to the order


@story("processing")
async def test_processing_twice_then_success(caller: Caller) -> None:
    answers = [await caller.close("MKPROCESSING0001") for _ in range(4)]
    codes = [answer.json["errCode"] for answer in answers]
    # The third call closes the order; the fourth meets a closed order, and its real answer stands.
    assert codes == ["ORDER_PROCESSING", "ORDER_PROCESSING", "SUCCESS", "OPERATION_NOT_ALLOWED"]
    assert answers[3].headers["X-Mockums-Warning"] == (
        "scenario processing scripts a success, but the order's rules answer OPERATION_NOT_ALLOWED")
    other = (await caller.close("MKPROCESSING0002")).json["errCode"]
    assert other == "ORDER_PROCESSING"  # each order has its own sequence


@story("slow")
async def test_slow_answers_after_three_seconds(caller: Caller) -> None:
    caller.sandbox.move_clock(freeze=True)  # the delay is sandbox time: it passes when the clock moves
    for number, path in enumerate((CLOSE, QUERY)):
        pending, left = await caller.held(path, f"MKSLOW000{number}")
        assert left == pytest.approx(3.0)
        await caller.sleepers.move(lambda: caller.sandbox.move_clock(advance=2.9))  # the hold noticed, held on
        assert not pending.done()
        caller.sandbox.move_clock(advance=0.1)
        answer = await asyncio.wait_for(pending, 5)
        assert answer.json["errCode"] == "SUCCESS"


@story("timeout")
async def test_timeout_a_close_never_answers_then_a_query_does(make_caller: MakeCaller) -> None:
    caller = await make_caller(no_answer_hold=120.0)
    caller.sandbox.move_clock(freeze=True)
    pending, left = await caller.held(CLOSE, "MKTIMEOUT0001")
    assert left == pytest.approx(120.0)
    await caller.journaled("MKTIMEOUT0001")
    await caller.sleepers.move(lambda: caller.sandbox.move_clock(advance=119))
    assert not pending.done()  # held silent while sandbox time has not reached no_answer_hold
    await still_open(caller, "MKTIMEOUT0001")  # the client gave up and queries: the close did not happen
    caller.sandbox.move_clock(advance=1)
    with pytest.raises(aiohttp.ClientError):  # then dropped
        await asyncio.wait_for(pending, 5)
    for path, order_id, fields in ((WX_ORDER, "MKTIMEOUT0002", {"totalAmount": 1}),
                                   (REFUND, "MKTIMEOUT0003", {"refundAmount": 1})):
        pending, left = await caller.held(path, order_id, **fields)  # the scenario holds other endpoints too
        assert left == pytest.approx(120.0)
        caller.sandbox.move_clock(advance=120)
        with pytest.raises(aiohttp.ClientError):
            await asyncio.wait_for(pending, 5)


@story("http-5xx")
async def test_http_5xx_is_an_html_page_then_a_query_answers(caller: Caller) -> None:
    answer = await caller.close("MKHTTP5XX0001")
    assert answer.status == 502
    assert answer.headers["Content-Type"].startswith("text/html")
    assert "<h1>502 Bad Gateway</h1>" in answer.text
    await still_open(caller, "MKHTTP5XX0001")
    assert (await caller.call(WX_ORDER, "MKHTTP5XX0002", totalAmount=1)).status == 502


@story("connection-reset")
async def test_connection_reset_then_a_query_answers(caller: Caller) -> None:
    with pytest.raises(aiohttp.ClientError):
        await caller.close("MKRESET0001")
    await still_open(caller, "MKRESET0001")
    with pytest.raises(aiohttp.ClientError):
        await caller.call(REFUND, "MKRESET0002", refundAmount=1)


@story("malformed-body")
async def test_malformed_body_is_cut_short_then_a_query_answers(caller: Caller) -> None:
    with pytest.raises(aiohttp.ClientPayloadError):
        await caller.close("MKMALFORMED0001")
    await still_open(caller, "MKMALFORMED0001")


@story("non-json-body")
async def test_non_json_body_then_a_query_answers(caller: Caller) -> None:
    answer = await caller.close("MKNOTJSON0001")
    assert answer.status == 200
    assert answer.headers["Content-Type"].startswith("text/plain")
    with pytest.raises(json.JSONDecodeError):
        _ = answer.json
    await still_open(caller, "MKNOTJSON0001")


@story("gateway-9200")
async def test_gateway_9200_once_then_normal(caller: Caller) -> None:
    first = await caller.close("MK9200N0001")
    assert (first.status, first.json["errCode"]) == (412, "9200")
    second = await caller.close("MK9200N0001")
    assert (second.json["errCode"], second.json["status"]) == ("SUCCESS", "TRADE_CLOSED")
    assert (await caller.call(QUERY, "MK9200N0001")).json["status"] == "TRADE_CLOSED"
    assert (await caller.call(QUERY, "MK9200N0002")).status == 412  # the first call of another order

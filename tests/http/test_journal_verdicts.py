"""The journal keeps the authentication verdict apart from what a scenario forced, and says why each
request got its answer."""

from __future__ import annotations

import chinaums_client
from conftest import CLOSE, Caller
from lifecycle_helpers import journal

from mockums.config import DEMO_APP


async def test_a_forced_gateway_error_is_not_blamed_on_the_signature(caller: Caller) -> None:
    first = await caller.close("MK9200N0001")
    second = await caller.close("MK9200N0001")
    assert (first.status, first.json["errCode"]) == (412, "9200")
    assert second.json["errCode"] == "SUCCESS"
    forced, normal = await journal(caller, merOrderId="MK9200N0001")
    assert forced["auth"]["verdict"] == "ok"
    assert forced["auth"]["reason"] == "valid signature"
    assert forced["scenario"]["name"] == "gateway-9200"
    assert forced["scenario"]["forced"] == "gateway error 9200 (gateway_9200)"
    assert forced["why"] == "signature ok; scenario gateway-9200 forced gateway error 9200 (gateway_9200)"
    assert (forced["status"], forced["errCode"]) == (412, "9200")
    assert normal["scenario"]["forced"] is None
    assert normal["why"] == "signature ok; scenario gateway-9200; answered SUCCESS"


async def test_a_bad_signature_is_the_gateway_refusing(caller: Caller) -> None:
    body = chinaums_client.go_json(chinaums_client.close_request("3194JOURNAL0001"))
    header = chinaums_client.open_body_sig(DEMO_APP.app_id, "not-the-key", body)
    await caller.raw(CLOSE, body, header)
    [entry] = await journal(caller, merOrderId="3194JOURNAL0001")
    assert entry["auth"]["verdict"] == "bad_signature"
    assert entry["why"].startswith("refused (bad_signature): Signature does not match")
    assert entry["scenario"] == {"name": None, "reason": "", "forced": None, "nearMisses": []}


async def test_a_fault_and_a_scripted_code_are_named(caller: Caller) -> None:
    await caller.close("MKTARGETFAIL0001")
    [entry] = await journal(caller, merOrderId="MKTARGETFAIL0001")
    assert entry["auth"]["verdict"] == "ok"
    assert entry["scenario"]["forced"] == "errCode TARGET_FAIL"
    assert entry["why"] == "signature ok; scenario target-fail forced errCode TARGET_FAIL"


async def test_no_scenario_says_so_with_its_near_misses(caller: Caller) -> None:
    await caller.close("MKPAIX0001")
    [entry] = await journal(caller, merOrderId="MKPAIX0001")
    assert entry["why"] == "signature ok; no scenario; answered NO_ORDER"
    assert entry["scenario"]["nearMisses"], "the closest rules are explained"
    assert any(miss.startswith("already-paid") for miss in entry["scenario"]["nearMisses"])

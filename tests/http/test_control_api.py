"""The control API over real HTTP: scenarios at runtime, orders, journal, resets, clock, seed, guard."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from unittest import mock

from aiohttp.test_utils import make_mocked_request
from conftest import CLOSE, Caller, MakeCaller
from lifecycle_helpers import control

from mockums.config import DEMO_APP
from mockums.server.control.guard import is_loopback as _is_loopback

INLINE = """\
scenarios:
  - name: inline-target-fail
    match: {merOrderIdPrefix: INL}
    respond:
      fields: {errCode: TARGET_FAIL, errMsg: inline}
"""


async def test_openapi_document_lists_every_call(caller: Caller) -> None:
    status, document = await control(caller, "GET", "/openapi.json")
    assert status == 200
    assert document["openapi"] == "3.0.3"
    for path, method in (("/__mockums/scenarios", "post"), ("/__mockums/journal", "get"),
                         ("/__mockums/reset", "post"), ("/__mockums/clock", "post"),
                         ("/__mockums/orders/{mid}/{merOrderId}/pay", "post"), ("/__mockums/seed", "post")):
        assert method in document["paths"][path], (path, method)


async def test_scenarios_are_listed_with_source_and_magic_id(caller: Caller) -> None:
    status, scenarios = await control(caller, "GET", "/scenarios")
    assert status == 200
    paid = next(s for s in scenarios if s["name"] == "already-paid")
    assert paid["magicId"] == "MKPAID0001"
    outcomes = Path(__file__).resolve().parents[2] / "scenarios" / "netpay" / "outcomes.yaml"
    line = outcomes.read_text(encoding="utf-8").splitlines().index("  - name: already-paid") + 1
    assert paid["source"] == f"{outcomes}:{line}"
    # listed as written, though it speaks for its own family of lines (netpay, h5, bills) only
    assert (paid["origin"], paid["match"]) == ("file", {"kind": "merOrderIdPrefix", "value": "MKPAID",
                                                         "endpoints": [], "body": {}})


async def test_add_replace_remove_a_scenario_at_runtime(caller: Caller) -> None:
    status, added = await control(caller, "POST", "/scenarios", data=INLINE,
                                  headers={"Content-Type": "application/yaml"})
    assert status == 201
    assert added[0]["name"] == "inline-target-fail"
    assert (await caller.close("INL0000001")).json["errMsg"] == "inline"
    status, replaced = await control(caller, "PUT", "/scenarios/inline-target-fail", json={
        "match": {"merOrderIdPrefix": "INL"}, "respond": {"fields": {"errCode": "SYSTEM_BUSY"}}})
    assert (status, replaced["origin"], replaced["source"]) == (200, "runtime", "<control API>")
    assert (await caller.close("INL0000002")).json["errCode"] == "SYSTEM_BUSY"
    status, _ = await control(caller, "DELETE", "/scenarios/inline-target-fail")
    assert status == 200
    assert (await caller.close("INL0000003")).json["errCode"] == "NO_ORDER"  # nothing speaks for INL… now
    status, body = await control(caller, "DELETE", "/scenarios/inline-target-fail")
    assert (status, body) == (404, {"error": "no scenario named inline-target-fail"})


async def test_an_invalid_scenario_is_refused_with_line_numbers(caller: Caller) -> None:
    bad = INLINE.replace("errCode: TARGET_FAIL", "errCode: TARGET_FAIL}\n      fault: explode #")
    status, body = await control(caller, "POST", "/scenarios", data=bad, headers={"Content-Type": "application/yaml"})
    assert status == 400
    assert body["error"] == "the scenarios do not validate; nothing was added"
    assert any(error.startswith("<control API>:") for error in body["errors"])
    status, body = await control(caller, "POST", "/scenarios", json={"name": "dup", "match": {"merOrderIdPrefix": "MKPAID"},
                                                                       "respond": {"delay": 1}})
    assert status == 400
    assert "already-paid" in " ".join(body["errors"])  # same rule as a bundled scenario: ambiguous


async def test_orders_are_listed_reset_one_by_one(caller: Caller) -> None:
    for order_id in ("3194202611260500", "3194202611260501"):
        await caller.call("/v1/netpay/wx/app-pre-order", order_id, totalAmount=1)
        await caller.close(order_id)
    status, orders = await control(caller, "GET", "/orders")
    assert [o["merOrderId"] for o in orders] == ["3194202611260500", "3194202611260501"]
    status, order = await control(caller, "GET", "/orders/898201612345678/3194202611260500")
    assert order["status"] == "TRADE_CLOSED"
    assert [h["event"] for h in order["history"]] == [
        "created by /v1/netpay/wx/app-pre-order (1 fen)",
        "WAIT_BUYER_PAY -> TRADE_CLOSED (closed by request)",
    ]
    status, _ = await control(caller, "DELETE", "/orders/898201612345678/3194202611260500")
    assert status == 200
    _, orders = await control(caller, "GET", "/orders")
    assert [o["merOrderId"] for o in orders] == ["3194202611260501"]
    _, journal = await control(caller, "GET", "/journal")
    assert {e["merOrderId"] for e in journal} == {"3194202611260501"}
    assert (await caller.close("3194202611260500")).json["errCode"] == "NO_ORDER"  # forgotten: no such order


async def test_journal_records_every_request_and_why(caller: Caller) -> None:
    await caller.close("MKPAID0009")
    await caller.close("3194202611260502")
    await caller.raw(CLOSE, b'{"merOrderId":"3194202611260503"}', None)
    _, entries = await control(caller, "GET", "/journal")
    paid, plain, refused = entries
    assert (paid["endpoint"], paid["merOrderId"], paid["status"], paid["errCode"]) == (
        CLOSE, "MKPAID0009", 200, "TARGET_FAIL")
    assert paid["scenario"]["name"] == "already-paid"
    assert "starts with prefix MKPAID" in paid["scenario"]["reason"]
    assert paid["auth"] == {"scheme": "OPEN-BODY-SIG", "verdict": "ok", "reason": "valid signature"}
    assert paid["appId"] == DEMO_APP.app_id
    assert isinstance(paid["durationMs"], float) and paid["durationMs"] == round(paid["durationMs"], 1)  # to 0.1 ms
    assert '"merOrderId":"MKPAID0009"' in paid["request"]
    assert '"errCode":"TARGET_FAIL"' in paid["answer"]
    assert plain["scenario"]["name"] is None
    assert plain["scenario"]["reason"].startswith("no scenario matches merOrderId 3194202611260502")
    assert (refused["status"], refused["errCode"], refused["auth"]["verdict"]) == (401, "1001", "missing_authorization")
    _, only = await control(caller, "GET", "/journal", params={"merOrderId": "MKPAID0009", "endpoint": CLOSE})
    assert [e["id"] for e in only] == [paid["id"]]
    _, newest = await control(caller, "GET", "/journal", params={"limit": "1"})
    assert [e["id"] for e in newest] == [refused["id"]]


async def test_journal_explains_a_bad_signature_even_in_faithful_mode(make_caller: MakeCaller) -> None:
    caller = await make_caller(faithful=True)
    body = b'{"merOrderId":"3194202611260504"}'
    import chinaums_client

    answer = await caller.raw(CLOSE, body, chinaums_client.open_body_sig(DEMO_APP.app_id, "wrong", body,
                                                                       timestamp="20261126120000", nonce="n9"))
    assert answer.json == {"errCode": "1006", "errInfo": "签名验证失败"}
    _, [entry] = await control(caller, "GET", "/journal")
    diagnosis = entry["auth"]["diagnosis"]
    assert diagnosis["failure"] == "bad_signature"
    assert diagnosis["string_to_sign"].startswith(DEMO_APP.app_id + "20261126120000n9")
    assert "clock_skew_seconds" in diagnosis
    assert DEMO_APP.app_key not in str(entry)


async def test_journal_is_capped(make_caller: MakeCaller) -> None:
    caller = await make_caller(journal_size=3)
    for index in range(5):
        await caller.close(f"MKSUCCESS20261126051{index}")
    _, entries = await control(caller, "GET", "/journal")
    assert [e["merOrderId"] for e in entries] == [f"MKSUCCESS20261126051{i}" for i in (2, 3, 4)]
    status, _ = await control(caller, "DELETE", "/journal")
    assert status == 200
    assert (await control(caller, "GET", "/journal"))[1] == []
    assert len(caller.sandbox.orders()) == 5  # only the journal was cleared


async def test_reset_everything(caller: Caller) -> None:
    await control(caller, "POST", "/scenarios", data=INLINE, headers={"Content-Type": "application/yaml"})
    await control(caller, "DELETE", "/scenarios/already-paid")
    await caller.close("3194202611260520")
    await control(caller, "POST", "/clock", json={"advance": 3600})
    status, _ = await control(caller, "POST", "/reset")
    assert status == 200
    assert len(caller.sandbox.orders()) == 0
    assert (await control(caller, "GET", "/journal"))[1] == []
    names = {s["name"] for s in (await control(caller, "GET", "/scenarios"))[1]}
    assert "inline-target-fail" not in names
    assert "already-paid" in names  # removals of file scenarios are undone too
    import time

    before = time.time()
    _, clock = await control(caller, "GET", "/clock")
    assert before <= clock["now"] <= time.time()  # real time again


async def test_clock_freeze_set_advance(caller: Caller) -> None:
    status, clock = await control(caller, "POST", "/clock", json={"freeze": True, "set": "2026-01-01 08:00:00"})
    assert (status, clock["beijing"], clock["frozen"]) == (200, "2026-01-01 08:00:00", True)
    _, clock = await control(caller, "POST", "/clock", json={"advance": 90})
    assert clock["beijing"] == "2026-01-01 08:01:30"
    status, problem = await control(caller, "POST", "/clock", json={"set": "tomorrow"})
    assert status == 400
    assert "'tomorrow' is not epoch seconds" in problem["error"]


async def test_advancing_the_clock_pays_a_timed_order_at_once(caller: Caller) -> None:
    await caller.call("/v1/netpay/wx/app-pre-order", "MKPAY5S0009", totalAmount=1)
    await control(caller, "POST", "/clock", json={"advance": 6})
    _, order = await control(caller, "GET", "/orders/898201612345678/MKPAY5S0009")
    assert order["status"] == "TRADE_SUCCESS"


async def test_seed_makes_generated_values_reproducible(caller: Caller) -> None:
    await control(caller, "POST", "/seed", json={"seed": 1234})
    first = (await caller.close("MKSUCCESS202611260530")).json
    await control(caller, "POST", "/reset")
    await control(caller, "POST", "/seed", json={"seed": 1234})
    second = (await caller.close("MKSUCCESS202611260530")).json
    assert (first["seqId"], first["merName"]) == (second["seqId"], second["merName"])
    assert (await control(caller, "POST", "/seed", json={"seed": "x"}))[0] == 400


async def test_control_api_can_be_switched_off_but_health_stays(make_caller: MakeCaller) -> None:
    caller = await make_caller(control=False)
    assert (await control(caller, "GET", "/journal"))[0] == 404
    assert (await control(caller, "GET", "/health"))[0] == 200


async def test_control_token(make_caller: MakeCaller) -> None:
    caller = await make_caller(control_token="s3cret")
    status, body = await control(caller, "GET", "/journal")
    assert (status, body["error"]) == (401, "this control API needs `Authorization: Bearer <token>` (--control-token)")
    assert (await control(caller, "GET", "/journal", headers={"Authorization": "Bearer s3cret"}))[0] == 200


async def test_control_calls_from_other_machines_are_refused_by_default(caller: Caller) -> None:
    from mockums.server.control import guard

    transport = mock.Mock()
    transport.get_extra_info.side_effect = lambda name, default=None: ("192.0.2.7", 5555) if name == "peername" else default
    request = make_mocked_request("GET", "/__mockums/journal", app=caller.client.app, transport=transport)

    async def handler(_: Any) -> Any:
        raise AssertionError("the guard let it through")

    response = await guard(request, handler)
    assert response.status == 403
    assert _is_loopback("127.0.0.1") and _is_loopback("::1") and not _is_loopback("192.0.2.7")


async def test_unknown_control_call(caller: Caller) -> None:
    status, body = await control(caller, "GET", "/nothing")
    assert status == 404
    assert body["error"] == "no control call GET /__mockums/nothing; see /__mockums/openapi.json"

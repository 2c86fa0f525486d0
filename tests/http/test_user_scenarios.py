"""Scenario files a user writes, served over real HTTP: templates, narrowing, precedence, sequences."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

from conftest import Caller, MakeCaller

USER_SCENARIOS = dedent("""\
    scenarios:
      - name: templated-answer
        match: {merOrderIdPrefix: TPL}
        respond:
          fields:
            errMsg: "closed {{ request.merOrderId }} for {{ request.srcReserve }}"
            merName: "{{ faker.company }}"
            totalAmount: 360
            settleDate: null
      - name: exact-beats-prefix
        match: {merOrderId: TPL000001}
        respond:
          fields: {errCode: TARGET_FAIL, errMsg: exact rule}
      - name: only-on-close
        match: {merOrderIdPattern: "PAT\\\\d+", endpoint: /v1/netpay/wx/app-pre-close}
        sequence:
          - fields: {errCode: ORDER_PROCESSING}
          - fields: {errCode: SUCCESS}
        then: cycle
      - name: narrowed-by-body
        match: {merOrderIdPrefix: BODY, body: {tid: "99990001"}}
        respond:
          fields: {errCode: NO_MERCHANT}
    """)


async def caller_with(make_caller: MakeCaller, tmp_path: Path) -> Caller:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "custom.yaml").write_text(USER_SCENARIOS, encoding="utf-8")
    return await make_caller(scenario_paths=(folder,))


async def test_templates_render_request_values_and_faker(make_caller: MakeCaller, tmp_path: Path) -> None:
    caller = await caller_with(make_caller, tmp_path)
    answer = await caller.close("TPL123456")
    body = answer.json
    assert body["errCode"] == "SUCCESS"
    assert body["errMsg"] == "closed TPL123456 for C20220119000001"
    assert body["totalAmount"] == 360
    assert "settleDate" not in body
    assert isinstance(body["merName"], str) and body["merName"]
    assert answer.headers["X-Mockums-Scenario"] == "templated-answer"


async def test_exact_id_beats_prefix(make_caller: MakeCaller, tmp_path: Path) -> None:
    caller = await caller_with(make_caller, tmp_path)
    body = (await caller.close("TPL000001")).json
    assert (body["errCode"], body["errMsg"]) == ("TARGET_FAIL", "exact rule")


async def test_pattern_sequence_cycles(make_caller: MakeCaller, tmp_path: Path) -> None:
    caller = await caller_with(make_caller, tmp_path)
    codes = [(await caller.close("PAT424242")).json["errCode"] for _ in range(4)]
    # Cycling back: locked, closed, locked again, then the closed order's real answer.
    assert codes == ["ORDER_PROCESSING", "SUCCESS", "ORDER_PROCESSING", "OPERATION_NOT_ALLOWED"]


async def test_body_narrowing(make_caller: MakeCaller, tmp_path: Path) -> None:
    caller = await caller_with(make_caller, tmp_path)
    narrowed = (await caller.close("BODY000001", tid="99990001")).json
    assert narrowed["errCode"] == "NO_MERCHANT"
    assert narrowed["errMsg"] == "找不到商户"
    other = await caller.close("BODY000002")
    assert other.json["errCode"] == "SUCCESS"
    assert "X-Mockums-Scenario" not in other.headers


async def test_bundled_scenarios_can_be_switched_off(make_caller: MakeCaller) -> None:
    caller = await make_caller(bundled_scenarios=False)
    answer = await caller.close("MKPAID0001")
    assert answer.json["errCode"] == "NO_ORDER"  # no scenario speaks for MKPAID… any more
    assert caller.sandbox.health()["scenarios"] == 0


async def test_a_typo_in_a_scenario_is_refused_and_a_declared_custom_code_is_answered(caller: Caller) -> None:
    typo = "scenarios:\n  - name: typo\n    match: {merOrderIdPrefix: TYPO}\n    respond:\n" \
           "      fields: {errCode: TARGET_FIAL}\n"
    async with caller.client.post("/__mockums/scenarios", data=typo,
                                  headers={"Content-Type": "application/yaml"}) as response:
        assert response.status == 400
        problem = await response.json()
    assert problem["errors"] == [
        "<control API>:5: scenarios[0].respond.fields.errCode: unknown errCode 'TARGET_FIAL' (did you mean "
        "'TARGET_FAIL'?); see the catalogue in the README. A deliberately custom value needs "
        "`allow_unknown: [errCode]` in this step"]
    assert (await caller.close("TYPO000001")).json["errCode"] == "NO_ORDER"  # nothing was added
    custom = typo.replace("errCode: TARGET_FIAL}", "errCode: MY_BANK_DOWN}\n      allow_unknown: [errCode]")
    async with caller.client.post("/__mockums/scenarios", data=custom,
                                  headers={"Content-Type": "application/yaml"}) as response:
        assert response.status == 201
    answer = (await caller.close("TYPO000002")).json
    assert (answer["errCode"], answer["errMsg"]) == ("MY_BANK_DOWN", "")

"""Wrapped requests ({"data": {…}}, the SDK samples' needDataTag): answered flat by default, and
wrapped the same way for an app configured with `wrapAnswers: true` (unconfirmed behaviour)."""

from __future__ import annotations

import json
from pathlib import Path

import chinaums_client
import pytest
from conftest import CLOSE, SECOND_APP, Caller, MakeCaller

from mockums.config import DEMO_APP, App, ConfigError, load_config_file

WRAPPING_APP = App("mockums0wrapping0app00000000003", "wrapping-app-key-for-tests-only", "wraps", wrap_answers=True)


async def token_for(caller: Caller, app: App) -> str:
    """The Python sample's needToken: a token from /v1/token/access first."""
    body = json.dumps(chinaums_client.token_request(app.app_id, app.app_key)).encode()
    return str((await caller.raw("/v1/token/access", body, None)).json["accessToken"])


async def wrapped_close(caller: Caller, app: App, order_id: str) -> dict[str, object]:
    """The official Python sample: needToken and needDataTag, so `{"data": {…}}` with a token header."""
    body = chinaums_client.go_json({"data": chinaums_client.close_request(order_id)})
    token = await token_for(caller, app)
    return (await caller.raw(CLOSE, body, f"OPEN-ACCESS-TOKEN AccessToken={token}")).json


async def test_answers_are_flat_by_default(caller: Caller) -> None:
    answer = await wrapped_close(caller, DEMO_APP, "MKSUCCESS202611261100")
    assert (answer["errCode"], answer["status"], answer["merOrderId"]) == (
        "SUCCESS", "TRADE_CLOSED", "MKSUCCESS202611261100")
    assert "data" not in answer


async def test_an_app_can_have_answers_to_wrapped_requests_wrapped(make_caller: MakeCaller) -> None:
    caller = await make_caller(apps=(DEMO_APP, SECOND_APP, WRAPPING_APP))
    answer = await wrapped_close(caller, WRAPPING_APP, "MKSUCCESS202611261101")
    assert list(answer) == ["data"]
    inner = answer["data"]
    assert isinstance(inner, dict)
    assert (inner["errCode"], inner["status"], inner["merOrderId"]) == ("SUCCESS", "TRADE_CLOSED", "MKSUCCESS202611261101")
    [entry] = caller.sandbox.journal("MKSUCCESS202611261101")
    assert entry["errCode"] == "SUCCESS"
    refused = await wrapped_close(caller, WRAPPING_APP, "3194202611261102")  # a business error: wrapped too
    assert refused == {"data": {**refused["data"], "errCode": "NO_ORDER", "errMsg": "无法找到指定的订单"}}
    flat = (await caller.close("MKSUCCESS202611261103", app=WRAPPING_APP)).json
    assert flat["errCode"] == "SUCCESS"  # a flat request gets a flat answer
    other_app = await wrapped_close(caller, DEMO_APP, "MKSUCCESS202611261104")
    assert other_app["errCode"] == "SUCCESS"  # the setting is per app


async def test_gateway_errors_stay_flat(make_caller: MakeCaller) -> None:
    caller = await make_caller(apps=(DEMO_APP, WRAPPING_APP))
    body = chinaums_client.go_json({"data": chinaums_client.close_request("MKSUCCESS202611261105")})
    header = chinaums_client.open_body_sig(WRAPPING_APP.app_id, "not-the-key", body)
    answer = await caller.raw(CLOSE, body, header)
    assert (answer.status, answer.json["errCode"], answer.json["errInfo"]) == (401, "1006", "签名验证失败")


def test_the_config_file_sets_it_per_app(tmp_path: Path) -> None:
    config = tmp_path / "mockums.yaml"
    config.write_text("apps:\n  - {appId: a, appKey: k, wrapAnswers: true}\n  - {appId: b, appKey: k}\n",
                      encoding="utf-8")
    assert [app.wrap_answers for app in load_config_file(config).apps] == [True, False]
    config.write_text("apps:\n  - {appId: a, appKey: k, wrapAnswers: 'yes'}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"apps\[0\]: wrapAnswers must be true or false"):
        load_config_file(config)

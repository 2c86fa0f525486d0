"""POST /v1/token/access and OPEN-ACCESS-TOKEN, end to end over real HTTP."""

from __future__ import annotations

import json
from typing import Any

import chinaums_client
import pytest
from conftest import CLOSE, SECOND_APP, Caller, MakeCaller

from mockums.config import DEMO_APP, App

TOKEN = "/v1/token/access"


async def get_token(caller: Caller, app: App = DEMO_APP, **kwargs: Any) -> dict[str, Any]:
    body = json.dumps(chinaums_client.token_request(app.app_id, app.app_key, **kwargs)).encode()
    answer = await caller.raw(TOKEN, body, None)
    assert answer.status == 200, answer.text
    return answer.json


async def close_with(caller: Caller, authorization: str, order_id: str = "MKSUCCESS202611260200") -> Any:
    body = chinaums_client.go_json(chinaums_client.close_request(order_id))
    return await caller.raw(CLOSE, body, authorization)


async def test_token_flow_end_to_end(caller: Caller) -> None:
    issued = await get_token(caller)
    assert issued["errCode"] == "0000"
    assert issued["errInfo"] == "正常"
    assert issued["expiresIn"] == 3600
    assert len(issued["accessToken"]) == 32 and int(issued["accessToken"], 16) >= 0
    answer = await close_with(caller, f"OPEN-ACCESS-TOKEN AccessToken={issued['accessToken']}")
    assert answer.json["errCode"] == "SUCCESS"


@pytest.mark.parametrize(
    "form",
    [
        "OPEN-ACCESS-TOKEN AccessToken={token}",
        'OPEN-ACCESS-TOKEN AccessToken="{token}"',
        'OPEN-ACCESS-TOKEN AccessToken="{token}", AppId="{app}"',
        'OPEN-ACCESS-TOKEN AccessToken="{token}",AppId ="{app}"',
    ],
)
async def test_every_token_header_form_is_accepted(caller: Caller, form: str) -> None:
    token = (await get_token(caller))["accessToken"]
    answer = await close_with(caller, form.format(token=token, app=DEMO_APP.app_id))
    assert answer.json["errCode"] == "SUCCESS"


async def test_legacy_sha1_token_request_without_sign_method(caller: Caller) -> None:
    body = chinaums_client.token_request(DEMO_APP.app_id, DEMO_APP.app_key, method="SHA1")
    del body["signMethod"]
    answer = await caller.raw(TOKEN, json.dumps(body).encode(), None)
    assert answer.json["errCode"] == "0000"


async def test_token_expires_after_an_hour_of_sandbox_time(caller: Caller) -> None:
    token = (await get_token(caller))["accessToken"]
    caller.sandbox.clock.advance(3601)
    answer = await close_with(caller, f"OPEN-ACCESS-TOKEN AccessToken={token}")
    assert answer.status == 401
    assert (answer.json["errCode"], answer.json["errInfo"]) == ("1008", "AccessToken已过期")
    assert answer.json["diagnosis"]["reason"].startswith("the token was issued 36")


async def test_token_survives_a_sandbox_restart(make_caller: MakeCaller) -> None:
    before = await make_caller()
    token = (await get_token(before))["accessToken"]
    after = await make_caller()  # a new process would have exactly this: same config, empty memory
    answer = await close_with(after, f"OPEN-ACCESS-TOKEN AccessToken={token}")
    assert answer.json["errCode"] == "SUCCESS"


async def test_eleventh_token_revokes_the_first(caller: Caller) -> None:
    tokens = [(await get_token(caller))["accessToken"] for _ in range(11)]
    first = await close_with(caller, f"OPEN-ACCESS-TOKEN AccessToken={tokens[0]}")
    assert first.json["errCode"] == "1007"
    assert "more than 10 live tokens" in first.json["diagnosis"]["reason"]
    last = await close_with(caller, f"OPEN-ACCESS-TOKEN AccessToken={tokens[-1]}")
    assert last.json["errCode"] == "SUCCESS"


async def test_unknown_token_and_token_of_another_app(caller: Caller) -> None:
    unknown = await close_with(caller, "OPEN-ACCESS-TOKEN AccessToken=30fabba831a447699f5a1fc056dfd4ee")
    assert unknown.status == 401
    assert (unknown.json["errCode"], unknown.json["errInfo"]) == ("1007", "AccessToken无效")
    token = (await get_token(caller, SECOND_APP))["accessToken"]
    mismatch = await close_with(caller, f'OPEN-ACCESS-TOKEN AccessToken="{token}", AppId="{DEMO_APP.app_id}"')
    assert mismatch.json["errCode"] == "1007"


@pytest.mark.parametrize(
    ("change", "status", "code", "reason"),
    [
        ({"signature": "0" * 64}, 401, "1010",
         "signature does not match lowerhex(SHA256(appId + timestamp + nonce + appKey))"),
        ({"appId": "nobody"}, 401, "1005", "appId 'nobody' is not a configured app"),
        ({"timestamp": "2026-11-26 10:00:00"}, 412, "1000",
         "timestamp '2026-11-26 10:00:00' is not yyyyMMddHHmmss (14 digits, Beijing time)"),
        ({"nonce": None}, 412, "1009", "nonce missing, empty or not a string"),
        ({"signMethod": "MD5"}, 412, "1009", "signMethod 'MD5' is not supported (use SHA256)"),
    ],
)
async def test_token_request_failures(caller: Caller, change: dict[str, Any], status: int, code: str,
                                      reason: str) -> None:
    body: dict[str, Any] = chinaums_client.token_request(DEMO_APP.app_id, DEMO_APP.app_key)
    body.update(change)
    answer = await caller.raw(TOKEN, json.dumps({k: v for k, v in body.items() if v is not None}).encode(), None)
    assert answer.status == status
    assert answer.json["errCode"] == code
    assert answer.json["diagnosis"]["reason"] == reason
    assert DEMO_APP.app_key not in answer.text


async def test_wrong_token_signature_shows_what_was_hashed_with_the_key_redacted(caller: Caller) -> None:
    body = chinaums_client.token_request(DEMO_APP.app_id, "wrong", timestamp="20261126120000", nonce="n1")
    answer = await caller.raw(TOKEN, json.dumps(body).encode(), None)
    diagnosis = answer.json["diagnosis"]
    assert diagnosis["string_hashed"] == f"{DEMO_APP.app_id}20261126120000n1<appKey redacted>"
    assert diagnosis["received_signature"] == body["signature"]


async def test_token_request_that_is_not_json(caller: Caller) -> None:
    answer = await caller.raw(TOKEN, b"appId=x", None)
    assert answer.status == 412
    assert answer.json["errCode"] == "1009"

"""`POST /__mockums/reset` revokes every access token, those of every app and one issued while the sandbox
clock was ahead included; a token issued after the reset works."""

from __future__ import annotations

import json

import chinaums_client
from conftest import CLOSE, SECOND_APP, Caller

from mockums.config import DEMO_APP, App

TOKEN = "/v1/token/access"


async def token(caller: Caller, app: App = DEMO_APP) -> str:
    body = json.dumps(chinaums_client.token_request(app.app_id, app.app_key)).encode()
    answer = await caller.raw(TOKEN, body, None)
    assert answer.json["errCode"] == "0000", answer.text
    return str(answer.json["accessToken"])


async def closes_with(caller: Caller, access_token: str, order_id: str) -> tuple[int, str]:
    body = chinaums_client.go_json(chinaums_client.close_request(order_id))
    answer = await caller.raw(CLOSE, body, f"OPEN-ACCESS-TOKEN AccessToken={access_token}")
    return answer.status, answer.json["errCode"]


async def control(caller: Caller, path: str, change: dict[str, object] | None = None) -> None:
    async with caller.client.post("/__mockums" + path, json=change) as response:
        assert response.status == 200, await response.text()


async def test_a_reset_revokes_every_token_even_one_issued_ahead_of_time(caller: Caller) -> None:
    now, other = await token(caller), await token(caller, SECOND_APP)
    await control(caller, "/clock", {"advance": 2 * 3600})
    ahead = await token(caller)
    assert await closes_with(caller, ahead, "MKSUCCESSTOKRST1") == (200, "SUCCESS")
    await control(caller, "/reset")  # the clock goes back to the present: `ahead` was issued in its future
    for revoked in (now, other, ahead):
        status, code = await closes_with(caller, revoked, "MKSUCCESSTOKRST2")
        assert status >= 400 and code != "SUCCESS", revoked
    fresh = await token(caller)
    assert await closes_with(caller, fresh, "MKSUCCESSTOKRST3") == (200, "SUCCESS")


async def test_tokens_issued_after_a_reset_while_the_clock_is_behind_stay_live_up_to_the_cap(caller: Caller) -> None:
    await control(caller, "/clock", {"advance": 6 * 3600})
    await token(caller)
    await control(caller, "/reset")
    issued = [await token(caller) for _ in range(10)]  # the cap of live tokens per app
    for number, live in enumerate(issued):
        assert await closes_with(caller, live, f"MKSUCCESSTOKCAP{number:02d}") == (200, "SUCCESS")

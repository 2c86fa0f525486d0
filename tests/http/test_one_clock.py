"""Every wait follows the sandbox clock: advancing it makes what was due happen at once, freezing it
holds it. The clock is moved over HTTP through the control API, as a test in any language would; what has
not happened yet is seen in what waits on the clock (tests/clock_waits.py) or in state that the move
itself updates, never by waiting a while on wall time."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import CLOSE, MakeCaller, Receiver
from lifecycle_helpers import QUERY, create, pay

from mockums.config import DEMO_APP


async def move(caller: Any, **change: object) -> dict[str, Any]:
    async with caller.client.post("/__mockums/clock", json=change) as response:
        assert response.status == 200, await response.text()
        return dict(await response.json())


async def test_a_retry_due_in_15_s_is_sent_when_the_clock_advances_15_s(make_caller: MakeCaller,
                                                                       receiver: Receiver) -> None:
    caller = await make_caller(notify_schedule=(0, 15, 15))  # the default schedule's first waits
    receiver.answers = [(200, "FAILED")]
    await move(caller, freeze=True)
    sleepers = caller.sleepers
    await create(caller, "3194CLOCK0001", receiver)
    await pay(caller, "3194CLOCK0001")
    assert len(await receiver.wait_for(1)) == 1  # the first attempt goes at once
    await caller.attempted("3194CLOCK0001", 1)
    assert await sleepers.waiting() == pytest.approx([15.0])  # the frozen clock holds the retry, 15 s away
    assert len(receiver.received) == 1
    await move(caller, advance=15)
    notes = await receiver.wait_for(2, timeout=2)
    assert len(notes) == 2
    assert notes[0].form["notifyId"] == notes[1].form["notifyId"]


async def test_a_retry_on_a_running_clock_waits_its_sandbox_seconds(make_caller: MakeCaller,
                                                                    receiver: Receiver) -> None:
    caller = await make_caller(notify_schedule=(0, 15))
    receiver.answers = [(500, "busy")]
    sleepers = caller.sleepers
    await create(caller, "3194CLOCK0002", receiver)
    await pay(caller, "3194CLOCK0002")
    await caller.attempted("3194CLOCK0002", 1)
    await sleepers.waiting()
    await sleepers.move(lambda: move(caller, advance=10))  # the retry noticed the move and waits on
    assert len(receiver.received) == 1  # 10 of 15 s have passed (plus what real time went by)
    await move(caller, advance=5)
    assert len(await receiver.wait_for(2, timeout=2)) == 2


async def test_a_timed_payment_waits_for_the_clock(caller: Any, receiver: Receiver) -> None:
    await move(caller, freeze=True)
    await create(caller, "MKPAY5S0002", receiver)  # bundled: paid 5 s after creation
    await move(caller, advance=4.9)  # a move fires what has fallen due before it answers: nothing has
    async with caller.client.get("/__mockums/notifications", params={"merOrderId": "MKPAY5S0002"}) as response:
        assert await response.json() == []
    assert (await caller.call(QUERY, "MKPAY5S0002")).json["status"] == "WAIT_BUYER_PAY"
    await move(caller, advance=0.1)
    [note] = await receiver.wait_for(1)
    assert note.form["status"] == "TRADE_SUCCESS"


async def test_token_expiry_follows_the_clock(caller: Any) -> None:
    import chinaums_client

    body = chinaums_client.token_request(DEMO_APP.app_id, DEMO_APP.app_key)
    async with caller.client.post("/v1/token/access", json=body) as response:
        token = (await response.json())["accessToken"]
    await move(caller, advance=3600)
    body_bytes = chinaums_client.go_json(chinaums_client.close_request("3194CLOCK0003"))
    answer = await caller.raw(CLOSE, body_bytes, f"OPEN-ACCESS-TOKEN AccessToken={token}")
    assert answer.status == 401 and answer.json["errCode"] == "1008"


async def test_moving_the_clock_backwards_is_allowed_within_range(caller: Any) -> None:
    before = await move(caller, freeze=True)
    after = await move(caller, advance=-86400)
    assert after["now"] == before["now"] - 86400

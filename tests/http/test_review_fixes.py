"""Behaviours found by running the sandbox the way a careless or hostile client would."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import aiohttp
import chinaums_client
import pytest
from conftest import CLOSE, Caller, MakeCaller
from lifecycle_helpers import QUERY, REFUND, WX_ORDER, journal

from mockums.config import DEMO_APP, Strictness


async def test_expire_time_is_any_moment_not_a_clock_reading(make_caller: MakeCaller) -> None:
    caller = await make_caller(strict=Strictness.all(True))
    later = (chinaums_client.beijing_now() + timedelta(hours=2)).strftime("%Y-%m-%d %H:%M:%S")
    answer = await caller.call(WX_ORDER, "3194202611260700", totalAmount=1, expireTime=later)
    assert answer.json["errCode"] == "SUCCESS"
    assert "X-Mockums-Warning" not in answer.headers


async def test_refused_requests_are_journaled_under_their_order(caller: Caller) -> None:
    body = chinaums_client.go_json(chinaums_client.close_request("3194202611260701"))
    await caller.raw(CLOSE, body, chinaums_client.open_body_sig(DEMO_APP.app_id, "wrong", body))
    [entry] = await journal(caller, merOrderId="3194202611260701")
    assert entry["auth"]["verdict"] == "bad_signature"  # type: ignore[index]


async def test_the_answer_is_no_signing_oracle_but_the_journal_explains(caller: Caller) -> None:
    body = chinaums_client.go_json(chinaums_client.close_request("3194202611260702"))
    answer = await caller.raw(CLOSE, body, chinaums_client.open_body_sig(DEMO_APP.app_id, "wrong", body))
    assert "expected_signature" not in answer.json["diagnosis"]
    [entry] = await journal(caller, merOrderId="3194202611260702")
    expected = entry["auth"]["diagnosis"]["expected_signature"]  # type: ignore[index]
    timestamp_nonce = answer.json["diagnosis"]["string_to_sign"][len(DEMO_APP.app_id):-64]
    honest = chinaums_client.open_body_sig(DEMO_APP.app_id, DEMO_APP.app_key, body,
                                           timestamp=timestamp_nonce[:14], nonce=timestamp_nonce[14:])
    assert f'Signature="{expected}"' in honest


@pytest.mark.parametrize("amount", ["²", "١٠٠", "9" * 5000, "1e3", -5, 1.5, True])
async def test_hostile_amounts_are_bad_requests(caller: Caller, amount: object) -> None:
    answer = await caller.call(WX_ORDER, "3194202611260703", totalAmount=amount)
    assert answer.json["errCode"] == "BAD_REQUEST"
    assert answer.json["errMsg"].startswith("请求报文有错: totalAmount: ")


async def test_moving_the_sandbox_clock_does_not_make_clients_look_skewed(caller: Caller) -> None:
    async with caller.client.post("/__mockums/clock", json={"advance": 1860}) as response:
        assert response.status == 200
    answer = await caller.close("MKSUCCESS202611260704")
    assert answer.json["errCode"] == "SUCCESS"
    assert "X-Mockums-Warning" not in answer.headers


async def test_a_query_before_create_does_not_make_the_create_a_duplicate(make_caller: MakeCaller) -> None:
    caller = await make_caller(assume_orders=True)  # the query takes the order to exist, unpaid
    assert (await caller.call(QUERY, "3194202611260705")).json["status"] == "WAIT_BUYER_PAY"
    created = await caller.call(WX_ORDER, "3194202611260705", totalAmount=999)
    assert (created.json["errCode"], created.json["totalAmount"]) == ("SUCCESS", 999)
    again = await caller.call(WX_ORDER, "3194202611260705", totalAmount=999)
    assert again.json["errCode"] == "DUP_ORDER"
    refund = await caller.call(REFUND, "3194202611260706", refundAmount=1)
    assert refund.json["errCode"] == "OPERATION_NOT_ALLOWED"


async def test_a_silent_request_is_journaled_while_the_client_waits(make_caller: MakeCaller) -> None:
    caller = await make_caller(no_answer_hold=2.0)
    caller.sandbox.move_clock(freeze=True)
    pending, left = await caller.held(CLOSE, "MKTIMEOUT0099")  # the sandbox holds it silent, the client waits
    [entry] = await journal(caller, merOrderId="MKTIMEOUT0099")
    assert (entry["fault"], entry["status"]) == ("no_answer", 0)
    assert left == pytest.approx(2.0) and not pending.done()
    caller.sandbox.move_clock(advance=2)
    with pytest.raises(aiohttp.ClientError):  # then cut, with no answer
        await asyncio.wait_for(pending, 5)


async def test_the_skew_is_also_a_log_line(caller: Caller, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="mockums")
    stamp = chinaums_client.compact(chinaums_client.beijing_now() - timedelta(hours=8))
    body = chinaums_client.go_json(chinaums_client.close_request("3194202611260707"))
    await caller.signed(CLOSE, body, timestamp=stamp)
    assert any("it looks stamped with a UTC clock" in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize(("change", "message"), [
    ({"advance": 1e300}, "advance: 1e+300 s would move the sandbox clock outside 1970..2100"),
    ({"set": -1}, "set: -1 is not a moment between 1970 and 2100"),
    ({"set": "0001-01-01 00:00:00"}, "set: '0001-01-01 00:00:00' is not a moment between 1970 and 2100"),
    ({"advance": "soon"}, "advance: 'soon' is not a number of seconds"),
])
async def test_absurd_clock_moves_are_refused(caller: Caller, change: dict[str, float], message: str) -> None:
    async with caller.client.post("/__mockums/clock", json=change) as response:
        assert response.status == 400
        assert message in (await response.json())["error"]
    assert (await caller.close("MKSUCCESS202611260708")).json["errCode"] == "SUCCESS"


async def test_many_large_advances_never_push_the_clock_out_of_range(caller: Caller) -> None:
    statuses = []
    for _ in range(80):
        async with caller.client.post("/__mockums/clock", json={"advance": 3.16e8}) as response:
            statuses.append(response.status)
    assert statuses[:7] == [200] * 7 and set(statuses[8:]) == {400}  # ten years a time: 2096, then refused
    async with caller.client.get("/__mockums/clock") as response:
        assert response.status == 200
        assert (await response.json())["beijing"] < "2100"
    assert (await caller.close("MKSUCCESS202611260709")).json["errCode"] == "SUCCESS"


async def test_an_iso_time_with_an_offset_is_read_with_it(caller: Caller) -> None:
    async with caller.client.post("/__mockums/clock", json={"freeze": True, "set": "2026-01-01T00:00:00+00:00"}) as r:
        assert (await r.json())["beijing"] == "2026-01-01 08:00:00"


async def test_an_iso_time_without_offset_is_beijing_time(caller: Caller) -> None:
    async with caller.client.post("/__mockums/clock", json={"freeze": True, "set": "2026-01-01T00:00:00"}) as response:
        assert (await response.json())["beijing"] == "2026-01-01 00:00:00"


def test_out_of_range_settings_stop_the_start(capsys: pytest.CaptureFixture[str]) -> None:
    """In-process (the console script's own run is tests/cli/test_console_script.py): a new interpreter importing
    the server cost a second of CPU for an argument check."""
    from mockums import cli

    assert cli.main(["serve", "--journal-size", "-1"]) == 2
    assert "journal-size must be between 1 and 1000000, got -1" in capsys.readouterr().err

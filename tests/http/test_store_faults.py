"""A store lost while serving, seen by clients over HTTP (issue #23): an API call answers its line's system error
saying why (netpay INTERNAL_ERROR, POS link 9999, the token endpoint the gateway's 503 9999), the control API a 503
problem, health unhealthy with the reason, the dashboard still loads; and everything answers as before once the store
is back. The store here is the memory store behind a switch that makes every repository call raise StoreUnavailable,
as the Redis store does when Redis stops answering: these tests are about the shell's answers, not about Redis."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from typing import Any

import chinaums_client
import pytest
from aiohttp.test_utils import TestClient, TestServer
from conftest import Caller, Receiver, scenarios_for
from lifecycle_helpers import create, pay
from pos_client import V2, pay_body, pos
from real_redis import start_redis

from mockums.config import Settings
from mockums.core.sandbox import Sandbox
from mockums.core.store import Store
from mockums.errors import StoreUnavailable
from mockums.server.app import create_app

WHY = "redis://127.0.0.1:6390/0: Error 111 connecting to 127.0.0.1:6390. Connection refused."


class Switch:
    """Whether the store answers: `down` holds the reason while it does not."""

    down: str | None = None

    def check(self) -> None:
        if self.down is not None:
            raise StoreUnavailable(self.down)


class Failing:
    """A repository that raises StoreUnavailable on every use while the switch is down."""

    def __init__(self, inner: Any, switch: Switch) -> None:
        self._inner, self._switch = inner, switch

    def __getattr__(self, name: str) -> Any:
        self._switch.check()
        return getattr(self._inner, name)

    def __len__(self) -> int:
        self._switch.check()
        return len(self._inner)


REPOSITORIES = ("orders", "order_timers", "deliveries", "delivery_timers", "tokens", "sequences", "journal",
                "scenario_changes", "clock", "seed")


def switched_store(settings: Settings, switch: Switch) -> Store:
    memory = Store.in_memory(settings)
    failing = {name: Failing(getattr(memory, name), switch) for name in REPOSITORIES}
    return replace(memory, **failing, shared=True, health=lambda: switch.down)


@pytest.fixture
async def down(settings: Settings) -> Any:
    """A caller on a sandbox whose store can be switched off (`caller.switch.down = why`), and back on."""
    switch = Switch()
    scenarios, errors = scenarios_for(settings)
    assert not errors
    sandbox = Sandbox(settings, scenarios, store=switched_store(settings, switch))
    client: TestClient[Any, Any] = TestClient(TestServer(create_app(settings, sandbox=sandbox)))
    await client.start_server()
    caller = Caller(client, sandbox)
    caller.switch = switch  # type: ignore[attr-defined]
    yield caller
    switch.down = None
    await client.close()


async def said(caplog: pytest.LogCaptureFixture, text: str, within: float = 5.0) -> None:
    """Until a log line holding `text` has been written (bounded)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not any(text in record.getMessage() for record in caplog.records):
        assert loop.time() < deadline, f"no log line with {text!r} within {within} s"
        await asyncio.sleep(0.02)


async def control(caller: Caller, method: str, path: str) -> tuple[int, dict[str, Any]]:
    async with caller.client.request(method, f"/__mockums{path}") as response:
        return response.status, await response.json()


async def test_an_api_call_answers_its_lines_system_error_with_the_reason(down: Any,
                                                                          caplog: pytest.LogCaptureFixture) -> None:
    down.switch.down = WHY
    with caplog.at_level(logging.WARNING, "mockums.http"):
        answer = await down.close("3194STORE0001")
    assert answer.status == 200
    assert answer.json["errCode"] == "INTERNAL_ERROR"
    assert answer.json["errMsg"] == f"内部错误: {WHY}"
    assert answer.json["merOrderId"] == "3194STORE0001"  # the echo fields, as every error answer has them
    assert f"the store is unavailable: {WHY}" in answer.headers["X-Mockums-Warning"]
    assert any("not journaled" in record.getMessage() and WHY in record.getMessage() for record in caplog.records)

    status, answer_pos = await pos(down, f"{V2}/pay", pay_body("POSSTORE0001"))
    assert status == 200
    assert (answer_pos["errCode"], answer_pos["errInfo"]) == ("9999", f"系统错误: {WHY}")


async def test_the_token_endpoint_and_h5_links_answer_too(down: Any) -> None:
    down.switch.down = WHY
    body = chinaums_client.go_json(chinaums_client.token_request(down.sandbox.settings.apps[0].app_id,
                                                                   down.sandbox.settings.apps[0].app_key))
    token = await down.raw("/v1/token/access", body, None)
    assert token.status == 503
    assert token.json["errCode"] == "9999" and token.json["diagnosis"] == {"failure": "store_unavailable",
                                                                           "reason": WHY}
    h5 = await down.form("/v1/netpay/trade/h5-pay", chinaums_client.h5_content("3194STOREH5"))
    assert (h5.status, h5.json["errCode"], h5.json["errMsg"]) == (200, "INTERNAL_ERROR", f"内部错误: {WHY}")


async def test_a_cashier_page_says_the_store_is_unavailable(down: Any) -> None:
    created = await down.form("/v1/netpay/trade/h5-pay", chinaums_client.h5_content("3194STOREH6"))
    assert created.status == 302
    down.switch.down = WHY
    page = await down.get(created.headers["Location"])
    assert page.status == 503 and page.headers["Content-Type"].startswith("text/html")
    assert f"the store is unavailable: {WHY}" in page.text


async def test_the_control_api_says_the_store_is_unavailable_and_health_is_unhealthy(down: Any) -> None:
    assert (await control(down, "GET", "/health"))[0] == 200
    down.switch.down = WHY
    for method, path in (("GET", "/orders"), ("GET", "/journal"), ("POST", "/reset"), ("GET", "/clock")):
        status, problem = await control(down, method, path)
        assert (status, problem["error"]) == (503, f"the store is unavailable: {WHY}"), (method, path)
    status, health = await control(down, "GET", "/health")
    assert status == 503
    assert health["status"] == "unhealthy" and health["error"] == f"the store is unavailable: {WHY}"
    assert health["replica"] == down.sandbox.replica and health["version"]
    async with down.client.get("/__mockums/") as page:  # the dashboard itself still loads, and shows the 503s
        assert page.status == 200


async def test_everything_answers_again_when_the_store_is_back(down: Any) -> None:
    down.switch.down = WHY
    assert (await down.close("3194STORE0002")).json["errCode"] == "INTERNAL_ERROR"
    down.switch.down = None
    assert (await control(down, "GET", "/health"))[0] == 200
    answer = await down.close("MKSUCCESS0002")
    assert answer.json["errCode"] == "SUCCESS"
    [entry] = down.sandbox.journal("MKSUCCESS0002")
    assert entry["replica"] == down.sandbox.replica
    assert down.sandbox.journal("3194STORE0002") == []  # what the store never saw is not in its journal


async def test_timed_events_wait_while_the_store_is_away_and_say_so_once(down: Any,
                                                                        caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, "mockums.notify"):
        down.switch.down = WHY
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 5
        while not any("wait" in r.getMessage() for r in caplog.records) and loop.time() < deadline:
            await asyncio.sleep(0.02)
        down.switch.down = None
        while not any("answers again" in r.getMessage() for r in caplog.records) and loop.time() < deadline:
            await asyncio.sleep(0.02)
    said = [r.getMessage() for r in caplog.records if r.name == "mockums.notify"]
    assert said == [f"timed payments and settlements wait: the store is unavailable: {WHY}",
                    "the store answers again: timed payments and settlements go on"]
    assert (await down.close("MKSUCCESS0003")).json["errCode"] == "SUCCESS"




# -- against a real Redis that goes away and comes back -----------------------------------------------------------


async def test_a_real_redis_lost_and_back(settings: Settings, receiver: Receiver,
                                          caplog: pytest.LogCaptureFixture) -> None:
    """A redis-server of this test's own, stopped while mockums serves and started again on its port: the answers
    say so meanwhile, the background work waits, and all of it goes on once Redis is back."""
    redis = start_redis()
    try:
        configured = replace(settings, store=redis.url)
        scenarios, errors = scenarios_for(configured)
        assert not errors
        sandbox = Sandbox(configured, scenarios)
        client: TestClient[Any, Any] = TestClient(TestServer(create_app(configured, sandbox=sandbox)))
        await client.start_server()
        caller = Caller(client, sandbox)
        try:
            assert (await caller.close("MKSUCCESS1001")).json["errCode"] == "SUCCESS"
            redis.stop()
            refused = await caller.close("MKSUCCESS1002")
            assert refused.json["errCode"] == "INTERNAL_ERROR"
            assert refused.json["errMsg"].startswith("内部错误: ") and "cannot be reached" in refused.json["errMsg"]
            status, health = await control(caller, "GET", "/health")
            assert (status, health["status"]) == (503, "unhealthy")
            assert health["error"].startswith("the store is unavailable: ") and redis.url in health["error"]
            assert (await control(caller, "GET", "/journal"))[0] == 503
            await said(caplog, "notifications wait: the store is unavailable: ")  # its loop met the outage
            redis = start_redis(redis.port)  # back, empty (nothing was saved)
            assert (await control(caller, "GET", "/health"))[0] == 200
            assert (await caller.close("MKSUCCESS1003")).json["errCode"] == "SUCCESS"
            [entry] = sandbox.journal("MKSUCCESS1003")
            assert entry["replica"] == sandbox.replica
            await create(caller, "3194STORE1004", receiver)
            await pay(caller, "3194STORE1004")
            [received] = await receiver.wait_for(1)
            assert received.form["merOrderId"] == "3194STORE1004"  # notifications go on
        finally:
            await client.close()
            await sandbox.stop()
    finally:
        redis.stop()

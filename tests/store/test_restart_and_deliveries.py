"""What a Redis store keeps across processes over time: a restart of mockums keeps orders, refunds, revoked
tokens and runtime scenarios; a notification is delivered exactly once by two processes, and by the other one
after its lease when the process delivering it dies in the middle."""

from __future__ import annotations

import asyncio
import json
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from chinaums_client import close_request, token_request
from redis_server import Mockums, RedisServer, redis_server
from store_client import MID, ORDER, QUERY, REFUND, api, control

from mockums.config import DEMO_APP
from mockums.limits import MAX_LIVE_TOKENS

__all__ = ["redis_server"]  # the fixture, imported from the helpers module

BOUND = 20.0  # seconds any wait below may take at most


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(trust_env=False, timeout=aiohttp.ClientTimeout(total=30)) as client:
        yield client


class Receiver:
    """A merchant's notification endpoint: records each POST; holds the first `hold` of them unanswered."""

    def __init__(self, hold: int = 0) -> None:
        self.forms: list[dict[str, str]] = []
        self.hold = hold
        self.arrived = asyncio.Condition()
        self.release = asyncio.Event()

    async def handle(self, request: web.Request) -> web.Response:
        form = dict(await request.post())
        async with self.arrived:
            self.forms.append({key: str(value) for key, value in form.items()})
            held = len(self.forms) <= self.hold
            self.arrived.notify_all()
        if held:
            await self.release.wait()
        return web.Response(text="SUCCESS")

    async def wait_for(self, count: int) -> None:
        async with self.arrived:
            await asyncio.wait_for(self.arrived.wait_for(lambda: len(self.forms) >= count), BOUND)


@pytest.fixture
async def receiver(aiohttp_server: Any) -> AsyncIterator[tuple[Receiver, str]]:
    made = Receiver()
    app = web.Application()
    app.router.add_post("/notify", made.handle)
    server = await aiohttp_server(app, host="127.0.0.1")
    yield made, f"http://127.0.0.1:{server.port}/notify"
    made.release.set()


async def _token(session: aiohttp.ClientSession, base: str) -> str:
    async with session.post(base + "/v1/token/access", json=token_request(DEMO_APP.app_id, DEMO_APP.app_key)) as answer:
        return str((await answer.json())["accessToken"])


async def _with_token(session: aiohttp.ClientSession, base: str, token: str) -> str:
    body = json.dumps(close_request("3194TOKEN00001")).encode()
    headers = {"Authorization": f"OPEN-ACCESS-TOKEN AccessToken={token}", "Content-Type": "application/json"}
    async with session.post(base + QUERY, data=body, headers=headers) as answer:
        return str((await answer.json())["errCode"])


async def test_a_restart_keeps_orders_refunds_revoked_tokens_and_runtime_scenarios(
        redis_server: RedisServer, session: aiohttp.ClientSession) -> None:
    url = redis_server.url(2)
    first = Mockums("--store", url)
    try:
        await api(session, first.base, ORDER, "3194KEPT000001", totalAmount=800)
        await control(session, first.base, "POST", f"/orders/{MID}/3194KEPT000001/pay")
        await api(session, first.base, REFUND, "3194KEPT000001", refundAmount=300, refundOrderId="R3194KEPT1")
        tokens = [await _token(session, first.base) for _ in range(MAX_LIVE_TOKENS + 1)]
        revoked = await _with_token(session, first.base, tokens[0])  # one too many were issued after it
        live = await _with_token(session, first.base, tokens[-1])
        assert revoked != live
        status, _ = await control(session, first.base, "POST", "/scenarios", json={
            "name": "kept-across-restarts", "match": {"merOrderIdPrefix": "3194KEPTSCN"},
            "respond": {"fields": {"errCode": "SYSTEM_BUSY"}}})
        assert status == 201
    finally:
        first.stop()
    second = Mockums("--store", url)
    try:
        queried = await api(session, second.base, QUERY, "3194KEPT000001")
        assert (queried["status"], queried["totalAmount"]) == ("TRADE_REFUND", 800)
        _, order = await control(session, second.base, "GET", f"/orders/{MID}/3194KEPT000001")
        assert [(r["refundOrderId"], r["amount"]) for r in order["refunds"]] == [("R3194KEPT1", 300)]
        assert (await _with_token(session, second.base, tokens[0]), await _with_token(session, second.base, tokens[-1])) \
            == (revoked, live)
        _, scenarios = await control(session, second.base, "GET", "/scenarios")
        assert [s["origin"] for s in scenarios if s["name"] == "kept-across-restarts"] == ["runtime"]
        assert (await api(session, second.base, QUERY, "3194KEPTSCN001"))["errCode"] == "SYSTEM_BUSY"
    finally:
        second.stop()


async def _delivered(session: aiohttp.ClientSession, base: str, count: int) -> list[dict[str, Any]]:
    """The notifications once `count` of them are delivered (bounded)."""
    deadline = time.monotonic() + BOUND
    while True:
        _, deliveries = await control(session, base, "GET", "/notifications")
        if sum(d["state"] == "delivered" for d in deliveries) >= count or time.monotonic() > deadline:
            return list(deliveries)
        await asyncio.sleep(0.05)


async def test_two_processes_deliver_each_notification_exactly_once(
        redis_server: RedisServer, session: aiohttp.ClientSession, receiver: tuple[Receiver, str]) -> None:
    merchant, notify_url = receiver
    pair = [Mockums("--store", redis_server.url(3)) for _ in range(2)]
    try:
        bases = [process.base for process in pair]
        for n in range(20):
            await api(session, bases[n % 2], ORDER, f"3194ONCE{n:06d}", totalAmount=100, notifyUrl=notify_url)
            await control(session, bases[(n + 1) % 2], "POST", f"/orders/{MID}/3194ONCE{n:06d}/pay")
        deliveries = await _delivered(session, bases[0], 20)
        assert sorted(len(d["attempts"]) for d in deliveries) == [1] * 20
        await merchant.wait_for(20)
        assert sorted(form["merOrderId"] for form in merchant.forms) == [f"3194ONCE{n:06d}" for n in range(20)]
    finally:
        for process in pair:
            process.stop()


async def test_a_delivery_whose_process_dies_is_made_by_the_other_after_its_lease(
        redis_server: RedisServer, session: aiohttp.ClientSession, receiver: tuple[Receiver, str],
        tmp_path: Path) -> None:
    merchant, notify_url = receiver
    merchant.hold = 1
    config = tmp_path / "mockums.yaml"
    config.write_text("notify:\n  timeout: 60\n  schedule: [0, 5, 5]\n", encoding="utf-8")
    url = redis_server.url(4)
    dying = Mockums("--store", url, "--config", str(config))
    survivor: Mockums | None = None
    try:
        await api(session, dying.base, ORDER, "3194LEASE00001", totalAmount=100, notifyUrl=notify_url)
        await control(session, dying.base, "POST", f"/orders/{MID}/3194LEASE00001/pay")
        await merchant.wait_for(1)  # the dying process is in the middle of the POST
        dying.stop(signal.SIGKILL)
        survivor = Mockums("--store", url, "--config", str(config))
        _, pending = await control(session, survivor.base, "GET", "/notifications")
        assert [(d["state"], d["attempts"]) for d in pending] == [("pending", [])]
        await control(session, survivor.base, "POST", "/clock", json={"advance": 60 + 30 + 1})  # past the lease
        await merchant.wait_for(2)
        deliveries = await _delivered(session, survivor.base, 1)
        assert [(d["state"], len(d["attempts"])) for d in deliveries] == [("delivered", 1)]
        assert merchant.forms[0]["notifyId"] == merchant.forms[1]["notifyId"]
    finally:
        dying.stop(signal.SIGKILL)
        if survivor is not None:
            survivor.stop()

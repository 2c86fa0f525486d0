"""A client of mockums processes for the store's tests: signed API calls and control calls over real HTTP.

A plain module, not a test module: the store's tests import it."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from chinaums_client import close_request, open_body_sig

from mockums.config import DEMO_APP

MID = "898201612345678"
ORDER, QUERY, CLOSE = "/v1/netpay/wx/app-pre-order", "/v1/netpay/query", "/v1/netpay/close"
REFUND, REFUND_QUERY = "/v1/netpay/refund", "/v1/netpay/refund-query"
BOUND = 20.0  # seconds any wait here may take at most


async def api(session: aiohttp.ClientSession, base: str, path: str, order_id: str, **fields: object) -> dict[str, Any]:
    """A request signed as the SDK samples sign it (OPEN-BODY-SIG): its JSON answer (200 expected)."""
    body = json.dumps(close_request(order_id, **fields)).encode()
    headers = {"Authorization": open_body_sig(DEMO_APP.app_id, DEMO_APP.app_key, body),
               "Content-Type": "application/json"}
    async with session.post(base + path, data=body, headers=headers) as answer:
        assert answer.status == 200, await answer.text()
        return dict(await answer.json())


async def control(session: aiohttp.ClientSession, base: str, method: str, path: str,
                  **kwargs: Any) -> tuple[int, Any]:
    """A control API call (`path` under /__mockums): its status and JSON answer."""
    async with session.request(method, f"{base}/__mockums{path}", **kwargs) as answer:
        return answer.status, await answer.json()


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


async def delivered(session: aiohttp.ClientSession, base: str, count: int) -> list[dict[str, Any]]:
    """The notifications once `count` of them are delivered (bounded)."""
    deadline = time.monotonic() + BOUND
    while True:
        _, deliveries = await control(session, base, "GET", "/notifications")
        if sum(d["state"] == "delivered" for d in deliveries) >= count or time.monotonic() > deadline:
            return list(deliveries)
        await asyncio.sleep(0.05)

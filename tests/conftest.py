"""Shared fixtures: a real mockums app on a real socket (pytest-aiohttp), and a signing client."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

import chinaums_client
import pytest
from aiohttp.test_utils import TestClient

from mockums.config import DEMO_APP, App, Settings
from mockums.sandbox import Sandbox, load_scenarios
from mockums.server.app import create_app

CLOSE = "/v1/netpay/wx/app-pre-close"
SECOND_APP = App("mockums0second0app000000000000002", "second-app-key-for-tests-only", "second")


@dataclass
class Answer:
    status: int
    headers: Any
    text: str

    @property
    def json(self) -> dict[str, Any]:
        data = json.loads(self.text)
        assert isinstance(data, dict)
        return data


class Caller:
    """Sends requests the way an integrator's code does: JSON body, OPEN-BODY-SIG header."""

    def __init__(self, client: TestClient[Any, Any], sandbox: Sandbox) -> None:
        self.client = client
        self.sandbox = sandbox

    async def raw(self, path: str, body: bytes, authorization: str | None,
                  headers: dict[str, str] | None = None) -> Answer:
        sent = {"Content-Type": "application/json", **(headers or {})}
        if authorization is not None:
            sent["Authorization"] = authorization
        async with self.client.post(path, data=body, headers=sent) as response:
            return Answer(response.status, response.headers, await response.text())

    async def signed(self, path: str, body: bytes, app: App = DEMO_APP, **sig: Any) -> Answer:
        header = chinaums_client.open_body_sig(app.app_id, app.app_key, body, **sig)
        return await self.raw(path, body, header)

    async def close(self, mer_order_id: str, app: App = DEMO_APP, **fields: object) -> Answer:
        body = chinaums_client.go_json(chinaums_client.close_request(mer_order_id, **fields))
        return await self.signed(CLOSE, body, app)


MakeCaller = Callable[..., Awaitable[Caller]]


@pytest.fixture
def settings() -> Settings:
    return Settings(apps=(DEMO_APP, SECOND_APP), seed=7)


@pytest.fixture
def make_caller(aiohttp_client: Any, settings: Settings) -> MakeCaller:
    async def make(**changes: Any) -> Caller:
        configured = replace(settings, **changes)
        scenarios, errors = load_scenarios(configured)
        assert not errors, [str(e) for e in errors]
        sandbox = Sandbox(configured, scenarios)
        client = await aiohttp_client(create_app(configured, sandbox=sandbox))
        return Caller(client, sandbox)

    return make


@pytest.fixture
async def caller(make_caller: MakeCaller) -> Caller:
    return await make_caller()

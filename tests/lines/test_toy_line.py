"""A product line of the test's own, under /v9, whose success is `errCode` "00" with `errInfo`: registered beside
the bundled lines, it gets routing, validation, authentication, scenarios, the journal, the control API and
the OpenAPI entry from the registry alone, without any other file changing."""

from __future__ import annotations

import json
from typing import Any

import chinaums_client
import pytest
from aiohttp.test_utils import TestClient
from toy_line import PING, TOY

from mockums.config import DEMO_APP, Settings
from mockums.core import Sandbox
from mockums.lines import DEFAULT_REGISTRY
from mockums.server.app import create_app

LINES = DEFAULT_REGISTRY.with_lines(TOY)


@pytest.fixture
async def client(aiohttp_client: Any) -> TestClient[Any, Any]:
    settings = Settings(seed=9)
    sandbox = Sandbox(settings, (), lines=LINES)
    made: TestClient[Any, Any] = await aiohttp_client(create_app(settings, sandbox=sandbox))
    return made


async def ping(client: TestClient[Any, Any], body: dict[str, object], *, app_key: str = DEMO_APP.app_key,
               path: str = PING) -> tuple[int, dict[str, Any]]:
    raw = json.dumps(body).encode()
    header = chinaums_client.open_body_sig(DEMO_APP.app_id, app_key, raw)
    async with client.post(path, data=raw, headers={"Authorization": header,
                                                    "Content-Type": "application/json"}) as response:
        return response.status, await response.json()


async def control(client: TestClient[Any, Any], method: str, path: str, body: object = None) -> Any:
    async with client.request(method, f"/__mockums{path}", json=body) as response:
        assert response.status < 300, await response.text()
        return await response.json()


async def test_a_signed_ping_is_routed_to_its_line_and_answered_in_its_vocabulary(client: TestClient[Any, Any]) -> None:
    assert await ping(client, {"merchantOrderId": "TOY0001", "transactionAmount": 360}) == (
        200, {"errCode": "00", "errInfo": "成功", "merchantOrderId": "TOY0001", "amount": 360})
    status, unknown = await ping(client, {"merchantOrderId": "TOY0001"}, path="/v9/toy/nope")
    assert (status, unknown["errCode"]) == (404, "1012")  # its version prefix is the gateway's too


async def test_its_field_rules_and_its_bad_request_code(client: TestClient[Any, Any]) -> None:
    status, answer = await ping(client, {"merchantOrderId": "TOY", "transactionAmount": "abc"})
    assert (status, answer["errCode"]) == (200, "1000")
    assert answer["errInfo"].startswith("请求报文有错: merchantOrderId: length 3 is below 4")
    assert "transactionAmount: 'abc' is not a whole number of fen" in answer["errInfo"]
    assert "amount" not in answer  # an error answer carries the fields marked on_error only


async def test_authentication_is_the_gateways(client: TestClient[Any, Any]) -> None:
    status, answer = await ping(client, {"merchantOrderId": "TOY0002", "transactionAmount": 1}, app_key="wrong")
    assert (status, answer["errCode"], answer["errInfo"]) == (401, "1006", "签名验证失败")


async def test_scenarios_match_its_subject_and_force_its_codes(client: TestClient[Any, Any]) -> None:
    scenario = {"name": "toy-fails", "match": {"merOrderIdPrefix": "TOYFAIL", "endpoint": PING},
                "respond": {"fields": {"errCode": "ER", "errInfo": "余额不足"}}}
    await control(client, "POST", "/scenarios", scenario)
    assert await ping(client, {"merchantOrderId": "TOYFAIL1", "transactionAmount": 5}) == (
        200, {"errCode": "ER", "errInfo": "余额不足", "merchantOrderId": "TOYFAIL1"})
    typo = {"name": "toy-typo", "match": {"merOrderId": "TOY9"}, "respond": {"fields": {"errCode": "EE"}}}
    async with client.post("/__mockums/scenarios", json=typo) as response:
        assert response.status == 400
        assert "unknown errCode 'EE'" in json.dumps(await response.json(), ensure_ascii=False)


async def test_the_journal_and_the_control_api_know_it(client: TestClient[Any, Any]) -> None:
    await ping(client, {"merchantOrderId": "TOY0003", "transactionAmount": 7})
    [entry] = await control(client, "GET", "/journal?merOrderId=TOY0003")
    assert (entry["endpoint"], entry["errCode"], entry["why"]) == (PING, "00", "signature ok; no scenario; answered 00")
    endpoints = {item["path"]: item for item in await control(client, "GET", "/endpoints")}
    assert (endpoints[PING]["line"], endpoints[PING]["success"], endpoints[PING]["action"]) == ("toy", "00", "ping")
    assert endpoints["/v1/netpay/close"]["line"] == "netpay"
    schema = await control(client, "GET", "/scenario-schema.json")
    assert PING in schema["$defs"]["match"]["properties"]["endpoint"]["anyOf"][0]["enum"]


async def test_the_gateway_openapi_document_describes_it(client: TestClient[Any, Any]) -> None:
    document = await control(client, "GET", "/gateway-openapi.json")
    operation = document["paths"][PING]["post"]
    answer = document["components"]["schemas"]["v9_toy_ping_answer"]
    assert operation["operationId"] == "v9_toy_ping"
    assert answer["properties"]["errCode"]["enum"] == ["00", "1000", "1001", "ER"]
    assert document["components"]["schemas"]["v9_toy_ping_request"]["required"] == [
        "merchantOrderId", "transactionAmount"]
    assert "/v1/netpay/close" in document["paths"]

"""No web page but the dashboard's own can drive the control API: a foreign Host (DNS rebinding) gets 403 on
every call under the prefix, a state-changing call from another origin gets 403, and a body of a type any
page's form can send gets 415 naming the type to send."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import Caller, MakeCaller

from mockums.config import Settings
from mockums.hosts import host_name
from mockums.server.control.origin import host_allowed, same_origin

FROZEN = {"freeze": True, "set": "2030-01-01 00:00:00"}


async def call(caller: Caller, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
    async with caller.client.request(method, "/__mockums" + path, **kwargs) as response:
        return response.status, await response.json()


async def sandbox_now(caller: Caller) -> float:
    status, clock = await call(caller, "GET", "/clock")
    assert status == 200
    return float(clock["now"])


# -- Host: DNS rebinding ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/health", "/journal", "/", "/openapi.json", "/reset"])
async def test_a_foreign_host_gets_403_on_every_control_path(caller: Caller, path: str) -> None:
    method = "POST" if path == "/reset" else "GET"
    status, problem = await call(caller, method, path, headers={"Host": "rebound.example:8000"})
    assert status == 403
    assert "rebound.example" in problem["error"] and "--allowed-host rebound.example" in problem["error"]


@pytest.mark.parametrize("host", ["localhost:8000", "LOCALHOST", "app.localhost:1", "127.0.0.1", "127.8.9.10:80",
                                  "[::1]:8000", "localhost.:8000"])
async def test_loopback_names_are_this_server(caller: Caller, host: str) -> None:
    status, _ = await call(caller, "GET", "/journal", headers={"Host": host})
    assert status == 200, host


async def test_configured_names_are_this_server(make_caller: MakeCaller) -> None:
    caller = await make_caller(allowed_hosts=("mockums", "*.ci.internal"), public_url="https://pay.test:9443/x",
                               tls_names=("sandbox.lan",))
    for host in ("mockums:8000", "runner-3.ci.internal", "ci.internal", "pay.test", "sandbox.lan"):
        status, _ = await call(caller, "GET", "/journal", headers={"Host": host})
        assert status == 200, host
    for host in ("mockums.evil.example", "evilci.internal", "192.0.2.7", "[::1].example", "localhost:80@evil.example",
                 "127.0.0.1.nip.example"):
        status, _ = await call(caller, "GET", "/journal", headers={"Host": host})
        assert status == 403, host


def test_any_address_is_a_name_with_control_remote_and_star_allows_every_name() -> None:
    assert not host_allowed("192.0.2.7:8000", Settings())
    assert host_allowed("192.0.2.7:8000", Settings(control_remote=True))
    assert host_allowed("[2001:db8::1]:80", Settings(control_remote=True))
    assert not host_allowed("mockums:8000", Settings(control_remote=True))
    assert host_allowed("anything.example", Settings(allowed_hosts=("*",)))
    assert host_allowed(None, Settings())  # HTTP/1.0 without Host
    assert host_name("[::1]:8000") == "::1" and host_name("Example.COM.:80") == "example.com"
    assert not host_allowed("[::1].example", Settings()) and not host_allowed("[::1]:80x", Settings())


async def test_the_gateway_and_the_cashier_are_not_host_checked(caller: Caller) -> None:
    answer = await caller.raw("/v1/netpay/query", b"{}", None, headers={"Host": "rebound.example"})
    assert answer.status != 403 and "errCode" in answer.json


# -- Origin and Sec-Fetch-Site ---------------------------------------------------------------------


@pytest.mark.parametrize("headers", [
    {"Origin": "http://attacker.example"},
    {"Origin": "null"},
    {"Origin": "http://127.0.0.1:1"},  # another port on this machine is another origin
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},
])
async def test_a_state_changing_call_from_another_origin_gets_403_and_changes_nothing(caller: Caller,
                                                                                      headers: dict[str, str]) -> None:
    assert (await call(caller, "POST", "/clock", json=FROZEN))[0] == 200
    before = await sandbox_now(caller)
    status, problem = await call(caller, "POST", "/clock", json={"advance": 3600}, headers=headers)
    assert status == 403 and "cross-site control calls are refused" in problem["error"]
    for method, path in (("POST", "/reset"), ("DELETE", "/journal"), ("POST", "/scenarios/reload")):
        assert (await call(caller, method, path, headers=headers))[0] == 403, path
    assert await sandbox_now(caller) == before


async def test_the_dashboards_own_origin_and_a_typed_address_pass(caller: Caller) -> None:
    own = f"http://127.0.0.1:{caller.client.port}"
    for headers in ({"Origin": own}, {"Origin": own, "Sec-Fetch-Site": "same-origin"}, {"Sec-Fetch-Site": "none"},
                    {"Origin": f"http://localhost:{caller.client.port}", "Host": f"localhost:{caller.client.port}"}):
        status, _ = await call(caller, "POST", "/clock", json={"advance": 1}, headers=headers)
        assert status == 200, headers
    # Reading is not refused: without CORS headers a foreign page cannot read the answer anyway.
    assert (await call(caller, "GET", "/clock", headers={"Origin": "http://attacker.example"}))[0] == 200


def test_an_origin_is_compared_with_the_host_and_the_public_url() -> None:
    assert same_origin("http://127.0.0.1:8000", "127.0.0.1:8000", ())
    assert same_origin("https://pay.test", "pay.test", ())  # behind a proxy that ends TLS
    assert same_origin("https://pay.test", "127.0.0.1:8000", ("https://pay.test:443/base",))
    assert not same_origin("http://127.0.0.1:8001", "127.0.0.1:8000", ())
    assert not same_origin("file://", "127.0.0.1:8000", ()) and not same_origin("null", None, ())


# -- content types a form can send -----------------------------------------------------------------


@pytest.mark.parametrize("content_type", ["text/plain", "text/plain;charset=UTF-8",
                                          "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                                          None])
async def test_a_body_a_form_can_send_gets_415_naming_json(caller: Caller, content_type: str | None) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    body = b'{"advance": 3600}'
    async with caller.client.post("/__mockums/clock", data=body, headers=headers,
                                  skip_auto_headers=["Content-Type"]) as response:
        assert response.status == 415
        problem = await response.json()
    assert "Content-Type: application/json" in problem["error"] and "yaml" not in problem["error"]


async def test_a_scenario_upload_of_the_wrong_type_is_told_json_or_yaml(caller: Caller) -> None:
    status, problem = await call(caller, "POST", "/scenarios", data=b"scenarios: []",
                                 headers={"Content-Type": "text/plain"})
    assert status == 415 and "application/yaml" in problem["error"]
    status, problem = await call(caller, "PUT", "/scenarios/x", data=b"name: x",
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 415 and "application/yaml" in problem["error"]


async def test_a_call_without_a_body_needs_no_type(caller: Caller) -> None:
    async with caller.client.post("/__mockums/reset", skip_auto_headers=["Content-Type"]) as response:
        assert response.status == 200

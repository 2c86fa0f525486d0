"""Hostile traffic at the HTTP level (issue #8): every answer in the shape of its layer or a clean close,
at most one short log line per offence, never a traceback; slow clients and big uploads bounded."""

from __future__ import annotations

import asyncio
import hmac
import importlib
import json
import logging
import threading
from typing import Any

import chinaums_client
import pytest
from conftest import CLOSE, Caller, MakeCaller

from mockums.config import DEMO_APP
from mockums.core.sandbox import EPOCH_MAX
from mockums.server.control import routes

guard = importlib.import_module("mockums.server.control.guard")  # the module (the package exports the middleware)

DEEP = "[" * 5000 + "]" * 5000


def no_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    assert not [record for record in caplog.records if record.exc_info], caplog.text[:2000]
    assert "Traceback" not in caplog.text


async def raw_exchange(caller: Caller, data: bytes, *, close: bool = False, read_for: float = 2.0) -> bytes:
    """Send bytes on a fresh connection (closing our side when `close`); what comes back before EOF."""
    server = caller.client.server
    reader, writer = await asyncio.open_connection(server.host, server.port)
    writer.write(data)
    await writer.drain()
    if close:
        writer.close()
        return b""
    try:
        return await asyncio.wait_for(reader.read(), read_for)
    except asyncio.TimeoutError:
        return b"(still open)"
    finally:
        writer.close()


async def logged(caplog: pytest.LogCaptureFixture, text: str, timeout: float = 5.0) -> list[logging.LogRecord]:
    """The log records containing `text`, once there is one (the server handles the close in the background)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not (found := [r for r in caplog.records if text in r.getMessage()]) and loop.time() < deadline:
        await asyncio.sleep(0.01)
    return found


# -- bodies cut short, malformed HTTP -----------------------------------------------------------


@pytest.mark.parametrize("path", [CLOSE, "/__mockums/clock"])
async def test_a_client_leaving_mid_body_costs_one_line(caller: Caller, caplog: pytest.LogCaptureFixture,
                                                        path: str) -> None:
    caplog.set_level(logging.DEBUG)
    await raw_exchange(caller, f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                               f"Content-Length: 1000\r\n\r\n{{\"a\":".encode(), close=True)
    [record] = await logged(caplog, "connection closed mid-body")
    assert record.getMessage().startswith(f"POST {path} from 127.0.0.1: the connection closed mid-body")
    no_tracebacks(caplog)
    assert (await caller.close("MKSUCCESSHARD0001")).json["errCode"] == "SUCCESS"


@pytest.mark.parametrize("request_bytes", [
    b"GET /__mockums/health HTTP/1.1\r\nHost: x\r\n\r\nGE\x00T / HTTP/1.1\r\n\r\n",  # a bad method, second request
    b"GET / HTTP/1.1\r\nX-Long: " + b"a" * 70_000 + b"\r\n\r\n",  # an over-long header line
    b"GET http://[::1 HTTP/1.1\r\nHost: x\r\n\r\n",  # an invalid URL
    b"POST /v1/netpay/query HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",  # a bad Content-Length
    b"POST /v1/netpay/query HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",  # a bad chunk
])
async def test_malformed_http_gets_a_400_and_one_short_line(caller: Caller, caplog: pytest.LogCaptureFixture,
                                                            request_bytes: bytes) -> None:
    caplog.set_level(logging.INFO)
    answer = await raw_exchange(caller, request_bytes)
    assert b"HTTP/1.0 400 Bad Request" in answer or b"HTTP/1.1 400 Bad Request" in answer
    await logged(caplog, "127.0.0.1")
    no_tracebacks(caplog)
    assert all(len(record.getMessage()) <= 400 for record in caplog.records)


# -- 413, 405 ------------------------------------------------------------------------------------


async def test_a_413_closes_the_connection_and_the_client_carries_on(make_caller: MakeCaller) -> None:
    caller = await make_caller(max_body_bytes=1024)
    big = b'{"merOrderId":"' + b"1" * 5000 + b'"}'
    async with caller.client.post(CLOSE, data=big) as response:
        assert (response.status, response.headers["Connection"]) == (413, "close")
        assert (await response.json())["errCode"] == "1011"
    async with caller.client.post("/__mockums/seed", data=big) as response:
        assert (response.status, response.headers["Connection"]) == (413, "close")
        assert await response.json() == {"error": "the body is larger than 1024 bytes"}
    # The same keep-alive session goes on: its next requests open a new connection.
    assert (await caller.close("MKSUCCESSHARD0002")).json["errCode"] == "SUCCESS"
    async with caller.client.post("/__mockums/seed", json={"seed": 1}) as response:
        assert response.status == 200


async def test_a_chunked_body_over_the_limit_that_arrives_whole_is_a_413(make_caller: MakeCaller) -> None:
    """Without a Content-Length the size shows only once the body is there, all of it at once here."""
    caller = await make_caller(max_body_bytes=1024)
    body = b'{"merOrderId":"' + b"1" * 3000 + b'"}'
    chunked = f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"
    answer = await raw_exchange(caller, b"POST " + CLOSE.encode() + b" HTTP/1.1\r\nHost: x\r\n"
                                b"Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n" + chunked)
    head, _, payload = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413 ") and b"Connection: close" in head
    assert json.loads(payload)["errCode"] == "1011"


@pytest.mark.parametrize(("method", "path", "allow"), [
    ("PUT", "/clock", "GET, POST"),
    ("TRACE", "/clock", "GET, POST"),
    ("GET", "/reset", "POST"),
    ("PATCH", "/orders/898201612345678/3194HARD0003", "DELETE, GET"),
    ("TRACE", "/health", "GET"),
])
async def test_a_wrong_method_on_a_control_path_is_a_json_405_with_allow(caller: Caller, method: str, path: str,
                                                                         allow: str) -> None:
    async with caller.client.request(method, "/__mockums" + path) as response:
        assert (response.status, response.headers["Allow"]) == (405, allow)
        assert (await response.json())["error"] == f"{method} /__mockums{path}: this control call takes {allow}"
    async with caller.client.request("TRACE", "/__mockums/nothing") as response:
        assert response.status == 404 and "error" in await response.json()


# -- slow clients --------------------------------------------------------------------------------


async def test_a_slow_header_connection_is_closed_after_the_idle_timeout(make_caller: MakeCaller) -> None:
    caller = await make_caller(idle_timeout=0.5)
    server = caller.client.server
    reader, writer = await asyncio.open_connection(server.host, server.port)
    try:
        closed = False
        for byte in b"POST /v1/netpay/query HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100:  # a byte every 50 ms
            writer.write(bytes([byte]))
            await asyncio.sleep(0.05)
            if reader.at_eof() or writer.is_closing():
                closed = True
                break
            try:
                closed = await asyncio.wait_for(reader.read(1), 0.001) == b""
            except asyncio.TimeoutError:
                continue
            if closed:
                break
        assert closed, "a connection trickling its headers for 5 s was still open (idle_timeout 0.5 s)"
    finally:
        writer.close()


async def test_a_slow_body_is_given_up_after_the_idle_timeout(make_caller: MakeCaller,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    caller = await make_caller(idle_timeout=0.3)
    answer = await raw_exchange(caller, b"POST /v1/netpay/query HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{",
                                read_for=5.0)
    assert answer == b""  # closed without an answer: the body never came
    assert len(await logged(caplog, "no complete body within 0.3 s")) == 1
    no_tracebacks(caplog)


# -- deep and big bodies -------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/v1/netpay/query", "/v1/token/access", "/v1/netpay/refund"])
async def test_a_string_data_nested_thousands_deep_is_a_bad_request_and_journaled(
        caller: Caller, caplog: pytest.LogCaptureFixture, path: str) -> None:
    body = json.dumps({"data": DEEP}).encode()
    unsigned = await caller.raw(path, body, None)
    assert unsigned.json["errCode"] in ("1003", "1009", "1001", "1101")  # a gateway refusal, not INTERNAL_ERROR
    assert set(unsigned.json) >= {"errCode", "errInfo"}
    signed = await caller.signed(path, body)
    assert signed.json["errCode"] != "INTERNAL_ERROR"
    if path != "/v1/token/access":
        assert (signed.json["errCode"], signed.json["errMsg"][:7]) == ("BAD_REQUEST", "请求报文有错:"[:7])
    entries = caller.sandbox.journal(endpoint=path)
    assert len(entries) == 2
    no_tracebacks(caplog)


@pytest.mark.parametrize(("method", "path", "body"), [
    ("POST", "/clock", DEEP), ("POST", "/scenarios", DEEP), ("POST", "/seed", DEEP), ("PUT", "/scenarios/x", DEEP),
    ("POST", "/clock", '{"set": ' + "[" * 900 + "]" * 900 + "}"),
    ("POST", "/scenarios", '{"scenarios": ' + "[" * 900 + "]" * 900 + "}"),
    ("PUT", "/scenarios/x", '{"match": ' + "{\"a\":" * 900 + "1" + "}" * 900 + "}"),
])
async def test_deep_json_on_the_control_api_is_a_json_400(caller: Caller, caplog: pytest.LogCaptureFixture,
                                                          method: str, path: str, body: str) -> None:
    async with caller.client.request(method, "/__mockums" + path, data=body,
                                     headers={"Content-Type": "application/json"}) as response:
        assert response.status == 400
        assert isinstance((await response.json())["error"], str)
    no_tracebacks(caplog)


async def test_a_yaml_upload_nested_thousands_deep_is_refused_at_once(caller: Caller) -> None:
    async with caller.client.post("/__mockums/scenarios", data="a: " + DEEP,
                                  headers={"Content-Type": "application/yaml"}) as response:
        assert response.status == 400
        errors = (await response.json())["errors"]
    assert errors == ["<control API>:1: YAML syntax error: nested more than 100 levels deep"]


async def test_yaml_uploads_are_composed_off_the_event_loop(caller: Caller, monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[str] = []
    compose = routes.compose_yaml

    def spy(text: str) -> Any:
        threads.append(threading.current_thread().name)
        return compose(text)

    monkeypatch.setattr(routes, "compose_yaml", spy)
    yaml_text = "scenarios:\n  - {name: off-loop, match: {merOrderIdPrefix: OFFLOOP}, respond: {fields: {errCode: TARGET_FAIL}}}\n"
    async with caller.client.post("/__mockums/scenarios", data=yaml_text,
                                  headers={"Content-Type": "application/yaml"}) as response:
        assert response.status == 201
    assert threads and threads[0] != threading.main_thread().name


# -- the clock ----------------------------------------------------------------------------------


@pytest.mark.parametrize("change", [
    {"set": "9999-12-31T23:59:59+14:00"}, {"set": "0001-01-01T00:00:00-12:00"}, {"set": "9999-12-31 23:59:59"},
    {"set": 1e308}, {"set": "NaN"}, {"advance": "Infinity"}, {"set": [1]}, {"advance": -1e10},
    {"freeze": True, "set": "2099-12-31 23:00:00", "advance": 9 * 3600 + 1},  # 2100-01-01 08:00 Beijing ends it
])
async def test_nothing_pushes_the_clock_out_of_range(caller: Caller, change: dict[str, object]) -> None:
    text = json.dumps(change).replace('"NaN"', "NaN").replace('"Infinity"', "Infinity")
    async with caller.client.post("/__mockums/clock", data=text, headers={"Content-Type": "application/json"}) as response:
        assert response.status == 400, await response.text()
    async with caller.client.get("/__mockums/clock") as response:
        assert response.status == 200
        assert 0 <= (await response.json())["now"] <= EPOCH_MAX
    assert (await caller.close("MKSUCCESSHARD0004")).json["errCode"] == "SUCCESS"


async def test_a_frozen_clock_cannot_be_advanced_past_2100(caller: Caller) -> None:
    async with caller.client.post("/__mockums/clock", json={"freeze": True, "set": EPOCH_MAX - 120}) as response:
        assert response.status == 200
    statuses = []
    for _ in range(3):
        async with caller.client.post("/__mockums/clock", json={"advance": 50}) as response:
            statuses.append(response.status)
    assert statuses == [200, 200, 400]  # the third would pass 2100
    async with caller.client.get("/__mockums/clock") as response:
        assert (await response.json())["now"] == EPOCH_MAX - 20


# -- the guard ----------------------------------------------------------------------------------


def test_ipv4_loopback_through_a_dual_stack_socket_is_loopback() -> None:
    assert guard.is_loopback("::ffff:127.0.0.1") and guard.is_loopback("::ffff:127.8.9.10")
    assert not guard.is_loopback("::ffff:192.0.2.7") and not guard.is_loopback("fe80::1%eth0")
    assert not guard.is_loopback("") and not guard.is_loopback("not an address")


def test_the_control_token_is_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    compare = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return compare(a, b)

    monkeypatch.setattr(guard.hmac, "compare_digest", spy)
    assert guard.token_matches("Bearer s3cret", "s3cret") and not guard.token_matches("Bearer s3cre", "s3cret")
    assert not guard.token_matches(None, "s3cret")
    assert len(calls) == 3


async def test_an_upper_case_revoked_token_is_refused_over_http(caller: Caller) -> None:
    tokens = []
    for _ in range(11):
        body = json.dumps(chinaums_client.token_request(DEMO_APP.app_id, DEMO_APP.app_key)).encode()
        tokens.append((await caller.raw("/v1/token/access", body, None)).json["accessToken"])
    body = chinaums_client.go_json(chinaums_client.close_request("MKSUCCESSHARD0005"))
    answer = await caller.raw(CLOSE, body, f"OPEN-ACCESS-TOKEN AccessToken={tokens[0].upper()}")
    assert answer.status != 200 and answer.json["errCode"] != "SUCCESS"
    again = await caller.raw(CLOSE, body, f"OPEN-ACCESS-TOKEN AccessToken={tokens[1].upper()}")
    assert again.json["errCode"] == "SUCCESS"


@pytest.mark.parametrize(("path", "fields"), [
    ("/v1/netpay/trade/precreate", {"tradeType": "X" * 20_000}),
    ("/v1/netpay/trade/precreate", {"secureTransaction": "Y" * 20_000}),
    ("/v1/netpay/trade/precreate", {"divisionFlag": True, "platformAmount": "Z" * 20_000, "subOrders": []}),
])
async def test_a_huge_value_is_quoted_clipped_in_the_refusal(caller: Caller, path: str, fields: dict[str, Any]) -> None:
    """A 20,000-character value costs a few dozen characters of errMsg, saying how long it was."""
    body = (await caller.call(path, "3194HUGEVALUE01", totalAmount=360, **fields)).json
    assert body["errCode"] == "BAD_REQUEST"
    assert len(body["errMsg"]) < 400 and "… (20002 characters)" in body["errMsg"], body["errMsg"][:500]

"""Hostile input gets a gateway-shaped answer: never a traceback, a 500, or a hang."""

from __future__ import annotations

import chinaums_client
import pytest
from conftest import CLOSE, Caller, MakeCaller

from mockums.config import DEMO_APP


def assert_gateway_shape(answer: object, status: int, code: str) -> None:
    assert answer.status == status  # type: ignore[attr-defined]
    body = answer.json  # type: ignore[attr-defined]
    assert body["errCode"] == code
    assert isinstance(body["errInfo"], str)
    assert "errMsg" not in body


async def test_body_over_the_limit(make_caller: MakeCaller) -> None:
    caller = await make_caller(max_body_bytes=1024)
    answer = await caller.signed(CLOSE, b'{"x":"' + b"a" * 5000 + b'"}')
    assert_gateway_shape(answer, 413, "1011")
    assert answer.json["diagnosis"]["reason"] == "the body is larger than 1024 bytes"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "请求报文有错: the body is empty; expected a JSON object"),
        (b"\xff\xfe{}", "请求报文有错: the body is not UTF-8 (byte 0)"),
        (b"[" * 100_000 + b"]" * 100_000, "请求报文有错: the JSON is nested too deeply (more than 100 levels)"),
        (b"[1, 2]", "请求报文有错: the body is a JSON list, expected an object"),
        (b"merOrderId=1", "请求报文有错: the body is not valid JSON (Expecting value: line 1 column 1 (char 0))"),
    ],
)
async def test_unreadable_bodies_are_bad_requests(caller: Caller, body: bytes, message: str) -> None:
    answer = await caller.signed(CLOSE, body)
    assert answer.status == 200
    assert answer.json["errCode"] == "BAD_REQUEST"
    assert answer.json["errMsg"] == message


async def test_wrong_content_type_is_accepted_and_flagged(caller: Caller) -> None:
    body = chinaums_client.go_json(chinaums_client.close_request("MKSUCCESS202611260300"))
    header = chinaums_client.open_body_sig(DEMO_APP.app_id, DEMO_APP.app_key, body)
    answer = await caller.raw(CLOSE, body, header, {"Content-Type": "text/plain"})
    assert answer.json["errCode"] == "SUCCESS"
    assert "Content-Type is 'text/plain'" in answer.headers["X-Mockums-Warning"]


@pytest.mark.parametrize(
    ("header", "status", "code"),
    [
        ("OPEN-BODY-SIG " + "A" * 20_000, 412, "1003"),
        ('OPEN-BODY-SIG AppId="应用", Timestamp="20240101120000", Nonce="n", Signature="s"', 401, "1005"),
        ("OPEN-BODY-SIG \t,,,===", 412, "1003"),
        ('OPEN-BODY-SIG AppId="a", Timestamp="2024", Nonce="n", Signature="s", ' * 50, 412, "1003"),
    ],
)
async def test_garbage_authorization_headers(caller: Caller, header: str, status: int, code: str) -> None:
    answer = await caller.raw(CLOSE, b"{}", header)
    assert_gateway_shape(answer, status, code)


async def test_other_methods_and_paths_get_gateway_errors(caller: Caller) -> None:
    async with caller.client.get(CLOSE) as response:
        assert response.status == 405
        assert (await response.json())["errCode"] == "1013"
    async with caller.client.post("/v1/netpay/nothing-here", data=b"{}") as response:
        assert response.status == 404
        assert (await response.json())["errCode"] == "1012"
    async with caller.client.get("/favicon.ico") as response:
        assert response.status == 404


async def test_app_key_never_appears_in_answers_or_logs(caller: Caller, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    body = chinaums_client.go_json(chinaums_client.close_request("MKSUCCESS202611260301"))
    for key in (DEMO_APP.app_key, "wrong"):
        answer = await caller.raw(CLOSE, body, chinaums_client.open_body_sig(DEMO_APP.app_id, key, body))
        assert DEMO_APP.app_key not in answer.text
        assert DEMO_APP.app_key not in str(dict(answer.headers))
    assert DEMO_APP.app_key not in caplog.text
    assert DEMO_APP.app_key not in repr(caller.sandbox.settings)

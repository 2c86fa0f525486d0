"""Whatever goes wrong inside mockums, the client gets an answer in its layer's shape, never a traceback;
every route is registered shielded (there are no application middlewares to fall back on)."""

from __future__ import annotations

import gc
import logging
from typing import Any

import pytest
from conftest import CLOSE, Caller
from yarl import URL

from mockums.config import Settings
from mockums.server import shield
from mockums.server.app import create_app
from mockums.server.shield import is_shielded


def test_every_registered_route_answers_its_own_failures(settings: Settings) -> None:
    app = create_app(settings)
    assert not app.middlewares
    routes = list(app.router.routes())
    assert len(routes) > 20
    unshielded = [f"{route.method} {route.resource.canonical if route.resource else '?'}" for route in routes
                  if not is_shielded(route.handler)]
    assert unshielded == []


def _explode(*_: Any, **__: Any) -> Any:
    raise RuntimeError("boom from a test")


def _internal_errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.getMessage().startswith("internal error on")]


async def test_a_failure_on_an_api_post_is_the_gateways_internal_error(
        caller: Caller, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(caller.sandbox, "handle_api", _explode)
    answer = await caller.call(CLOSE, "3194SHIELD0001")
    assert (answer.status, answer.json) == (200, {"errCode": "INTERNAL_ERROR",
                                                  "errMsg": "内部错误 (mockums internal error; see its log)"})
    [record] = _internal_errors(caplog)
    assert record.getMessage() == f"internal error on POST {CLOSE}"
    assert record.exc_info is not None and "boom from a test" in str(record.exc_info[1])


async def test_a_failure_on_an_h5_get_is_the_gateways_internal_error(
        caller: Caller, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(caller.sandbox, "handle_form", _explode)
    answer = await caller.form("/v1/netpay/webpay/pay", {"merOrderId": "3194SHIELD0002"})
    assert (answer.status, answer.json["errCode"]) == (200, "INTERNAL_ERROR")
    assert len(_internal_errors(caplog)) == 1


async def test_a_failure_on_a_control_call_is_a_json_500(
        caller: Caller, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(caller.sandbox, "journal", _explode)
    async with caller.client.get("/__mockums/journal") as response:
        assert (response.status, await response.json()) == (500, {"error": "mockums internal error; see its log"})
    assert len(_internal_errors(caplog)) == 1


async def test_a_connection_error_while_answering_closes_the_connection_without_a_traceback(
        caller: Caller, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    def reset(*_: Any, **__: Any) -> Any:
        raise ConnectionResetError("reset by a test")

    monkeypatch.setattr(caller.sandbox, "handle_api", reset)
    caplog.set_level(logging.INFO)
    with pytest.raises(Exception):  # noqa: B017, PT011  # the connection closes: no answer at all
        await caller.call(CLOSE, "3194SHIELD0003")
    assert _internal_errors(caplog) == []
    assert any("reset by a test" in record.getMessage() for record in caplog.records)


async def test_the_guard_still_holds_for_control_calls_and_the_dashboard(make_caller: Any) -> None:
    caller = await make_caller(control=False)
    for path in ("/__mockums/journal", "/__mockums/", "/__mockums/static/mockums.css", "/__mockums/nothing-here"):
        async with caller.client.get(path) as response:
            assert response.status == 404, path
            assert (await response.json())["error"] == "the control API is switched off (--no-control)"
    async with caller.client.get("/__mockums/health") as response:
        assert response.status == 200


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/__mockums/journal%0A"), ("HEAD", "/__mockums/health%0A"), ("GET", "/__mockums/a%0Ab"),
    ("POST", "/__mockums/static/a%0Ab"), ("DELETE", "/__mockums/static/a%0Ab"),
])
async def test_a_control_path_the_router_decodes_a_newline_into_still_meets_the_guard(
        make_caller: Any, method: str, path: str) -> None:
    """aiohttp decodes %0A before routing; the catch-alls match it, so the guard answers, not aiohttp's text page."""
    caller = await make_caller(control=False)
    async with caller.client.request(method, URL(path, encoded=True)) as response:
        assert (response.status, response.content_type) == (404, "application/json"), path
        if method != "HEAD":
            assert (await response.json())["error"] == "the control API is switched off (--no-control)"


async def test_an_api_path_with_a_decoded_newline_gets_the_gateways_answer(caller: Caller) -> None:
    async with caller.client.post(URL(CLOSE + "%0A", encoded=True), data=b"{}") as response:
        assert response.content_type == "application/json"
        answer = await response.json()
    unknown = await caller.raw("/v1/no/such/path", b"{}", None)
    assert (response.status, answer["errCode"]) == (unknown.status, unknown.json["errCode"])


def test_wrapped_handlers_are_not_kept_after_their_app(settings: Settings) -> None:
    """Each app makes its own wrappers; the pytest plugin makes an app per test, so none may outlive it."""
    create_app(settings)
    gc.collect()
    kept = len(shield._SHIELDED)
    for _ in range(5):
        create_app(settings)
    gc.collect()
    assert len(shield._SHIELDED) == kept

"""The background server behind `mockums_server`: loopback only, healthy before use, stopped promptly."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from pytester_runs import _only_the_users_plugins

from mockums.config import Settings
from mockums.testing import BackgroundServer, Mockums, MockumsError, bundled_and_configured_scenarios

pytest_plugins = ["pytester"]
__all__ = ["_only_the_users_plugins"]  # the fixture, imported for the tests below


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_background_server_listens_on_loopback_and_stops_promptly() -> None:
    before = set(threading.enumerate())
    server = BackgroundServer(Settings(), scenarios=())
    url = server.start()
    assert url.startswith("http://127.0.0.1:")
    [thread] = [t for t in set(threading.enumerate()) - before if t.name == "mockums-server"]
    handle = Mockums(url)
    assert handle.health()["status"] == "ok"
    # A notification whose receiver refuses the connection: the next retry is 15 s away when we stop.
    body = json.dumps({"requestTimestamp": "2026-01-01 00:00:00", "mid": "898201612345678", "tid": "88880001",
                       "instMid": "APPDEFAULT", "merOrderId": "STOP000001", "totalAmount": 1,
                       "notifyUrl": f"http://127.0.0.1:{closed_port()}/notify"}).encode()
    request = urllib.request.Request(url + "/v1/netpay/wx/app-pre-order", data=body, headers={
        "Content-Type": "application/json", "Authorization": handle.sign(body)})
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request, timeout=5) as answer:
        assert json.load(answer)["errCode"] == "SUCCESS"
    handle.pay("898201612345678", "STOP000001")
    deadline = time.monotonic() + 5
    while not handle.notifications("STOP000001")[0]["attempts"] and time.monotonic() < deadline:
        time.sleep(0.02)
    assert handle.notifications("STOP000001")[0]["state"] == "pending"

    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 3
    assert not thread.is_alive()
    with pytest.raises(MockumsError, match="cannot be reached"):
        Mockums(url, timeout=1).health()
    server.stop()  # idempotent


def test_invalid_scenario_files_stop_the_session_with_every_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("scenarios:\n  - name: Bad Name\n    match: {merOrderId: X1}\n", encoding="utf-8")
    with pytest.raises(MockumsError) as caught:
        bundled_and_configured_scenarios(Settings(scenario_paths=(bad,), bundled_scenarios=False))
    assert str(caught.value).startswith("mockums: the scenario files do not validate:\n")
    assert f"{bad}:2:" in str(caught.value)


def test_control_api_switched_off_is_a_clear_failure(pytester: pytest.Pytester) -> None:
    pytester.makeconftest("""
        import pytest
        from mockums.config import Settings

        @pytest.fixture(scope="session")
        def mockums_settings():
            return Settings(control=False)
    """)
    pytester.makepyfile("def test_it(mockums):\n    pass\n")
    result = pytester.runpytest("-o", "asyncio_default_fixture_loop_scope=function")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*mockums_settings switches the control API off (control=False)*"])


def test_async_fixture_without_pytest_asyncio_says_what_to_install(pytester: pytest.Pytester) -> None:
    pytester.makeconftest("""
        import sys
        from mockums.pytest_plugin import _async_fixture

        saved = sys.modules.get("pytest_asyncio")
        sys.modules["pytest_asyncio"] = None  # as if it were not installed
        try:
            @_async_fixture
            async def mockums_aiohttp():
                yield None
        finally:
            sys.modules["pytest_asyncio"] = saved
    """)
    pytester.makepyfile("def test_it(mockums_aiohttp):\n    pass\n")
    result = pytester.runpytest("-o", "asyncio_default_fixture_loop_scope=function")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*the mockums_aiohttp fixture needs pytest-aiohttp: pip install pytest-aiohttp (the pytest extra*"])

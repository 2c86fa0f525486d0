"""The plugin as a user meets it: small test files run by pytester, with mockums installed and nothing else.

Each run is in-process (fast); the fixtures start their own session server inside it, on 127.0.0.1.
"""

from __future__ import annotations

import pytest
from pytester_runs import _only_the_users_plugins

pytest_plugins = ["pytester"]
__all__ = ["_only_the_users_plugins"]  # the fixture, imported for the tests below

# A user's client: urllib, no proxy, requests signed with the handle.
CLIENT = '''
import json, urllib.request
from datetime import datetime, timedelta, timezone

MID = "898201612345678"
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))

def call(mockums, path, **fields):
    now = datetime.now(timezone(timedelta(hours=8))).strftime("%Y-%m-%d %H:%M:%S")
    body = json.dumps({"requestTimestamp": now, "mid": MID, "tid": "88880001", "instMid": "APPDEFAULT",
                       **fields}).encode()
    request = urllib.request.Request(mockums.url + path, data=body, headers={
        "Content-Type": "application/json", "Authorization": mockums.sign(body)})
    with NO_PROXY.open(request, timeout=5) as answer:
        return json.load(answer)
'''

RECEIVER = '''
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

import pytest

@pytest.fixture
def receiver():
    """A notifyUrl on 127.0.0.1 answering from a script: "SUCCESS" unless told otherwise."""
    state = {"answer": b"SUCCESS", "received": []}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            state["received"].append(dict(parse_qsl(self.rfile.read(int(self.headers["Content-Length"])).decode())))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(state["answer"])

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    state["url"] = f"http://127.0.0.1:{server.server_port}/notify"
    yield state
    server.shutdown()
    server.server_close()
'''


@pytest.fixture(autouse=True)
def _quiet_asyncio_config(pytester: pytest.Pytester) -> None:
    """Set what pytest-asyncio warns about when unset (a test may write its own ini over it)."""
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")


def test_plugin_is_registered_by_the_entry_point(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        def test_fixtures_exist(request):
            names = request.config.pluginmanager.list_name_plugin()
            assert any(name == "mockums" for name, _ in names), names
    """)
    result = pytester.runpytest("--fixtures")
    result.stdout.fnmatch_lines(["*fixtures defined from mockums.pytest_plugin*", "mockums_settings ?session scope? -- *",
                                 "mockums_server ?session scope? -- *", "mockums -- *", "mockums_aiohttp -- *"])
    pytester.runpytest().assert_outcomes(passed=1)


def test_sync_fixture_signed_calls_inline_scenario_and_assert_requested(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(client=CLIENT)
    pytester.makepyfile(test_shop="""
        from client import call

        CLOSE = "/v1/netpay/wx/app-pre-close"
        QUERY = "/v1/netpay/query"

        def test_inline_scenario(mockums):
            names = mockums.add_scenario('''
                scenarios:
                  - name: close-refused
                    match: {merOrderIdPrefix: SHOP, endpoint: /v1/netpay/wx/app-pre-close}
                    respond: {fields: {errCode: TARGET_FAIL}}
            ''')
            assert names == ["close-refused"]
            assert call(mockums, CLOSE, merOrderId="SHOP000001")["errCode"] == "TARGET_FAIL"
            assert call(mockums, QUERY, merOrderId="SHOP000001")["errCode"] == "SUCCESS"
            [entry] = mockums.assert_requested(CLOSE, merOrderId="SHOP000001", times=1, errCode="TARGET_FAIL")
            assert entry["auth"]["verdict"] == "ok"
            assert entry["scenario"]["name"] == "close-refused"
            mockums.assert_requested(merOrderId="SHOP000001", times=2)
            mockums.assert_requested(QUERY, status=200)
            mockums.assert_not_requested(CLOSE, merOrderId="SHOP000002")

        def test_scenario_block(mockums):
            with mockums.scenario({"name": "shop-bad-request", "match": {"merOrderId": "SHOP000003"},
                                   "respond": {"fields": {"errCode": "BAD_REQUEST"}}}):
                assert call(mockums, QUERY, merOrderId="SHOP000003")["errCode"] == "BAD_REQUEST"
            assert call(mockums, QUERY, merOrderId="SHOP000003")["errCode"] == "NO_ORDER"

        def test_expects_two_queries(mockums):
            call(mockums, QUERY, merOrderId="SHOP000004")
            call(mockums, CLOSE, merOrderId="SHOP000004")
            mockums.assert_requested(QUERY, merOrderId="SHOP000004", times=2)

        def test_expects_another_order(mockums):
            call(mockums, QUERY, merOrderId="SHOP000005")
            mockums.assert_requested(QUERY, merOrderId="SHOP000006")
    """)
    result = pytester.runpytest()
    result.assert_outcomes(passed=2, failed=2)
    result.stdout.fnmatch_lines([
        "E *AssertionError: expected 2 requests to /v1/netpay/query for merOrderId SHOP000004, got 1:",
        "E *the journal holds 2 requests for merOrderId SHOP000004 (> marks the matching ones):",
        "E * time * endpoint * merOrderId * auth * scenario * status * errCode",
        "E * >  * /v1/netpay/query * SHOP000004 * ok * - * 200 * NO_ORDER",
    ])
    result.stdout.re_match_lines([r"E\s+\d\d:\d\d:\d\d\.\d{3}\s+/v1/netpay/wx/app-pre-close\s+SHOP000004\s+ok\s+-\s+200\s+NO_ORDER"])
    result.stdout.fnmatch_lines([
        "E *AssertionError: expected at least one request to /v1/netpay/query for merOrderId SHOP000006, got 0:",
        "E *the journal holds no request for merOrderId SHOP000006; its last 1 request:",
        "E * time * endpoint * merOrderId * auth * scenario * status * errCode",
        "E * /v1/netpay/query * SHOP000005 * ok * - * 200 * NO_ORDER",
    ])
    # The failure points at the user's line, not into mockums.
    assert "mockums/testing/" not in result.stdout.str()


def test_reset_between_tests(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(client=CLIENT)
    pytester.makepyfile(test_reset="""
        import time

        import pytest
        from client import MID, call
        from mockums.testing import MockumsError

        ORDER = "/v1/netpay/wx/app-pre-order"

        def test_1_leaves_things_behind(mockums):
            mockums.add_scenario({"name": "leftover", "match": {"merOrderIdPrefix": "LEFT"},
                                  "respond": {"fields": {"errCode": "SYSTEM_BUSY"}}})
            assert call(mockums, ORDER, merOrderId="LEFT000001", totalAmount=1)["errCode"] == "SYSTEM_BUSY"
            assert call(mockums, ORDER, merOrderId="KEEP000001", totalAmount=1)["errCode"] == "SUCCESS"
            assert mockums.order(MID, "KEEP000001")["status"] == "WAIT_BUYER_PAY"
            mockums.freeze_clock()
            mockums.advance_clock(3600)

        def test_2_starts_clean(mockums):
            assert mockums.journal() == []
            assert mockums.clock()["frozen"] is False
            before = time.time()
            assert before <= mockums.clock()["now"] <= time.time()
            with pytest.raises(MockumsError, match="HTTP 404"):
                mockums.order(MID, "KEEP000001")
            assert call(mockums, ORDER, merOrderId="LEFT000001", totalAmount=1)["errCode"] == "SUCCESS"  # no scenario
            assert call(mockums, ORDER, merOrderId="KEEP000001", totalAmount=1)["errCode"] == "SUCCESS"  # no DUP_ORDER
    """)
    pytester.runpytest().assert_outcomes(passed=2)


def test_assert_notified_with_a_receiver(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(client=CLIENT)
    pytester.makeconftest(RECEIVER)
    pytester.makepyfile(test_notify="""
        from client import MID, call
        from mockums.notify import verify_notification

        ORDER = "/v1/netpay/wx/app-pre-order"

        def test_accepted(mockums, receiver):
            call(mockums, ORDER, merOrderId="NOTE000001", totalAmount=360, notifyUrl=receiver["url"])
            mockums.assert_notified("NOTE000001", times=0, timeout=0)
            mockums.pay(MID, "NOTE000001")
            [delivery] = mockums.assert_notified("NOTE000001", times=1, status="TRADE_SUCCESS", accepted=True)
            assert delivery["attempts"][0]["accepted"] is True
            assert receiver["received"][0]["notifyId"] == delivery["notifyId"]
            assert receiver["received"][0]["sign"]

        def test_refused(mockums, receiver):
            receiver["answer"] = b"FAIL"
            call(mockums, ORDER, merOrderId="NOTE000002", totalAmount=360, notifyUrl=receiver["url"])
            mockums.pay(MID, "NOTE000002")
            mockums.assert_notified("NOTE000002", accepted=False)
            mockums.assert_notified("NOTE000002", accepted=True, timeout=0.3)

        def test_never_sent(mockums):
            call(mockums, ORDER, merOrderId="NOTE000003", totalAmount=360)
            mockums.pay(MID, "NOTE000003")
            mockums.assert_notified("NOTE000003", timeout=30)  # fails at once: no notifyUrl, nothing can come
    """)
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines([
        "E *AssertionError: expected at least one notification for merOrderId NOTE000002 accepted by the receiver,"
        " got 0 (waited * s):",  # the time it did wait: 0.3 s or more, on a busy machine more
        "E *mockums holds 1 delivery for merOrderId NOTE000002:",
        "E * notifyId * payment  status=TRADE_SUCCESS  pending  -> http://127.0.0.1:*/notify",
        "E * attempt 1: HTTP 200 'FAIL' refused",
    ])
    result.stdout.fnmatch_lines([
        "E *AssertionError: expected at least one notification for merOrderId NOTE000003, but the order was created"
        " without a notifyUrl: the sandbox notifies only the notifyUrl an order is created with, so none will come"
        " (create it with notifyUrl=… to receive them).",
    ])


def test_scenario_errors_name_path_and_line(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import pytest
        from mockums.testing import ScenarioError

        def test_invalid(mockums):
            with pytest.raises(ScenarioError) as caught:
                mockums.add_scenario('''
                    scenarios:
                      - name: typo
                        match: {merOrderId: ABC123}
                        respond: {fields: {errCode: TARGET_FAIL}, dealy: 2}
                ''')
            assert caught.value.errors == [
                "<control API>:5: scenarios[0].respond: unknown key 'dealy' (did you mean 'delay'?); "
                "allowed keys: fields, delay, gateway_error, fault, order_status, order, repeat, allow_unknown"
            ]
            assert str(caught.value) == "the scenarios do not validate; nothing was added:\\n  " + caught.value.errors[0]
            assert mockums.journal() == []
    """)
    pytester.runpytest().assert_outcomes(passed=1)


def test_settings_are_overridden_in_a_conftest(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(client=CLIENT)
    pytester.makeconftest("""
        import pytest
        from mockums.config import App, Settings

        @pytest.fixture(scope="session")
        def mockums_settings():
            return Settings(apps=(App("my-shop-app", "my-shop-key", "shop", "my-notify-key"),), seed=42,
                            bundled_scenarios=False)
    """)
    pytester.makepyfile(test_override="""
        from client import call

        def test_my_app(mockums):
            assert (mockums.app_id, mockums.app_key, mockums.notify_key) == ("my-shop-app", "my-shop-key", "my-notify-key")
            assert "my-shop-key" not in repr(mockums)
            assert call(mockums, "/v1/netpay/query", merOrderId="MKPAID0001")["errCode"] == "NO_ORDER"
            mockums.assert_requested(merOrderId="MKPAID0001", times=1)
            assert mockums.health()["scenarios"] == 0
    """)
    pytester.runpytest().assert_outcomes(passed=1)


def test_async_fixture_in_strict_mode(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_mode = strict\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile("""
        import json
        import aiohttp
        import pytest

        QUERY = "/v1/netpay/query"

        @pytest.mark.asyncio
        async def test_in_process(mockums_aiohttp):
            names = await mockums_aiohttp.add_scenario({"name": "busy", "match": {"merOrderIdPrefix": "ASYNC"},
                                                        "respond": {"fields": {"errCode": "SYSTEM_BUSY"}}})
            assert names == ["busy"]
            body = json.dumps({"requestTimestamp": "2026-01-01 00:00:00", "mid": "898201612345678",
                               "tid": "88880001", "instMid": "APPDEFAULT", "merOrderId": "ASYNC0001"}).encode()
            async with aiohttp.ClientSession() as http:
                async with http.post(mockums_aiohttp.url + QUERY, data=body, headers={
                        "Content-Type": "application/json", "Authorization": mockums_aiohttp.sign(body)}) as r:
                    assert (await r.json())["errCode"] == "SYSTEM_BUSY"
            await mockums_aiohttp.assert_requested(QUERY, merOrderId="ASYNC0001", times=1, errCode="SYSTEM_BUSY")
            await mockums_aiohttp.assert_not_requested(QUERY, merOrderId="ASYNC0002")
            async with mockums_aiohttp.scenario('''
                scenarios: [{name: tmp, match: {merOrderId: ASYNC0003}, respond: {fields: {errCode: NO_ORDER}}}]
            ''') as added:
                assert added == ["tmp"]
            await mockums_aiohttp.remove_scenario("busy")
            clock = await mockums_aiohttp.freeze_clock()
            assert clock["frozen"] is True
            moved = await mockums_aiohttp.advance_clock(60)
            assert moved["now"] - clock["now"] == pytest.approx(60)

        @pytest.mark.asyncio
        async def test_fresh_each_time(mockums_aiohttp):
            assert await mockums_aiohttp.journal() == []
            with pytest.raises(AssertionError, match="expected 1 request to /v1/netpay/query"):
                await mockums_aiohttp.assert_requested(QUERY, times=1)
    """)
    result = pytester.runpytest("-W", "error::pytest.PytestUnraisableExceptionWarning")
    result.assert_outcomes(passed=2)

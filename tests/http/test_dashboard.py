"""The dashboard over real HTTP, without a browser: its files, served from the package and guarded like the
control API, self-contained (nothing from another host), and the control calls it relies on."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from unittest import mock

from aiohttp.test_utils import make_mocked_request
from conftest import CLOSE, Caller, MakeCaller
from lifecycle_helpers import control

from mockums.config import DEMO_APP
from mockums.server.control.sending import loopback_base, send
from mockums.server.dashboard import POLICY, asset

STATIC = Path(__file__).resolve().parents[2] / "mockums" / "server" / "dashboard" / "static"
FILES = sorted(path.name for path in STATIC.iterdir())


async def get(caller: Caller, path: str, **kwargs: Any) -> tuple[int, Any, str]:
    async with caller.client.get(path, allow_redirects=False, **kwargs) as response:
        return response.status, response.headers, await response.text()


async def test_the_page_and_its_files_are_served_from_the_package(caller: Caller) -> None:
    status, headers, text = await get(caller, "/__mockums/")
    assert (status, headers["Content-Type"]) == (200, "text/html; charset=utf-8")
    assert text == asset("index.html").decode()
    assert headers["Content-Security-Policy"] == POLICY and "connect-src 'self'" in POLICY
    for name in FILES:
        status, headers, text = await get(caller, f"/__mockums/static/{name}")
        assert status == 200, name
        assert headers["Content-Type"].split(";")[0] in ("text/css", "text/javascript", "text/html"), name
        assert text == (STATIC / name).read_text(encoding="utf-8")
        assert headers["Cache-Control"] == "no-cache"
        status, _, _ = await get(caller, f"/__mockums/static/{name}", headers={"If-None-Match": headers["ETag"]})
        assert status == 304
    status, headers, _ = await get(caller, "/__mockums")
    assert (status, headers["Location"]) == (302, "/__mockums/")


async def test_unknown_files_are_json_404s(caller: Caller) -> None:
    for name in ("nothing.js", "..%2Fsandbox.py", "__init__.py", ".hidden.css", "nothing"):
        status, _, text = await get(caller, f"/__mockums/static/{name}")
        assert status == 404, name
        assert json.loads(text)["error"].startswith("no dashboard file"), name


def test_every_file_the_page_loads_ships_and_nothing_comes_from_another_host() -> None:
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    loaded = re.findall(r'(?:src|href)="static/([^"]+)"', html)
    assert "mockums.css" in loaded and "app.js" in loaded
    for script in STATIC.glob("*.js"):
        loaded += re.findall(r'from "\./([^"]+)"', script.read_text(encoding="utf-8"))
    assert set(loaded) <= set(FILES), set(loaded) - set(FILES)
    assert set(FILES) - {"index.html"} <= set(loaded), "a shipped file nothing loads"
    for name in FILES:
        text = (STATIC / name).read_text(encoding="utf-8")
        assert not re.search(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text, re.I), f"{name} refers to another host"
        assert "@import" not in text and "url(" not in text.replace('href="data:,"', ""), name


async def test_the_dashboard_is_guarded_exactly_like_the_control_api(make_caller: MakeCaller) -> None:
    from mockums.server.control import guard

    off = await make_caller(control=False)
    assert (await get(off, "/__mockums/"))[0] == 404
    assert (await get(off, "/__mockums/static/app.js"))[0] == 404
    token = await make_caller(control_token="s3cret")
    assert (await get(token, "/__mockums/"))[0] == 401
    assert (await get(token, "/__mockums/static/mockums.css"))[0] == 401
    assert (await get(token, "/__mockums/", headers={"Authorization": "Bearer s3cret"}))[0] == 200

    caller = await make_caller()
    transport = mock.Mock()
    transport.get_extra_info.side_effect = lambda name, default=None: ("192.0.2.7", 5555) if name == "peername" else default
    for path in ("/__mockums/", "/__mockums/static/app.js"):
        request = make_mocked_request("GET", path, app=caller.client.app, transport=transport)

        async def handler(_: Any) -> Any:
            raise AssertionError("the guard let it through")

        assert (await guard(request, handler)).status == 403


async def test_journal_rows_filters_and_one_entry(caller: Caller) -> None:
    await caller.close("MKPAID0001")
    body = b'{"merOrderId": "3194HTTP0001"}'
    await caller.raw(CLOSE, body, 'OPEN-BODY-SIG AppId="x", Timestamp="20240101000000", Nonce="n", Signature="s"')
    status, rows = await control(caller, "GET", "/journal?view=summary&verdict=refused")
    assert status == 200
    assert [(r["merOrderId"], r["verdict"]) for r in rows] == [("3194HTTP0001", "unknown_app")]
    status, rows = await control(caller, "GET", "/journal?view=summary&scenario=already-paid")
    [row] = rows
    status, entry = await control(caller, "GET", f"/journal/{row['id']}")
    assert (status, entry["scenario"]["name"], entry["id"]) == (200, "already-paid", row["id"])
    assert (await control(caller, "GET", "/journal/99999"))[0] == 404
    assert (await control(caller, "GET", "/journal/x"))[0] == 400
    status, problem = await control(caller, "GET", "/journal?view=short")
    assert (status, problem["error"]) == (400, "view must be full or summary")


async def test_seed_endpoints_and_order_product_line(caller: Caller) -> None:
    assert await control(caller, "GET", "/seed") == (200, {"seed": 7})
    status, endpoints = await control(caller, "GET", "/endpoints")
    assert status == 200 and endpoints[0]["path"] == "/v1/netpay/wx/app-pre-order"
    await caller.call("/v1/netpay/wx/app-pre-order", "3194HTTP0002", totalAmount=10)
    _, [order] = await control(caller, "GET", "/orders?merOrderId=3194HTTP0002")
    assert (order["instMid"], order["appId"], order["targetSys"]) == ("APPDEFAULT", DEMO_APP.app_id, "WXPay")
    await caller.call("/v1/netpay/wx/app-pre-order", "3194HTTP0003", totalAmount=10)
    _, listed = await control(caller, "GET", "/orders?limit=1")
    assert [o["merOrderId"] for o in listed] == ["3194HTTP0003"]
    for bad, message in (("0", "limit must be at least 1, got 0"),
                           ("x", "limit must be a whole number (at least 1), got 'x'")):
        assert await control(caller, "GET", f"/orders?limit={bad}") == (400, {"error": message})


async def test_send_signs_and_sends_over_loopback_and_names_the_journal_entry(caller: Caller) -> None:
    status, sent = await control(caller, "POST", "/send", json={"endpoint": CLOSE, "merOrderId": "MKPAID0002"})
    assert status == 200, sent
    assert (sent["status"], sent["answer"]["errCode"], sent["error"]) == (200, "TARGET_FAIL", None)
    assert sent["request"]["authorization"].startswith(f'OPEN-BODY-SIG AppId="{DEMO_APP.app_id}"')
    assert DEMO_APP.app_key not in json.dumps(sent)
    _, entry = await control(caller, "GET", f"/journal/{sent['journalId']}")
    assert (entry["merOrderId"], entry["auth"]["verdict"], entry["request"]) == (
        "MKPAID0002", "ok", sent["request"]["body"])


async def test_send_reports_a_fault_instead_of_an_answer(caller: Caller) -> None:
    status, sent = await control(caller, "POST", "/send", json={"endpoint": CLOSE, "merOrderId": "MKRESET0001"})
    assert status == 200
    assert (sent["status"], sent["answer"]) == (None, None)
    assert sent["error"].startswith(("ServerDisconnectedError", "ClientOSError", "ClientPayloadError")), sent["error"]
    _, entry = await control(caller, "GET", f"/journal/{sent['journalId']}")
    assert entry["fault"] == "connection_reset"


async def test_send_refuses_bad_input(caller: Caller) -> None:
    for body, message in (({"endpoint": CLOSE}, "merOrderId: send the merOrderId"),
                          ({"endpoint": "/v1/x", "merOrderId": "a"}, "endpoint: '/v1/x' is not one of"),
                          ({"endpoint": CLOSE, "merOrderId": "a", "url": "http://example.invalid/"}, "send {"),
                          ([1], "send {")):
        status, problem = await control(caller, "POST", "/send", json=body)
        assert status == 400 and problem["error"].startswith(message), problem


async def test_loopback_target_is_this_servers_port_on_a_loopback_address() -> None:
    def request(sockname: object) -> Any:
        transport = mock.Mock()
        transport.get_extra_info.side_effect = lambda name, default=None: sockname if name == "sockname" else default
        return make_mocked_request("POST", "/__mockums/send", transport=transport)

    assert loopback_base(request(("127.0.0.5", 8123))) == "http://127.0.0.5:8123"
    assert loopback_base(request(("172.17.0.2", 8000))) == "http://127.0.0.1:8000"  # a container's own address
    assert loopback_base(request(("::ffff:10.0.0.2", 8000))) == "http://127.0.0.1:8000"
    assert loopback_base(request(("2001:db8::2", 8000, 0, 0))) == "http://[::1]:8000"
    assert loopback_base(request(("::1", 8000, 0, 0))) == "http://[::1]:8000"
    assert loopback_base(request(None)) == ""
    from mockums.core.samples import SignedRequest

    signed = SignedRequest(CLOSE, b"{}", "OPEN-BODY-SIG x", "a", "b")
    assert (await send("", signed))["error"] == "this server's own address is unknown"

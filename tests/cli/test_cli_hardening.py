"""`mockums serve` under stress: it stops promptly whatever it holds (a held `no_answer` request is cut,
pending notifications are abandoned with a log line, it says it stopped, exit 0), and bound to `::` it
takes an IPv4 loopback client for a loopback one."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
import urllib.error
import urllib.request

import chinaums_client
import pytest
from cli_harness import NO_PROXY, serving

from mockums.config import DEMO_APP

MID = "898201612345678"
STOP_BOUND = 5.0  # seconds: an upper bound the stop must stay under, not a window it must hit


def post(url: str, fields: dict[str, object], timeout: float = 10) -> dict[str, object]:
    body = chinaums_client.go_json(chinaums_client.close_request(**fields))  # type: ignore[arg-type]
    request = urllib.request.Request(url, data=body, headers={
        "Content-Type": "application/json",
        "Authorization": chinaums_client.open_body_sig(DEMO_APP.app_id, DEMO_APP.app_key, body)})
    with NO_PROXY.open(request, timeout=timeout) as answer:
        return json.load(answer)  # type: ignore[no-any-return]


def test_stop_cuts_held_requests_and_abandons_notifications(monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str],
                                                            caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    outcome: list[str] = []
    with serving(monkeypatch, "--port", "0") as server:
        # An order paid with a notifyUrl nobody listens on: its next attempt is 15 s away, so it is pending.
        created = post(server.url + "/v1/netpay/wx/app-pre-order",
                       {"mer_order_id": "3194STOP0001", "totalAmount": 1, "notifyUrl": "http://127.0.0.1:9/notify"})
        assert created["errCode"] == "SUCCESS"
        paid = urllib.request.Request(f"{server.url}/__mockums/orders/{MID}/3194STOP0001/pay", method="POST")
        with NO_PROXY.open(paid, timeout=10) as answer:
            assert answer.status == 200

        def held() -> None:  # MKTIMEOUT: the no_answer fault keeps this connection silent for 120 s
            try:
                post(server.url + "/v1/netpay/wx/app-pre-close", {"mer_order_id": "MKTIMEOUT0001"}, timeout=30)
            except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
                outcome.append(type(error).__name__)

        client = threading.Thread(target=held, daemon=True)
        client.start()
        deadline = time.monotonic() + 10
        while not server.get("/__mockums/journal?merOrderId=MKTIMEOUT0001")[1] and time.monotonic() < deadline:
            time.sleep(0.02)
        assert server.get("/__mockums/notifications")[1][0]["state"] == "pending"
        started = time.monotonic()
    stopped_in = time.monotonic() - started  # `serving` has asserted exit status 0
    client.join(10)
    assert stopped_in < STOP_BOUND, f"stopping took {stopped_in:.1f} s"
    assert outcome, "the held request was not cut"
    assert capsys.readouterr().out.endswith("mockums stopped\n")
    messages = [record.getMessage() for record in caplog.records]
    assert "stopping: 1 pending notification(s) abandoned" in messages
    assert "/v1/netpay/wx/app-pre-close: a held no_answer request was cut" in messages


@pytest.mark.skipif(not socket.has_dualstack_ipv6(), reason="no dual-stack IPv6 on this machine")
def test_a_dual_stack_bind_accepts_control_calls_from_ipv4_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    with serving(monkeypatch, "--host", "::", "--port", "0") as server:
        # The harness speaks to 127.0.0.1: through the `::` socket the peer is ::ffff:127.0.0.1.
        status, journal = server.get("/__mockums/journal")
        assert (status, journal) == (200, [])

"""No client can forge a line of `mockums serve`'s text log: control characters in a path, an id or a URL are
written escaped, and a notification's line clips its notifyUrl and merOrderId as a request's line does."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request

import chinaums_client
import pytest
from cli_harness import NO_PROXY, serving

from mockums.config import DEMO_APP
from mockums.logs import TextFormatter, escape_controls

CREATE = "/v1/netpay/wx/app-pre-order"
FORGED = "\n2026-12-01T10:00:00.000+08:00 INFO mockums.http: POST /v1/netpay/refund -> 200 SUCCESS"


def post(url: str, body: bytes, headers: dict[str, str]) -> int:
    try:
        with NO_PROXY.open(urllib.request.Request(url, data=body, headers=headers), timeout=10) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def signed(url: str, path: str, mer_order_id: str, **fields: object) -> int:
    body = json.dumps(chinaums_client.close_request(mer_order_id, **fields), ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json",
               "Authorization": chinaums_client.open_body_sig(DEMO_APP.app_id, DEMO_APP.app_key, body)}
    return post(url + path, body, headers)


def test_escaping_keeps_printable_text_and_escapes_every_control() -> None:
    assert escape_controls("POST /v1 -> 200 中文 merOrderId=A-1") == "POST /v1 -> 200 中文 merOrderId=A-1"
    assert escape_controls("a\nb\rc\x1b[31md\x00e\tf\x7f\x9b\u2028") == (
        "a\\nb\\rc\\x1b[31md\\x00e\\tf\\x7f\\x9b\\u2028")
    record = logging.LogRecord("mockums.http", logging.INFO, __file__, 1, "GET %s", ("/x\n/y",), None)
    assert TextFormatter().format(record).endswith("INFO mockums.http: GET /x\\n/y")


def test_control_characters_sent_by_a_client_stay_on_their_own_line(monkeypatch: pytest.MonkeyPatch,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    with serving(monkeypatch, "--port", "0", "--no-watch", "--assume-orders") as server:
        capsys.readouterr()
        path = "/v1/netpay/%0A2026-12-01T10:00:00.000+08:00%20INFO%20forged%1B[2J%00"
        assert post(server.url + path, b"{}", {"Content-Type": "application/json"}) == 404
        assert signed(server.url, "/v1/netpay/query", "3194LOG" + FORGED + "\x1b[31m\x00") == 200
        # A notifyUrl nobody can deliver to is given up at once, and logged.
        assert signed(server.url, CREATE, "3194LOGNOTIFY1", totalAmount=1,
                      notifyUrl="ftp://x/" + "u" * 100 + FORGED) == 200
        pay = urllib.request.Request(server.url + "/__mockums/orders/898201612345678/3194LOGNOTIFY1/pay", data=b"",
                                     method="POST")
        with NO_PROXY.open(pay, timeout=10) as answer:
            assert answer.status == 200
    lines = capsys.readouterr().err.splitlines()
    assert not any(line.startswith("2026-12-01T10:00:00.000+08:00") for line in lines), lines
    [not_found] = [line for line in lines if "forged" in line and "notify" not in line and "3194LOG" not in line]
    assert "/v1/netpay/\\n2026-12-01" in not_found and "\\x1b[2J\\x00" in not_found
    [query] = [line for line in lines if "/v1/netpay/query" in line]
    assert "merOrderId=3194LOG\\n2026-12-01T10:00:00.000+08:00 INFO" in query
    [notify] = [line for line in lines if line.split(" ")[3:4] == ["notify"]]
    assert "ftp://x/uuu" in notify and "\\n2026" in notify and len(notify) < 1000, notify


def test_a_notification_line_clips_its_url_and_order_id(caplog: pytest.LogCaptureFixture) -> None:
    from mockums.clock import Clock
    from mockums.notify.sender import Notifier

    caplog.set_level(logging.INFO, "mockums.notify")
    Notifier(Clock()).send("ftp://x/" + "u" * 8000, {}, kind="payment", mid="898201612345678",
                           mer_order_id="3194" + "9" * 8000, notify_id="n1")
    [record] = caplog.records
    message = record.getMessage()
    assert len(message) < 1500 and "(8008 characters)" in message and "(8004 characters)" in message, message

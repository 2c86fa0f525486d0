"""The `mockums` fixture: one sandbox for the whole test session, reset before each test.

It is synchronous, so any client works against it (requests, httpx, urllib…). Here the "shop" is a
few lines of urllib, signing each request with `mockums.sign(body)` (your own client would use
`mockums.app_id` and `mockums.app_key`).
"""

import hashlib
import json
import threading
import urllib.request
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

import pytest

MID, TID = "898201612345678", "88880001"
CREATE, QUERY, CLOSE = "/v1/netpay/wx/app-pre-order", "/v1/netpay/wx/app-pre-query", "/v1/netpay/wx/app-pre-close"
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # the sandbox is local: no proxy


def call(mockums, path, **fields):
    """The shop's client: POST a JSON body with an OPEN-BODY-SIG Authorization header."""
    now = datetime.now(timezone(timedelta(hours=8))).strftime("%Y-%m-%d %H:%M:%S")  # Beijing time
    body = json.dumps({"requestTimestamp": now, "mid": MID, "tid": TID, "instMid": "APPDEFAULT", **fields}).encode()
    headers = {"Content-Type": "application/json", "Authorization": mockums.sign(body)}
    with NO_PROXY.open(urllib.request.Request(mockums.url + path, data=body, headers=headers), timeout=5) as answer:
        return json.load(answer)


def test_close_refused_by_wechat(mockums):
    # An inline scenario, for this test only (the next test starts from a reset sandbox).
    mockums.add_scenario("""
        scenarios:
          - name: wechat-refuses-close
            match: {merOrderId: "3194CLOSE0001", endpoint: /v1/netpay/wx/app-pre-close}
            respond:
              fields: {errCode: TARGET_FAIL, errMsg: 微信方失败}
    """)

    answer = call(mockums, CLOSE, merOrderId="3194CLOSE0001")

    assert (answer["errCode"], answer["errMsg"]) == ("TARGET_FAIL", "微信方失败")
    # The journal saw exactly one close for this order, answered TARGET_FAIL.
    mockums.assert_requested(CLOSE, merOrderId="3194CLOSE0001", times=1, errCode="TARGET_FAIL")


def test_unpaid_order_expires(mockums):
    created = call(mockums, CREATE, merOrderId="3194EXPIRE0001", totalAmount=360)
    assert created["status"] == "WAIT_BUYER_PAY"

    mockums.advance_clock(31 * 60)  # half an hour later, without waiting: unpaid orders expire after 30 min

    assert call(mockums, QUERY, merOrderId="3194EXPIRE0001")["status"] == "TRADE_CLOSED"


@pytest.fixture
def notify_url():
    """The shop's notifyUrl: a small HTTP server on 127.0.0.1 that keeps each form and answers SUCCESS."""
    received = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            received.append(dict(parse_qsl(body, keep_blank_values=True)))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"SUCCESS")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/notify", received
    server.shutdown()
    server.server_close()


def signature_valid(form, notify_key):
    """How a shop checks a notification's signature (as shown under "The payment lifecycle")."""
    text = "&".join(f"{k}={v}" for k, v in sorted(form.items()) if k != "sign" and v != "") + notify_key
    return hashlib.sha256(text.encode()).hexdigest().upper() == form["sign"]


def test_paid_order_is_notified(mockums, notify_url):
    url, received = notify_url
    call(mockums, CREATE, merOrderId="3194PAY0001", totalAmount=360, notifyUrl=url)

    mockums.pay(MID, "3194PAY0001")  # the customer pays

    # Waits (5 s at most) until the shop's receiver has accepted the notification.
    [delivery] = mockums.assert_notified("3194PAY0001", status="TRADE_SUCCESS", accepted=True)
    [form] = received
    assert form["notifyId"] == delivery["notifyId"]
    assert signature_valid(form, mockums.notify_key)
    assert call(mockums, QUERY, merOrderId="3194PAY0001")["status"] == "TRADE_SUCCESS"

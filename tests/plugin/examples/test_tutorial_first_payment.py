"""The everyday task as a test: the shop creates an order, the customer pays, the shop's notifyUrl is told, the
shop queries and refunds. Installing mockums with its pytest extra gives the `mockums` fixture: one sandbox for the
test session, reset before each test. The "shop" here is a few lines of urllib; yours is your own client.
"""

import hashlib
import json
import threading
import urllib.request
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

import pytest

MID, TID = "898201612345678", "88880001"  # the merchant and terminal numbers the shop sends
ORDER = "3194TUTORIAL01"
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # the sandbox is local: no proxy


def call(mockums, path, **fields):
    """The shop's client: POST a JSON body signed with OPEN-BODY-SIG (`mockums.sign` makes the header)."""
    now = datetime.now(timezone(timedelta(hours=8))).strftime("%Y-%m-%d %H:%M:%S")  # Beijing time
    body = json.dumps({"requestTimestamp": now, "mid": MID, "tid": TID, "instMid": "APPDEFAULT", **fields}).encode()
    headers = {"Content-Type": "application/json", "Authorization": mockums.sign(body)}
    with NO_PROXY.open(urllib.request.Request(mockums.url + path, data=body, headers=headers), timeout=5) as answer:
        return json.load(answer)


@pytest.fixture
def notify_url():
    """The shop's notifyUrl: an HTTP server on 127.0.0.1 that keeps each form and answers SUCCESS."""
    received = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(dict(parse_qsl(self.rfile.read(int(self.headers["Content-Length"])).decode())))
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


def signed_by_chinaums(form, notify_key):
    """How the shop checks a notification: SHA-256 of the sorted non-empty fields with the key appended."""
    text = "&".join(f"{k}={v}" for k, v in sorted(form.items()) if k != "sign" and v != "") + notify_key
    return hashlib.sha256(text.encode()).hexdigest().upper() == form["sign"]


def test_create_pay_notify_query_refund(mockums, notify_url):
    url, received = notify_url

    # 1. The shop creates the order: 3.60 yuan (amounts are in fen), notified at its receiver.
    created = call(mockums, "/v1/netpay/wx/app-pre-order", merOrderId=ORDER, totalAmount=360, notifyUrl=url)
    assert (created["errCode"], created["status"]) == ("SUCCESS", "WAIT_BUYER_PAY")

    # 2. The customer pays: in production in the wallet, here when the test says so.
    mockums.pay(MID, ORDER)

    # 3. The receiver is told, with a form signed by the app's notification key (waits 5 s at most).
    mockums.assert_notified(ORDER, status="TRADE_SUCCESS", accepted=True, times=1)
    [payment] = received
    assert payment["status"] == "TRADE_SUCCESS" and signed_by_chinaums(payment, mockums.notify_key)

    # 4. The shop queries the order.
    assert call(mockums, "/v1/netpay/wx/app-pre-query", merOrderId=ORDER)["status"] == "TRADE_SUCCESS"

    # 5. The shop refunds it in full; refundOrderId is its own id for this refund.
    refund = call(mockums, "/v1/netpay/refund", merOrderId=ORDER, refundAmount=360, refundOrderId=ORDER + "R1")
    assert (refund["errCode"], refund["refundStatus"], refund["status"]) == ("SUCCESS", "SUCCESS", "TRADE_REFUND")
    mockums.assert_notified(ORDER, status="TRADE_REFUND", accepted=True, times=1)

    # 6. What the sandbox saw: one refund, answered SUCCESS (the journal's table is shown if not).
    mockums.assert_requested("/v1/netpay/refund", merOrderId=ORDER, times=1, errCode="SUCCESS")

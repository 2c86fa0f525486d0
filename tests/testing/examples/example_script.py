"""A plain script: start a sandbox, point a client at it, look at what it answered and what it saw."""

import json
import urllib.request
from datetime import datetime, timedelta, timezone

import mockums

NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # the sandbox is local: no proxy

with mockums.serving(seed=42) as sandbox:
    # Your client would take sandbox.url, sandbox.app_id and sandbox.app_key; this one is urllib, and
    # sandbox.sign(body) makes its Authorization header.
    now = datetime.now(timezone(timedelta(hours=8))).strftime("%Y-%m-%d %H:%M:%S")  # Beijing time
    body = json.dumps({"requestTimestamp": now, "merOrderId": "MKPAID0001", "instMid": "APPDEFAULT",
                       "mid": "898201612345678", "tid": "88880001"}).encode()
    headers = {"Content-Type": "application/json", "Authorization": sandbox.sign(body)}
    request = urllib.request.Request(sandbox.url + "/v1/netpay/wx/app-pre-close", data=body, headers=headers)
    with NO_PROXY.open(request, timeout=10) as answer:
        reply = json.load(answer)

    print(reply["errCode"], reply["status"])  # TARGET_FAIL TRADE_SUCCESS: a paid order cannot be closed
    [entry] = sandbox.assert_requested("/v1/netpay/wx/app-pre-close", merOrderId="MKPAID0001", times=1)
    print(entry["scenario"]["name"])  # already-paid: the bundled scenario for the magic id MKPAID…

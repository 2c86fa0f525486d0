"""A small ChinaUMS client written the way the official demo and SDK samples sign requests.

Deliberately independent of mockums' own signing code, so the tests check mockums against the
published algorithm rather than against itself.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from datetime import datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8))


def beijing_now() -> datetime:
    return datetime.now(BEIJING)


def compact(moment: datetime) -> str:
    return moment.astimezone(BEIJING).strftime("%Y%m%d%H%M%S")


def body_time(moment: datetime) -> str:
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def open_body_sig(app_id: str, app_key: str, body: bytes, *, timestamp: str | None = None,
                  nonce: str | None = None, separator: str = ", ") -> str:
    """Java demo `getOpenBodySig`: HMAC-SHA256 over appId+timestamp+nonce+sha256hex(body)."""
    timestamp = timestamp or compact(beijing_now())
    nonce = nonce or uuid.uuid4().hex
    digest = hashlib.sha256(body).hexdigest()
    message = (app_id + timestamp + nonce + digest).encode()
    signature = base64.b64encode(hmac.new(app_key.encode(), message, hashlib.sha256).digest()).decode()
    parts = [f'AppId="{app_id}"', f'Timestamp="{timestamp}"', f'Nonce="{nonce}"', f'Signature="{signature}"']
    return "OPEN-BODY-SIG " + separator.join(parts)


def token_request(app_id: str, app_key: str, *, timestamp: str | None = None,
                  nonce: str | None = None, method: str = "SHA256") -> dict[str, str]:
    """The body of POST /v1/token/access, as the PHP/Go clients build it."""
    timestamp = timestamp or compact(beijing_now())
    nonce = nonce or uuid.uuid4().hex
    algorithm = hashlib.sha1 if method == "SHA1" else hashlib.sha256
    signature = algorithm((app_id + timestamp + nonce + app_key).encode()).hexdigest()
    body = {"appId": app_id, "timestamp": timestamp, "nonce": nonce, "signature": signature}
    if method != "none":
        body["signMethod"] = method
    return body


def close_request(mer_order_id: str | None, **overrides: object) -> dict[str, object]:
    """The app-pre-close request of the official API page, with a fresh requestTimestamp; other
    endpoints add their fields through `overrides` (None leaves a field out)."""
    body: dict[str, object] = {
        "requestTimestamp": body_time(beijing_now()),
        "merOrderId": mer_order_id,
        "instMid": "APPDEFAULT",
        "mid": "898201612345678",
        "tid": "88880001",
        "srcReserve": "C20220119000001",
    }
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not None}


def php_json(data: object) -> bytes:
    """PHP json_encode defaults: \\uXXXX for non-ASCII and escaped slashes."""
    return json.dumps(data, separators=(",", ":")).replace("/", "\\/").encode()


def go_json(data: object) -> bytes:
    """Go encoding/json: raw UTF-8, no spaces."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()

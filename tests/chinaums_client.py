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
from typing import Any

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


def java_urlencode(text: str) -> str:
    """java.net.URLEncoder.encode(text, "UTF-8"), written out: A-Z a-z 0-9 . - * _ stay, space is '+'."""
    safe = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-*_")
    out = []
    for char in text:
        if char in safe:
            out.append(char)
        elif char == " ":
            out.append("+")
        else:
            out.extend(f"%{byte:02X}" for byte in char.encode("utf-8"))
    return "".join(out)


def open_form_param(app_id: str, app_key: str, content: str, *, timestamp: str | None = None,
                    nonce: str | None = None, encode: Any = None) -> str:
    """The Java demo's OPEN-FORM-PARAM query: HMAC over the raw content, content and signature URL-encoded."""
    encode = encode or java_urlencode
    timestamp = timestamp or compact(beijing_now())
    nonce = nonce or uuid.uuid4().hex
    digest = hashlib.sha256(content.encode()).hexdigest()
    mac = hmac.new(app_key.encode(), (app_id + timestamp + nonce + digest).encode(), hashlib.sha256).digest()
    signature = base64.b64encode(mac).decode()
    return (f"authorization=OPEN-FORM-PARAM&appId={app_id}&timestamp={encode(timestamp)}&nonce={nonce}"
            f"&content={encode(content)}&signature={encode(signature)}")


def h5_content(mer_order_id: str, **overrides: object) -> dict[str, object]:
    """An H5 order's content as the public clients build it (instMid H5DEFAULT, amount in fen)."""
    body: dict[str, object] = {
        "msgId": "mk" + uuid.uuid4().hex[:10],
        "requestTimestamp": body_time(beijing_now()),
        "merOrderId": mer_order_id,
        "mid": "898201612345678",
        "tid": "88880001",
        "instMid": "H5DEFAULT",
        "totalAmount": 360,
        "orderDesc": "测试 订单",
    }
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not None}

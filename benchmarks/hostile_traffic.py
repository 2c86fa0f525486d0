"""Hostile traffic against a real `mockums serve`, on loopback only: what a careless or hostile client can
throw at it, counted. Not a test (it takes minutes); the figures go in the README ("Limits").

It starts `python -m mockums serve --port 0` with two configured apps (one without `notifyKey`, so its
communication key is the random one the banner prints) and request-reading scenarios, then sends:

  auth      odd Authorization headers on every /v1 path
  bodies    bad bodies, content types, methods and paths
  signed    correctly signed requests with hostile field values on every endpoint, and token requests
  control   control-API calls: every route, any method, hostile path parameters, queries and bodies
  malformed raw malformed HTTP (bad methods, request lines, header lines, URLs, lengths, chunks)
  cut       chunked bodies, and bodies cut short (the client leaves, or stalls past idle_timeout)
  big       bodies of 1-30 MB (the limit is 256 KB)
  slow      connections trickling one header byte every 2 s
  crosssite control calls as another site's page sends them: a foreign Origin or Sec-Fetch-Site, a foreign
            Host (DNS rebinding), bodies as text/plain, form-urlencoded, multipart or untyped
  logged    signed requests whose merOrderId, path or notifyUrl holds control characters and forged log lines
  deep      correctly signed requests holding real ~1,000-deep objects and arrays, POST and H5 GET alike
  cashier   H5 cashier links opened and posted to with unknown charsets, non-UTF-8 bytes, other types,
            javascript:/data: returnUrls, and bodies trickled past idle_timeout
  uploads   scenario uploads over the per-upload cap, and uploads until the runtime total is reached

and prints the answers by category and status, tracebacks and ERROR lines in the server's log, keys seen
in any answer or log line, 5xx answers of mockums' own, answers not in their layer's shape, cross-site
calls accepted, cashier redirects to anything but http(s), log lines that do not start with a time (forged)
or hold a raw control character, the server's RSS before and after, how many slow connections were still
open after idle_timeout, and how SIGTERM went.
Bounded: a fixed number of requests, and a time cap per phase.

    .venv/bin/python benchmarks/hostile_traffic.py [--scale 1.0] [--concurrency 32] [--seed 8]
        [--store redis://127.0.0.1:PORT/DB]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import chinaums_client

from mockums.limits import CONTROL_PREFIX, TOKEN_PATH
from mockums.lines import DEFAULT_REGISTRY
from mockums.server.control import ROUTES

ENDPOINTS = DEFAULT_REGISTRY.endpoints

HOST = "127.0.0.1"  # loopback only
PHASE_CAP = 240.0  # seconds for the bulk phase, whatever the counts say
COUNTS = {"auth": 30_000, "bodies": 12_000, "signed": 52_000, "control": 6_000, "crosssite": 4_000, "logged": 2_000,
          "deep": 2_000}
RAW_COUNTS = {"malformed": 1_000, "cut": 1_000, "big": 40, "slow": 300, "cashier": 1_000, "uploads": 60}
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
FOREIGN_HOSTS = ["rebound.example", "rebound.example:8000", "127.0.0.1.nip.example", "localhost.evil.example",
                 "[::1].example", "10.0.0.1", "x"]
FORGED = "\n2026-12-01T10:00:00.000+08:00 INFO mockums.http: POST /v1/netpay/refund -> 200 SUCCESS"
CONTROLS = ["\n", "\r", "\r\n", "\x1b[2J", "\x1b]0;owned\x07", "\x00", "\u2028", "\x9b31m", "\t"]
LOG_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d ")
PATHS = sorted(ENDPOINTS)
APP_A = ("hostile-app-a-000000000000000000", "hostile-key-a-" + secrets.token_hex(8))
APP_B = ("hostile-app-b-000000000000000000", "hostile-key-b-" + secrets.token_hex(8))
NOTIFY_A = "hostile-notify-a-" + secrets.token_hex(8)
SCENARIOS = """\
scenarios:
  - name: echoing
    match: {merOrderIdPrefix: "3194ECHO"}
    respond: {fields: {errMsg: "{{ request.merOrderId }} {{ request.srcReserve }}", merName: "{{ request.mid }}"}}
  - name: by-body
    match: {merOrderIdPrefix: "3194BODY", body: {tid: "88880001"}}
    respond: {fields: {errCode: TARGET_FAIL}}
  - name: counting
    match: {merOrderIdPattern: "3194SEQ.*"}
    sequence: [{fields: {errCode: ORDER_PROCESSING}}, {fields: {errCode: SUCCESS}}]
    then: cycle
"""
STRINGS = ["", " ", "0", "-1", "1e309", "NaN", "²", "١٠٠", "\x00", "{{ request.mid }}", "{{", "}}",
           "http://127.0.0.1:1/", "2099-13-45 25:61:61", "20991345256161", "9" * 40, "🙂" * 50, "' OR 1=1 --",
           "%s%n%x", "../../etc/passwd", "\ud800", "3194SEQ", "3194ECHO", "<script>alert(1)</script>", "\r\n"]


class Tally:
    """Everything counted during the run."""

    def __init__(self, secrets_: list[str]) -> None:
        self.secrets = secrets_
        self.status: Counter[str] = Counter()
        self.own_5xx = 0
        self.bad_shape: list[str] = []
        self.leaks = 0
        self.sent = 0
        self.cross_site_accepted: list[str] = []
        self.unsafe_redirects: list[str] = []

    def answer(self, category: str, status: int | str, body: bytes = b"", headers: str = "",
               layer: str | None = None) -> None:
        self.sent += 1
        self.status[f"{category:<9} {status}"] += 1
        text = body.decode("utf-8", "replace") + headers
        if any(secret in text for secret in self.secrets):
            self.leaks += 1
        if isinstance(status, int) and status >= 500:
            self.own_5xx += 1  # no scenario here scripts a 5xx: every one would be mockums' own
        if layer and isinstance(status, int) and not shaped(layer, status, body):
            self.bad_shape.append(f"{category} {status} {text[:160]!r}")


def shaped(layer: str, status: int, body: bytes) -> bool:
    """The answer is in its layer's shape: gateway/business JSON under /v1, a JSON problem on the control API."""
    try:
        answer = json.loads(body)
    except ValueError:
        return layer == "control" and status in (200, 201) and body == b""
    if layer == "v1":
        if not isinstance(answer, dict) or not isinstance(answer.get("errCode"), str):
            return False
        if answer["errCode"] == "INTERNAL_ERROR":
            return False
        return "errInfo" in answer or (status == 200 and "errMsg" in answer)
    return status < 400 or (isinstance(answer, dict) and isinstance(answer.get("error"), str))


# -- generated requests ------------------------------------------------------------------------


def value(rng: random.Random, depth: int = 0) -> object:
    """A hostile JSON value."""
    pick = rng.random()
    if pick < 0.35:
        return rng.choice(STRINGS)
    if pick < 0.45:
        return rng.choice([None, True, False, 0, -1, 2**70, 1.5, -1e308, 10**30])
    if pick < 0.55 and depth < 3:
        return [value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    if pick < 0.65 and depth < 3:
        return {rng.choice(["a", "", "merOrderId", "data"]): value(rng, depth + 1) for _ in range(rng.randint(0, 3))}
    if pick < 0.75:
        depth_ = rng.choice([50, 800, 1500, 5000])
        return "[" * depth_ + "]" * depth_
    if pick < 0.80:
        return "x" * rng.choice([256, 5000, 100_000])
    return "".join(chr(rng.randint(1, 0x2FFF)) for _ in range(rng.randint(0, 40)))


def header_text(rng: random.Random, size: int = 60) -> str:
    return "".join(chr(rng.randint(0x20, 0xFF)) for _ in range(rng.randint(0, size))).replace("\x7f", "")


def authorization(rng: random.Random) -> str:
    scheme = rng.choice(["OPEN-BODY-SIG", "OPEN-ACCESS-TOKEN", "open-body-sig", "Bearer", "", "Basic"])
    keys = ["AppId", "appid", "Timestamp", "Nonce", "Signature", "AccessToken", "", "X"]
    pairs = []
    for _ in range(rng.randint(0, 6)):
        shown = rng.choice([header_text(rng), f'"{header_text(rng)}"', '"', "", APP_A[0], "20240101120000"])
        pairs.append(f"{rng.choice(keys)}{rng.choice(['=', '', '=='])}{shown}")
    text = f"{scheme} " + rng.choice([", ", ",", " ", ";"]).join(pairs)
    return rng.choice([text, text, header_text(rng, 200), scheme + " " + "A" * rng.choice([5000, 20_000])])


def base_request(path: str, order_id: object) -> dict[str, object]:
    fields: dict[str, object] = {rule.name: rule.example for rule in ENDPOINTS[path].request if rule.example}
    fields.update(chinaums_client.close_request("x"))
    fields["merOrderId"] = order_id
    for amount in ("totalAmount", "refundAmount"):
        if amount in fields:
            fields[amount] = 1
    fields["notifyUrl"] = "http://127.0.0.1:9/notify"  # nothing leaves this machine
    return fields


def dumps(document: object) -> bytes:
    try:
        return json.dumps(document, ensure_ascii=False).encode("utf-8", "surrogatepass")
    except (ValueError, RecursionError):
        return b'{"merOrderId": 1}'


def signed(rng: random.Random, index: int) -> tuple[str, str, dict[str, str], bytes, str]:
    if rng.random() < 0.1:  # token requests with hostile values
        fields: dict[str, object] = dict(chinaums_client.token_request(*APP_A))
        for _ in range(rng.randint(1, 3)):
            fields[rng.choice(["appId", "timestamp", "nonce", "signature", "signMethod"])] = value(rng)
        return "POST", TOKEN_PATH, {"Content-Type": "application/json"}, dumps(fields), "v1"
    path = rng.choice(PATHS)
    order_id = rng.choice([f"3194HOST{index:08d}", f"3194SEQ{index % 50}", f"3194ECHO{index}", "3194BODY1",
                           value(rng)])
    fields = base_request(path, order_id)
    names = [rule.name for rule in ENDPOINTS[path].request] + ["data", "x"]
    for _ in range(rng.randint(0, 4)):
        fields[rng.choice(names)] = value(rng)
    document = {"data": fields} if rng.random() < 0.15 else fields
    body = dumps(document)[: 200 * 1024]
    app = APP_A if rng.random() < 0.8 else APP_B
    header = chinaums_client.open_body_sig(app[0], app[1], body)
    return "POST", path, {"Authorization": header, "Content-Type": "application/json"}, body, "v1"


def bodies(rng: random.Random) -> tuple[str, str, dict[str, str], bytes, str]:
    path = rng.choice([*PATHS, TOKEN_PATH, "/v1/nowhere", "/v1/" + "p" * 3000, "/v1/%00", "/v1/netpay/../query"])
    method = rng.choice(["POST"] * 6 + ["GET", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"])
    body = rng.choice([
        bytes(rng.randint(0, 255) for _ in range(rng.randint(0, 300))),
        dumps(value(rng)), dumps({"data": value(rng)}), b"", b"\xff\xfe{}", ("{" * 5000).encode(),
        dumps({"merOrderId": "9" * 250_000}), b"merOrderId=1&mid=2",
    ])
    content_type = rng.choice(["application/json", "text/plain", "application/x-www-form-urlencoded", "",
                               "application/json; charset=gbk", "multipart/form-data; boundary=x"])
    headers = {"Content-Type": content_type} if content_type else {}
    if rng.random() < 0.5:
        headers["Authorization"] = chinaums_client.open_body_sig(APP_A[0], APP_A[1], body)
    return method, path, headers, body, "v1"


def parameter(rng: random.Random) -> str:
    """A hostile path parameter, percent-encoded."""
    return quote(str(rng.choice([*STRINGS[:14], "a" * 3000])), safe="", errors="replace") or "x"


SAFE_ROUTES = [route for route in ROUTES if not route.path.endswith(("/pay", "/notify", "/redeliver"))]


def control(rng: random.Random) -> tuple[str, str, dict[str, str], bytes, str]:
    route = rng.choice(SAFE_ROUTES)
    method = rng.choice([route.method] * 3 + ["GET", "POST", "PUT", "DELETE", "PATCH", "TRACE", "OPTIONS"])
    filled = re.sub(r"\{\w+\}", lambda _: parameter(rng), route.path)
    pairs = [f"{name}={quote(str(value(rng))[:200], errors='replace')}" for name in route.query]
    query = "?" + "&".join(pairs) if pairs else ""
    kind = rng.random()
    content_type = "application/json"
    if kind < 0.4:
        body = dumps(rng.choice([value(rng), {"set": value(rng)}, {"advance": value(rng)}, {"freeze": value(rng)},
                                 {"seed": value(rng)}, {"scenarios": value(rng)}, {"name": "x", "match": value(rng)}]))
    elif kind < 0.7:
        content_type = "application/yaml"
        body = rng.choice(["scenarios: " + "[" * 5000, "a: &a [*a]", "scenarios: [*a]", "!!python/object:os.system x",
                           "scenarios:\n  - name: n\n    match: {merOrderId: 1}\n", "- - - -", "\t\tx:",
                           "scenarios:\n" + "  - {name: n, match: {merOrderIdPrefix: P}}\n" * 2000]).encode()
    elif kind < 0.85:
        body = bytes(rng.randint(0, 255) for _ in range(rng.randint(0, 200)))
    else:
        body = b""
    return method, CONTROL_PREFIX + filled + query, {"Content-Type": content_type}, body, "control"


def crosssite(rng: random.Random) -> tuple[str, str, dict[str, str], bytes, str]:
    """A control call as a page on another site makes the browser send it."""
    route = rng.choice(SAFE_ROUTES)
    method = rng.choice([route.method] * 3 + ["POST", "PUT", "DELETE", "PATCH", "GET"])
    path = CONTROL_PREFIX + re.sub(r"\{\w+\}", lambda _: parameter(rng), route.path)
    body = rng.choice([b'{"advance": 86400}', b'{"seed": 1}', b"scenarios:\n  - {name: x, match: {merOrderId: X}}\n",
                       b'{"endpoint": "/v1/netpay/query", "merOrderId": "MKPAID0001"}', b""])
    kind = rng.choice(["origin", "fetch", "host", "type", "type", "all"])
    headers: dict[str, str] = {"Content-Type": "application/json"}
    if kind in ("origin", "all"):
        headers["Origin"] = rng.choice(["http://attacker.example", "null", "http://127.0.0.1:1", "https://localhost"])
    if kind in ("fetch", "all"):
        headers["Sec-Fetch-Site"] = rng.choice(["cross-site", "same-site"])
    if kind in ("host", "all"):
        headers["Host"] = rng.choice(FOREIGN_HOSTS)
    if kind in ("type", "all"):
        body = body or b'{"advance": 86400}'
        headers["Content-Type"] = rng.choice(["text/plain", "text/plain;charset=UTF-8", "",
                                              "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"])
        if not headers["Content-Type"]:
            del headers["Content-Type"]
    return method, path, headers, body, "crosssite"


def logged(rng: random.Random, index: int) -> tuple[str, str, dict[str, str], bytes, str]:
    """Control characters and a forged log line where a log line quotes what the client sent."""
    mark = rng.choice(CONTROLS) + FORGED + rng.choice(CONTROLS)
    if rng.random() < 0.3:  # in the path (percent-encoded: the router decodes it)
        path = "/v1/netpay/" + quote(f"x{mark}", safe="")
        return "POST", path, {"Content-Type": "application/json"}, b"{}", "v1"
    path = rng.choice(PATHS)
    if ENDPOINTS[path].method == "GET":
        path = "/v1/netpay/query"
    fields = base_request(path, f"3194LOG{index}{mark}"[:rng.choice([32, 200, 5000])])
    if rng.random() < 0.5:
        fields["notifyUrl"] = ("http://127.0.0.1:9/n" + mark)[:255]
    if rng.random() < 0.3:
        fields["mid"] = "8982" + mark
    body = dumps(fields)
    header = chinaums_client.open_body_sig(APP_A[0], APP_A[1], body)
    return "POST", path, {"Authorization": header, "Content-Type": "application/json"}, body, "v1"


def deep_text(rng: random.Random) -> str:
    """JSON text nested about 1,000 levels (objects or arrays), as no encoder would write it."""
    levels = rng.choice([101, 300, 999, 1000, 1020, 3000])
    return rng.choice([('{"a":' * levels) + "1" + "}" * levels, "[" * levels + "]" * levels])


def deep(rng: random.Random, index: int) -> tuple[str, str, dict[str, str], bytes, str]:
    """A correctly signed request whose field holds a real deep structure: POST, or an H5 GET."""
    path = rng.choice(PATHS)
    fields = base_request(path, f"3194DEEP{index}")
    field = rng.choice(["srcReserve", "orderDesc", "attachedData", "x", "merOrderId"])
    fields[field] = "DEEP-VALUE"
    text = json.dumps(fields, ensure_ascii=False).replace('"DEEP-VALUE"', deep_text(rng))
    if rng.random() < 0.1:
        text = json.dumps({"data": json.loads(json.dumps(fields))}).replace('"DEEP-VALUE"', deep_text(rng))
    if ENDPOINTS[path].method == "GET":
        query = chinaums_client.open_form_param(APP_A[0], APP_A[1], text)
        return "GET", f"{path}?{query}", {}, b"", "v1"
    body = text.encode()
    header = chinaums_client.open_body_sig(APP_A[0], APP_A[1], body)
    return "POST", path, {"Authorization": header, "Content-Type": "application/json"}, body, "v1"


POOL = 3000  # distinct requests generated per category, then sent in turn: the client stays cheap


def requests(rng: random.Random, scale: float) -> Iterator[tuple[str, tuple[str, str, dict[str, str], bytes, str]]]:
    """The bulk phase's requests, categories interleaved at random."""
    makers = {"auth": lambda i: ("POST", rng.choice([*PATHS, TOKEN_PATH]),
                                 {"Authorization": authorization(rng), "Content-Type": "application/json"},
                                 chinaums_client.go_json(chinaums_client.close_request(f"3194AUTH{i}")), "v1"),
              "bodies": lambda i: bodies(rng), "signed": lambda i: signed(rng, i), "control": lambda i: control(rng),
              "crosssite": lambda i: crosssite(rng), "logged": lambda i: logged(rng, i), "deep": lambda i: deep(rng, i)}
    pools = {name: [make(index) for index in range(min(POOL, COUNTS[name]))] for name, make in makers.items()}
    left = {name: int(count * scale) for name, count in COUNTS.items()}
    sent = Counter[str]()
    while any(left.values()):
        name = rng.choices([n for n in left if left[n]], weights=[left[n] for n in left if left[n]])[0]
        left[name] -= 1
        pool = pools[name]
        yield name, pool[sent[name] % len(pool)]
        sent[name] += 1


# -- sending -------------------------------------------------------------------------------------


async def bulk(url: str, tally: Tally, rng: random.Random, scale: float, concurrency: int) -> float:
    started = time.monotonic()
    source = requests(rng, scale)
    timeout = aiohttp.ClientTimeout(total=30)

    async def worker(session: aiohttp.ClientSession) -> None:
        for category, (method, path, headers, body, kind) in source:
            if time.monotonic() - started > PHASE_CAP:
                return
            try:
                async with session.request(method, url + path, data=body, headers=headers,
                                           allow_redirects=False) as response:
                    answer = await response.read()
                    layer: str | None = kind
                    if kind == "crosssite":
                        judge_cross_site(tally, method, path, headers, response.status)
                        layer = "control"
                    if 300 <= response.status < 400 and kind == "v1":  # an H5 create's 302: no body to shape
                        layer = None
                    tally.answer(category, response.status, answer, json.dumps(dict(response.headers)),
                                 None if method == "HEAD" else layer)
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
                tally.answer(category, f"closed ({type(error).__name__})")

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout,
                                     skip_auto_headers=["Content-Type"]) as session:
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
    return time.monotonic() - started


def judge_cross_site(tally: Tally, method: str, path: str, headers: dict[str, str], status: int) -> None:
    """A call another site's page could make is refused: 403 (Host, Origin) or 415 (a form's body type)."""
    foreign_host = "Host" in headers
    foreign_page = "Origin" in headers or "Sec-Fetch-Site" in headers
    form_body = headers.get("Content-Type", "").split(";")[0] in ("", "text/plain", "multipart/form-data",
                                                                  "application/x-www-form-urlencoded")
    if status < 400 and (foreign_host or (method not in SAFE_METHODS and (foreign_page or form_body))):
        tally.cross_site_accepted.append(f"{method} {path[:80]} {headers} -> {status}")


async def raw(port: int, data: bytes, *, close_after: bool = False, stall: float = 0.0,
              read_for: float = 30.0) -> bytes | str:
    """Send raw bytes on a fresh connection; the status line answered, or how the connection ended."""
    try:
        reader, writer = await asyncio.open_connection(HOST, port)
    except OSError as error:
        return f"connect failed ({type(error).__name__})"
    try:
        writer.write(data)
        await writer.drain()
        if close_after:
            return "client left"
        if stall:
            await asyncio.sleep(stall)
        answer = await asyncio.wait_for(reader.read(65536), read_for)
        return answer or "closed"
    except (OSError, asyncio.TimeoutError) as error:
        return f"closed ({type(error).__name__})"
    finally:
        writer.close()


def status_of(answer: bytes | str) -> tuple[int | str, bytes, str]:
    if isinstance(answer, str):
        return answer, b"", ""
    head, _, body = answer.partition(b"\r\n\r\n")
    match = re.match(rb"HTTP/1\.[01] (\d{3})", head)
    return (int(match.group(1)) if match else "garbage"), body, head.decode("latin-1")


MALFORMED = [
    b"GET /__mockums/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGE\x00T / HTTP/1.1\r\n\r\n",
    b"FO@O / HTTP/1.1\r\nHost: x\r\n\r\n", b"GARBAGE\r\n\r\n", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
    b"GET / HTTP/1.1\r\nX: " + b"a" * 70_000 + b"\r\n\r\n", b"GET http://[::1 HTTP/1.1\r\nHost: x\r\n\r\n",
    b"POST /v1/netpay/query HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
    b"POST /v1/netpay/query HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
    b"POST /v1/netpay/query HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    b"GET / HTTP/9.9\r\nHost: x\r\n\r\n", b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n",
    b"GET / HTTP/1.1\r\n" + b"X-A: b\r\n" * 200 + b"\r\n", b"GET / HTTP/1.1\r\nBad Header\r\n\r\n",
]


def cut(rng: random.Random, index: int) -> tuple[bytes, dict[str, object]]:
    body = chinaums_client.go_json(chinaums_client.close_request(f"3194CUT{index}"))
    auth = chinaums_client.open_body_sig(APP_A[0], APP_A[1], body).encode()
    path = rng.choice([b"/v1/netpay/query", b"/__mockums/clock", b"/v1/token/access"])
    head = b"POST " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: " + auth
    kind = rng.choice(["chunked", "chunked-cut", "length-cut", "length-stall"])
    if kind == "chunked":
        chunks = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + 7]), body[i:i + 7]) for i in range(0, len(body), 7))
        return head + b"\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunks + b"0\r\n\r\n", {}
    if kind == "chunked-cut":
        return head + b"\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n" + body[:5], {"close_after": True}
    if kind == "length-cut":
        return head + b"\r\nContent-Length: %d\r\n\r\n" % len(body) + body[:9], {"close_after": True}
    return head + b"\r\nContent-Length: %d\r\n\r\n" % len(body) + body[:9], {"read_for": 60.0}


async def big(port: int, size: int, path: bytes, chunked: bool) -> bytes | str:
    """A body of `size` bytes, sent until the server answers or closes."""
    try:
        reader, writer = await asyncio.open_connection(HOST, port)
    except OSError as error:
        return f"connect failed ({type(error).__name__})"
    framing = b"Transfer-Encoding: chunked" if chunked else b"Content-Length: %d" % size
    writer.write(b"POST " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                 + framing + b"\r\n\r\n")
    block = b"7" * 65536
    try:
        sent = 0
        while sent < size and not reader.at_eof():
            writer.write(b"%x\r\n%s\r\n" % (len(block), block) if chunked else block)
            await asyncio.wait_for(writer.drain(), 10)
            sent += len(block)
            if reader._buffer:  # type: ignore[attr-defined]  # the answer came early: stop sending
                break
        return await asyncio.wait_for(reader.read(65536), 15) or "closed"
    except (OSError, asyncio.TimeoutError) as error:
        answer = bytes(reader._buffer)  # type: ignore[attr-defined]
        return answer or f"closed ({type(error).__name__})"
    finally:
        writer.close()


async def slow(port: int, seconds: float) -> float | None:
    """Trickle a header byte every 2 s; the seconds until the server closed, None if it never did."""
    started = time.monotonic()
    try:
        reader, writer = await asyncio.open_connection(HOST, port)
    except OSError:
        return 0.0
    writer.write(b"POST /v1/netpay/query HTTP/1.1\r\nHost: x\r\n")
    try:
        while time.monotonic() - started < seconds:
            try:
                if await asyncio.wait_for(reader.read(1), 2.0) == b"":
                    return time.monotonic() - started
            except asyncio.TimeoutError:
                writer.write(b"X")
                await writer.drain()
        return None
    except OSError:
        return time.monotonic() - started
    finally:
        writer.close()


async def raw_phase(port: int, tally: Tally, rng: random.Random, scale: float) -> dict[str, object]:
    semaphore = asyncio.Semaphore(64)

    async def one(category: str, data: bytes, layer: str | None, **options: object) -> None:
        async with semaphore:
            status, body, head = status_of(await raw(port, data, **options))  # type: ignore[arg-type]
            tally.answer(category, status, body, head, layer if isinstance(status, int) and status != 400 else None)

    jobs = [one("malformed", MALFORMED[i % len(MALFORMED)], None)
            for i in range(int(RAW_COUNTS["malformed"] * scale))]
    for index in range(int(RAW_COUNTS["cut"] * scale)):
        data, options = cut(rng, index)
        jobs.append(one("cut", data, None, **options))
    slow_watch = asyncio.gather(*(slow(port, 45.0) for _ in range(int(RAW_COUNTS["slow"] * scale))))
    await asyncio.gather(*jobs)
    for index in range(int(RAW_COUNTS["big"] * scale)):
        size = rng.randint(1, 30) * 1024 * 1024
        path = rng.choice([b"/v1/netpay/query", b"/__mockums/scenarios"])
        status, body, head = status_of(await big(port, size, path, chunked=index % 4 == 0))
        tally.answer("big", status, body, head, None)
        if isinstance(status, int) and "connection: close" not in head.lower():
            tally.bad_shape.append(f"big {status} without Connection: close")
    closed_after = await slow_watch
    for seconds in closed_after:
        tally.answer("slow", "closed by the server" if seconds is not None else "still open after 45 s")
    times = [s for s in closed_after if s is not None]
    return {"slow_open": sum(1 for s in closed_after if s is None), "slow_closed_max": max(times, default=0.0)}


RETURN_URLS = ["http://127.0.0.1:9/back?x=1", "https://127.0.0.1:9/back", "javascript:alert(document.domain)//",
               "JavaScript:alert(1)", "data:text/html,<script>alert(1)</script>", "//attacker.example/x",
               "http:/x", "vbscript:msgbox(1)", None]
CASHIER_BODIES: list[tuple[str | None, bytes]] = [
    ("application/x-www-form-urlencoded", b"action=pay"), ("application/x-www-form-urlencoded", b"action=cancel"),
    ("application/x-www-form-urlencoded", b"action=leave&wallet=WXPay"),
    ("application/x-www-form-urlencoded; charset=no-such-charset", b"action=pay"),
    ("application/x-www-form-urlencoded; charset=rot13", b"action=pay"),
    ("application/x-www-form-urlencoded; charset=utf-16", b"action=pay"),
    ("application/x-www-form-urlencoded; charset=gbk", b"action=leave&x=%D6%D0"),
    ("application/x-www-form-urlencoded", b"action=%FF%FE"), ("application/x-www-form-urlencoded", b"action=\xff\xfe"),
    ("multipart/form-data; boundary=b", b"--b\r\nContent-Disposition: form-data; name=action\r\n\r\npay\r\n--b--\r\n"),
    ("application/json", b'{"action": "pay"}'), ("text/plain", b"action=pay"), (None, b"action=pay"),
    ("application/x-www-form-urlencoded", "&".join(f"f{i}=1" for i in range(600)).encode()),
    ("application/x-www-form-urlencoded", b"action=" + b"p" * 200_000),
]


async def cashier_phase(url: str, port: int, tally: Tally, rng: random.Random, scale: float) -> dict[str, object]:
    """H5 cashier links, then the cashier's form posted to them in every way a page or a broken client might."""
    links: list[str] = []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        for index in range(max(1, int(40 * scale))):
            return_url = RETURN_URLS[index % len(RETURN_URLS)]
            content = {**base_request("/v1/netpay/trade/h5-pay", f"3194CASH{index:05d}"), "totalAmount": 1,
                       "instMid": "H5DEFAULT", "returnUrl": return_url}
            content.pop("expireTime", None)
            if return_url is None:
                content.pop("returnUrl")
            query = chinaums_client.open_form_param(APP_A[0], APP_A[1], json.dumps(content, ensure_ascii=False))
            async with session.get(f"{url}/v1/netpay/trade/h5-pay?{query}", allow_redirects=False) as response:
                await response.read()
                if response.status == 302:
                    links.append(response.headers["Location"])
        for _ in range(int(RAW_COUNTS["cashier"] * scale)):
            link = rng.choice(links)
            content_type, body = rng.choice(CASHIER_BODIES)
            headers = {"Content-Type": content_type} if content_type else {}
            try:
                async with session.post(link, data=body, headers=headers, allow_redirects=False,
                                        skip_auto_headers=["Content-Type"]) as response:
                    answer = await response.read()
                    judge_cashier(tally, response.status, answer, response.headers)
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                tally.answer("cashier", f"closed ({type(error).__name__})")
    # Bodies trickled to the cashier: each must be closed by mockums once idle_timeout has passed.
    target = links[0].split("://", 1)[1].split("/", 1)[1]
    head = (f"POST /{target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            "Content-Length: 100\r\n\r\naction=").encode()

    async def trickled() -> float | None:
        started = time.monotonic()
        answer = await raw(port, head, read_for=60.0)
        return None if answer == "closed (TimeoutError)" else time.monotonic() - started

    closed = await asyncio.gather(*(trickled() for _ in range(10)))
    for seconds in closed:
        tally.answer("cashier", "trickled: closed by the server" if seconds is not None else "trickled: open 60 s")
    return {"cashier_trickled_max": max((s for s in closed if s is not None), default=0.0),
            "cashier_links": len(links)}


def judge_cashier(tally: Tally, status: int, body: bytes, headers: Any) -> None:
    """A cashier answer: a page (HTML) or a 303 to an http(s) returnUrl, framing forbidden, never an error of ours."""
    tally.answer("cashier", status, body, json.dumps(dict(headers)))
    location = headers.get("Location")
    if location is not None and not location.lower().startswith(("http://", "https://")):
        tally.unsafe_redirects.append(location[:120])
    if "frame-ancestors 'none'" not in headers.get("Content-Security-Policy", ""):
        tally.bad_shape.append(f"cashier {status} without frame-ancestors 'none'")
    if status != 303 and not headers.get("Content-Type", "").startswith("text/html"):
        tally.bad_shape.append(f"cashier {status} {headers.get('Content-Type')} {body[:100]!r}")
    if b"INTERNAL_ERROR" in body:
        tally.bad_shape.append(f"cashier {status} INTERNAL_ERROR")


async def uploads_phase(url: str, tally: Tally, scale: float, pid: int) -> dict[str, object]:
    """Scenario uploads over the per-upload cap, then uploads under it until the runtime total is reached; the
    RSS they cost, the most the sandbox held."""
    step = "      - fields: {errCode: SUCCESS, errMsg: m%d}\n"

    def upload(name: str, size: int) -> bytes:
        text = f"scenarios:\n  - name: {name.lower()}\n    match: {{merOrderIdPrefix: '{name}X'}}\n    sequence:\n"
        lines = [text]
        total, steps = len(text), 0
        while total < size:
            lines.append(step % steps)
            total += len(lines[-1])
            steps += 1
        return "".join(lines).encode()

    before, most = rss_mb(pid), 0.0
    yaml = {"Content-Type": "application/yaml"}
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        for index in range(int(RAW_COUNTS["uploads"] * scale)):
            oversized = index % 3 == 0
            body = upload(f"UP{index}", 240 * 1024 if oversized else 120 * 1024)
            async with session.post(f"{url}{CONTROL_PREFIX}/scenarios", data=body, headers=yaml) as response:
                answer = await response.read()
                tally.answer("uploads", response.status, answer, "", "control")
                most = max(most, rss_mb(pid))
                if response.status == 413 and not oversized:  # the runtime total is reached: start again
                    async with session.post(f"{url}{CONTROL_PREFIX}/reset") as reset:
                        await reset.read()
    return {"uploads_rss_before": before, "uploads_rss_most": most}


# -- the server ----------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time the process has used (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100  # utime, stime in clock ticks (100 per second on Linux)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def start_server(folder: Path, store: str | None = None) -> tuple[subprocess.Popen[str], str, list[str]]:
    config = folder / "mockums.yaml"
    config.write_text(json.dumps({"apps": [{"appId": APP_A[0], "appKey": APP_A[1], "notifyKey": NOTIFY_A},
                                           {"appId": APP_B[0], "appKey": APP_B[1]}],
                                  "no_answer_hold": 2, "seed": 8}), encoding="utf-8")
    (folder / "scenarios").mkdir()
    (folder / "scenarios" / "hostile.yaml").write_text(SCENARIOS, encoding="utf-8")
    log = (folder / "server.log").open("w", encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "mockums", "serve", "--host", HOST, "--port", "0", "--config",
                                str(config), "--no-bundled", "--no-watch", "--scenarios", str(folder / "scenarios"),
                                *(["--store", store] if store else [])],
                               stdout=subprocess.PIPE, stderr=log, text=True)
    banner = []
    assert process.stdout is not None
    while line := process.stdout.readline():
        banner.append(line.rstrip())
        if line.startswith("  try:"):
            break
    found = re.search(r"http://127\.0\.0\.1:(\d+)", "\n".join(banner))
    assert found, banner
    keys = re.findall(r"notifyKey=(\w+)", "\n".join(banner))
    return process, found.group(0), keys


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every count (1.0: about 111,000 requests)")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--store", help="the store mockums keeps its state in (a loopback redis://127.0.0.1:PORT/DB)")
    args = parser.parse_args()
    if args.store and not re.match(r"redis://(127\.0\.0\.1|localhost)[:/]", args.store):
        parser.error("--store: only a Redis on this machine (redis://127.0.0.1:PORT/DB)")
    rng = random.Random(args.seed)
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        process, url, printed_keys = start_server(folder, args.store)
        try:
            port = int(url.rsplit(":", 1)[1])
            tally = Tally([APP_A[1], APP_B[1], NOTIFY_A, *printed_keys])
            time.sleep(1.0)
            rss_before = rss_mb(process.pid)
            bulk_seconds, raw_figures = asyncio.run(run_all(url, port, tally, rng, args, process.pid))
            rss_after = rss_mb(process.pid)
            server_cpu = cpu_seconds(process.pid)
            stop_started = time.monotonic()
            process.send_signal(signal.SIGTERM)
            code: int | None = process.wait(timeout=10)
            stop_seconds = time.monotonic() - stop_started
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        output = process.stdout.read() if process.stdout else ""
        log = (folder / "server.log").read_bytes().decode("utf-8", "replace")  # as written: no newline translation
    report(tally, log, output, started, bulk_seconds, raw_figures,
           {"rss_before": rss_before, "rss_after": rss_after, "cpu": server_cpu, "code": code, "stop": stop_seconds})


def report(tally: Tally, log: str, output: str, started: float, bulk_seconds: float, raw_figures: dict[str, Any],
           server: dict[str, Any]) -> None:
    """Print what the run counted."""
    rss_before, rss_after, server_cpu = server["rss_before"], server["rss_after"], server["cpu"]
    code, stop_seconds = server["code"], server["stop"]
    lines = log.splitlines()
    in_bulk = sum(count for key, count in tally.status.items() if key.split()[0] in COUNTS)
    print(f"sent {tally.sent} requests in {time.monotonic() - started:.0f} s "
          f"(bulk phase: {in_bulk} in {bulk_seconds:.0f} s, {in_bulk / bulk_seconds:.0f} req/s)")
    print("answers by category and status:")
    for key, count in sorted(tally.status.items()):
        print(f"  {key:<48} {count:>7}")
    print(f"tracebacks in the server log:          {log.count('Traceback')}")
    print(f"ERROR lines in the server log:          {sum(1 for line in lines if ' ERROR ' in line)}")
    print(f"log lines: {len(lines)}, the longest {max(map(len, lines), default=0)} characters")
    unstamped = [line for line in lines if not LOG_TIME.match(line)]
    raw_controls = [line for line in lines if any(c in line for c in "\x00\x1b\r\x9b\u2028")]
    print(f"log lines not starting with a time (forged or broken): {len(unstamped)}")
    for example in unstamped[:3]:
        print(f"    {example[:160]!r}")
    print(f"log lines holding a raw control character: {len(raw_controls)}")
    print(f"cross-site control calls accepted:      {len(tally.cross_site_accepted)}")
    for example in tally.cross_site_accepted[:3]:
        print(f"    {example}")
    print(f"cashier redirects to anything but http(s): {len(tally.unsafe_redirects)}")
    for example in tally.unsafe_redirects[:3]:
        print(f"    {example!r}")
    print(f"cashier: {raw_figures['cashier_links']} links; trickled bodies closed after at most "
          f"{raw_figures['cashier_trickled_max']:.0f} s")
    print(f"scenario uploads: RSS {raw_figures['uploads_rss_before']:.0f} MB before, at most "
          f"{raw_figures['uploads_rss_most']:.0f} MB")
    print(f"keys in answers or log lines (leaks):  {tally.leaks + sum(log.count(s) for s in tally.secrets)}")
    print(f"mockums' own 5xx answers:              {tally.own_5xx}")
    print(f"answers not in their layer's shape:    {len(tally.bad_shape)}")
    for example in tally.bad_shape[:5]:
        print(f"    {example}")
    print(f"slow-header connections still open after 45 s: {raw_figures['slow_open']} "
          f"(the last closed after {raw_figures['slow_closed_max']:.0f} s)")
    print(f"server RSS: {rss_before:.0f} MB before, {rss_after:.0f} MB after; server CPU {server_cpu:.0f} s")
    print(f"SIGTERM: exit {code} in {stop_seconds:.1f} s; said {output.strip().splitlines()[-1:]}")


async def run_all(url: str, port: int, tally: Tally, rng: random.Random, args: argparse.Namespace,
                  pid: int) -> tuple[float, dict[str, object]]:
    raw_figures = asyncio.create_task(raw_phase(port, tally, random.Random(args.seed + 1), args.scale))
    bulk_seconds = await bulk(url, tally, rng, args.scale, args.concurrency)
    figures = await raw_figures
    # After the bulk phase, which resets the sandbox now and then: the cashier's orders stay, uploads add up.
    figures |= await cashier_phase(url, port, tally, random.Random(args.seed + 2), args.scale)
    figures |= await uploads_phase(url, tally, args.scale, pid)
    return bulk_seconds, figures


if __name__ == "__main__":
    main()

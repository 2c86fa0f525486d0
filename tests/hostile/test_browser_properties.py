"""Generated hostile input on the surfaces a web page reaches: control calls as another site sends them
(a foreign Origin, Sec-Fetch-Site or Host, a body of a form's type) never change the sandbox; cashier forms of
any bytes, type and charset get an HTML page and never a redirect to anything but http(s); control characters
in what a log line quotes never break the line; oversized scenario uploads get 413; real ~1,000-deep
structures in signed requests get a bad body's answer."""

from __future__ import annotations

import itertools
import json
from urllib.parse import quote, urlsplit

import chinaums_client
from hostile_kit import Hostile, control_shape, gateway_or_business, hostile
from hypothesis import given
from hypothesis import strategies as st

from mockums.config import DEMO_APP
from mockums.limits import CONTROL_PREFIX
from mockums.lines import DEFAULT_REGISTRY
from mockums.server.control import ROUTES

__all__ = ["hostile"]  # the fixture, imported for the tests below

CHANGING = [route for route in ROUTES if route.method != "GET" and not route.path.endswith(("/pay", "/notify",
                                                                                            "/redeliver"))]
FOREIGN_HOSTS = st.sampled_from(["rebound.example", "rebound.example:8000", "127.0.0.1.nip.example", "[::1].example",
                                 "localhost.evil.example", "192.0.2.7", "x", "localhost:80@evil.example"])
ORIGINS = st.sampled_from(["http://attacker.example", "null", "http://127.0.0.1:1", "https://127.0.0.1",
                           "http://localhost.evil.example", "file://"])
FORM_TYPES = st.sampled_from(["text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded",
                              "multipart/form-data; boundary=x", "TEXT/PLAIN", None])
CONTROL_TEXT = st.text(alphabet=st.sampled_from(["\n", "\r", "\x1b", "\x00", "\x9b", "\u2028", "\t", "a", "中", "["]),
                       min_size=1, max_size=40)
FORGED = "\n2026-12-01T10:00:00.000+08:00 INFO mockums.http: POST /v1/netpay/refund -> 200 SUCCESS"
FREEZE = b'{"freeze": true, "set": "2030-01-01 00:00:00"}'
ORDERS = itertools.count()  # a new order for each example


def clock_now(hostile: Hostile) -> float:
    exchange = hostile.send("GET", CONTROL_PREFIX + "/clock")
    assert exchange.status == 200, exchange.text
    return float(json.loads(exchange.body)["now"])


@st.composite
def cross_site_calls(draw: st.DrawFn) -> tuple[str, str, bytes, dict[str, str]]:
    route = draw(st.sampled_from(CHANGING))
    target = CONTROL_PREFIX + route.path.replace("{name}", "x").replace("{mid}", "898201612345678").replace(
        "{merOrderId}", "X").replace("{notifyId}", "n").replace("{id}", "1")
    body = draw(st.sampled_from([b'{"advance": 86400}', b'{"seed": 1}', b"", b"scenarios: []",
                                 b'{"set": "2099-01-01 00:00:00"}']))
    headers: dict[str, str] = {"Content-Type": "application/json"}
    kinds = draw(st.sets(st.sampled_from(["origin", "fetch", "host", "type"]), min_size=1))
    if "origin" in kinds:
        headers["Origin"] = draw(ORIGINS)
    if "fetch" in kinds:
        headers["Sec-Fetch-Site"] = draw(st.sampled_from(["cross-site", "same-site"]))
    if "host" in kinds:
        headers["Host"] = draw(FOREIGN_HOSTS)
    if "type" in kinds:
        body = body or b'{"advance": 86400}'
        content_type = draw(FORM_TYPES)
        if content_type is None:
            del headers["Content-Type"]
        else:
            headers["Content-Type"] = content_type
    return route.method, target, body, headers


@given(call=cross_site_calls())
def test_no_cross_site_call_changes_the_sandbox(hostile: Hostile, call: tuple[str, str, bytes, dict[str, str]]) -> None:
    method, target, body, headers = call
    assert hostile.send("POST", CONTROL_PREFIX + "/clock", FREEZE, {"Content-Type": "application/json"}).status == 200
    before = clock_now(hostile)
    start = len(hostile.sink.records)
    exchange = hostile.send(method, target, body, headers)
    control_shape(exchange)
    assert exchange.status in (403, 415), (exchange.status, exchange.text[:300])
    assert clock_now(hostile) == before
    hostile.check_logs(start)


@given(host=FOREIGN_HOSTS, path=st.sampled_from(["/health", "/journal", "/", "/openapi.json", "/clock"]))
def test_a_foreign_host_reads_nothing(hostile: Hostile, host: str, path: str) -> None:
    exchange = hostile.send("GET", CONTROL_PREFIX + path, headers={"Host": host})
    assert exchange.status == 403 and "Host" in json.loads(exchange.body)["error"]


def cashier_link(hostile: Hostile, order_id: str, return_url: str | None) -> str:
    content = chinaums_client.h5_content(order_id, **({"returnUrl": return_url} if return_url else {}))
    query = chinaums_client.open_form_param(DEMO_APP.app_id, DEMO_APP.app_key, json.dumps(content, ensure_ascii=False))
    exchange = hostile.send("GET", f"/v1/netpay/trade/h5-pay?{query}")
    assert exchange.status == 302, exchange.text[:300]
    location = dict(exchange.headers)["Location"]
    parts = urlsplit(location)
    return f"{parts.path}?{parts.query}"


@given(body=st.one_of(st.binary(max_size=300), st.sampled_from([b"action=pay", b"action=cancel", b"action=leave"]),
                      st.text(max_size=50).map(lambda text: ("action=pay&x=" + quote(text)).encode())),
       content_type=st.one_of(st.none(), st.sampled_from([
           "application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=utf-8",
           "application/x-www-form-urlencoded; charset=gbk", "application/x-www-form-urlencoded; charset=nope",
           "application/x-www-form-urlencoded; charset=rot13", "application/x-www-form-urlencoded; charset=utf-16",
           "multipart/form-data; boundary=b", "application/json", "text/plain"])),
       return_url=st.sampled_from(["http://127.0.0.1:9/back", "javascript:alert(1)//", "data:text/html,x",
                                   "//attacker.example/x", None]))
def test_a_cashier_form_of_any_bytes_gets_a_page(hostile: Hostile, body: bytes, content_type: str | None,
                                                return_url: str | None) -> None:
    link = cashier_link(hostile, f"3194HCASH{next(ORDERS):09d}", return_url)
    start = len(hostile.sink.records)
    exchange = hostile.send("POST", link, body, {"Content-Type": content_type} if content_type else {})
    headers = {name.lower(): value for name, value in exchange.headers}
    assert exchange.status < 500 and b"INTERNAL_ERROR" not in exchange.body, exchange.text[:300]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    if exchange.status == 303:
        assert headers["location"].startswith("http://127.0.0.1:9/back"), headers["location"]
    else:
        assert "location" not in headers and headers["content-type"].startswith("text/html")
    hostile.check_logs(start)


@given(order_id=CONTROL_TEXT.map(lambda text: "3194LOG" + text + FORGED),
       path_tail=CONTROL_TEXT, notify=CONTROL_TEXT)
def test_control_characters_never_break_a_log_line(hostile: Hostile, order_id: str, path_tail: str,
                                                   notify: str) -> None:
    start = len(hostile.sink.records)
    body = json.dumps(chinaums_client.close_request(order_id, notifyUrl=f"http://127.0.0.1:9/{notify}",
                                                    totalAmount=1), ensure_ascii=False).encode()
    header = chinaums_client.open_body_sig(DEMO_APP.app_id, DEMO_APP.app_key, body)
    gateway_or_business(hostile.send("POST", "/v1/netpay/wx/app-pre-order", body,
                                     {"Authorization": header, "Content-Type": "application/json"}))
    hostile.send("POST", "/v1/netpay/" + quote(path_tail + FORGED, safe=""), b"{}", {"Content-Type": "application/json"})
    assert len(hostile.sink.since(start)) >= 2
    hostile.check_logs(start)


@given(size=st.sampled_from([16 * 1024 + 1, 20_000, 60_000]), kind=st.sampled_from(["yaml", "json"]))
def test_an_oversized_scenario_upload_gets_413(hostile: Hostile, size: int, kind: str) -> None:
    if kind == "yaml":
        body = ("scenarios:\n  - {name: big, match: {merOrderIdPrefix: BIGX}, respond: {fields: {errMsg: '"
                + "m" * size + "'}}}\n").encode()
        content_type = "application/yaml"
    else:
        body = json.dumps({"name": "big", "match": {"merOrderIdPrefix": "BIGX"},
                           "respond": {"fields": {"errMsg": "m" * size}}}).encode()
        content_type = "application/json"
    exchange = hostile.send("POST", CONTROL_PREFIX + "/scenarios", body, {"Content-Type": content_type})
    assert exchange.status == 413 and "max_scenario_upload_bytes" in json.loads(exchange.body)["error"]


@given(path=st.sampled_from(sorted(DEFAULT_REGISTRY.endpoints)),
       levels=st.sampled_from([101, 500, 999, 1000, 1010]), arrays=st.booleans(),
       field=st.sampled_from(["srcReserve", "orderDesc", "merOrderId", "x"]))
def test_a_real_deep_structure_is_a_bad_body(hostile: Hostile, path: str, levels: int, arrays: bool,
                                             field: str) -> None:
    deep = "[" * levels + "]" * levels if arrays else '{"a":' * levels + "1" + "}" * levels
    request = {**chinaums_client.close_request("3194HDEEP1"), field: "DEEP-VALUE"}
    text = json.dumps(request, ensure_ascii=False).replace('"DEEP-VALUE"', deep)
    start = len(hostile.sink.records)
    if DEFAULT_REGISTRY.endpoints[path].method == "GET":
        query = chinaums_client.open_form_param(DEMO_APP.app_id, DEMO_APP.app_key, text)
        exchange = hostile.send("GET", f"{path}?{query}")
    else:
        body = text.encode()
        header = chinaums_client.open_body_sig(DEMO_APP.app_id, DEMO_APP.app_key, body)
        exchange = hostile.send("POST", path, body, {"Authorization": header, "Content-Type": "application/json"})
    answer = gateway_or_business(exchange)
    vocabulary = DEFAULT_REGISTRY.line_of[path].vocabulary  # BAD_REQUEST in errMsg; POS link: 9001 in errInfo
    assert answer["errCode"] == vocabulary.situations["bad_request"].err_code, exchange.text[:300]
    assert "nested too deeply" in str(answer[vocabulary.message_field]), exchange.text[:300]
    hostile.check_logs(start)

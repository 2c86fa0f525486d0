"""Generated hostile input on the /v1 side: Authorization headers, bodies and content types, correctly
signed requests with hostile field values on every endpoint, token requests. Every answer is in its
layer's shape (gateway `errCode`/`errInfo` or business `errCode`/`errMsg`), nothing is logged with a
traceback or unclipped, and no key appears anywhere."""

from __future__ import annotations

import json
from typing import Any

import chinaums_client
import pytest
from hostile_kit import DEEP_TEXT, HOSTILE_VALUES, JSON_VALUES, Hostile, gateway_or_business, hostile
from hypothesis import given, settings
from hypothesis import strategies as st

from mockums.config import DEMO_APP
from mockums.limits import TOKEN_PATH
from mockums.lines import DEFAULT_REGISTRY

ENDPOINTS = DEFAULT_REGISTRY.endpoints

__all__ = ["hostile"]  # the fixture, imported for the tests below

PATHS = sorted(ENDPOINTS)
HEADER_TEXT = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"),
                      max_size=300)
KEYS = st.sampled_from(["AppId", "appid", "Timestamp", "Nonce", "Signature", "AccessToken", "", "X", "AppId "])
QUOTED = st.one_of(HEADER_TEXT, HEADER_TEXT.map(lambda text: f'"{text}"'), st.just('"'), st.just('""'))


@st.composite
def authorization(draw: st.DrawFn) -> str:
    """Headers that look more or less like the two schemes, or like nothing at all."""
    scheme = draw(st.sampled_from(["OPEN-BODY-SIG", "OPEN-ACCESS-TOKEN", "open-body-sig", "Bearer", "", "OPEN-BODY-SIG,"]))
    pairs = draw(st.lists(st.tuples(KEYS, st.sampled_from(["=", "", "==", " = "]), QUOTED), max_size=6))
    separator = draw(st.sampled_from([", ", ",", " ", ";", ",,"]))
    body = separator.join(f"{key}{equals}{value}" for key, equals, value in pairs)
    return draw(st.one_of(st.just(f"{scheme} {body}"), HEADER_TEXT, st.just(scheme + " " + "A" * 5000)))


@st.composite
def bodies(draw: st.DrawFn) -> bytes:
    """Anything a client might put in a body: bytes, JSON of any shape, the SDKs' data wrapper, deep text."""
    return draw(st.one_of(
        st.binary(max_size=500),
        JSON_VALUES.map(lambda value: json.dumps(value).encode()),
        HOSTILE_VALUES.map(lambda value: json.dumps({"data": value}).encode()),
        DEEP_TEXT.map(lambda text: text.replace("[", "{").encode()),
        st.dictionaries(st.text(max_size=12), HOSTILE_VALUES, max_size=5).map(lambda d: json.dumps(d).encode()),
    ))


@given(header=authorization(), path=st.sampled_from([*PATHS, TOKEN_PATH]))
def test_any_authorization_header_gets_a_gateway_answer(hostile: Hostile, header: str, path: str) -> None:
    start = len(hostile.sink.records)
    body = chinaums_client.go_json(chinaums_client.close_request("3194HOSTILE01"))
    exchange = hostile.send("POST", path, body, {"Authorization": header, "Content-Type": "application/json"})
    gateway_or_business(exchange)
    hostile.check_logs(start)


@given(body=bodies(), path=st.sampled_from([*PATHS, TOKEN_PATH, "/v1/nowhere"]), signed=st.booleans(),
       content_type=st.sampled_from(["application/json", "text/plain", "application/x-www-form-urlencoded", "",
                                     "application/json; charset=gbk", "multipart/form-data; boundary=x"]))
def test_any_body_gets_an_answer_in_its_layer(hostile: Hostile, body: bytes, path: str, signed: bool,
                                              content_type: str) -> None:
    start = len(hostile.sink.records)
    headers = {"Content-Type": content_type} if content_type else {}
    if signed:
        headers["Authorization"] = chinaums_client.open_body_sig(DEMO_APP.app_id, DEMO_APP.app_key, body)
    gateway_or_business(hostile.send("POST", path, body, headers))
    hostile.check_logs(start)


def base_request(path: str, order_id: str) -> dict[str, Any]:
    """A valid request for `path`: every field of its table at its example value."""
    fields: dict[str, Any] = {rule.name: rule.example for rule in ENDPOINTS[path].request if rule.example}
    fields.update(chinaums_client.close_request(order_id))
    for amount in ("totalAmount", "refundAmount"):
        if amount in fields:
            fields[amount] = 1
    fields.pop("notifyUrl", None)  # nothing leaves this machine, even if a property test pays an order
    return fields


@pytest.mark.parametrize("path", PATHS)
@settings(max_examples=max(12, settings.default.max_examples // 5))  # each endpoint, every time
@given(order_id=st.one_of(st.sampled_from(["3194ECHO0001", "3194BODY0001", "3194SEQ0001", "3194PLAIN001"]),
                          HOSTILE_VALUES),
       changes=st.dictionaries(st.sampled_from(sorted({rule.name for spec in ENDPOINTS.values()
                                                       for rule in spec.request} | {"data", "x", ""})),
                               HOSTILE_VALUES, max_size=4),
       wrapped=st.booleans(), php=st.booleans())
def test_signed_requests_with_hostile_values_get_business_answers(hostile: Hostile, path: str, order_id: object,
                                                                  changes: dict[str, object], wrapped: bool,
                                                                  php: bool) -> None:
    start = len(hostile.sink.records)
    fields = {**base_request(path, "3194HOSTILE02"), "merOrderId": order_id, **changes}
    if "notifyUrl" in changes:
        fields["notifyUrl"] = "http://127.0.0.1:9/notify"  # hostile, but never somewhere else
    document = {"data": fields} if wrapped else fields
    try:
        body = chinaums_client.php_json(document) if php else chinaums_client.go_json(document)
    except ValueError:  # a float Python's json will not write (nan is allowed): skip the case
        return
    if len(body) > 64 * 1024:
        body = body[: 64 * 1024]  # within the limit: the truncated text is itself a hostile body
    header = chinaums_client.open_body_sig(DEMO_APP.app_id, DEMO_APP.app_key, body)
    gateway_or_business(hostile.send("POST", path, body, {"Authorization": header,
                                                          "Content-Type": "application/json"}))
    hostile.check_logs(start)


TOKEN_KEYS = ("appId", "timestamp", "nonce", "signature", "signMethod")


@given(changes=st.dictionaries(st.sampled_from(TOKEN_KEYS), HOSTILE_VALUES, max_size=3), drop=st.sets(
    st.sampled_from(TOKEN_KEYS), max_size=2), upper=st.booleans())
def test_token_requests_with_hostile_values_get_gateway_answers(hostile: Hostile, changes: dict[str, object],
                                                                drop: set[str], upper: bool) -> None:
    start = len(hostile.sink.records)
    fields: dict[str, object] = {**chinaums_client.token_request(DEMO_APP.app_id, DEMO_APP.app_key), **changes}
    for key in drop:
        fields.pop(key, None)
    try:
        body = json.dumps(fields).encode()
    except ValueError:
        return
    answer = gateway_or_business(hostile.send("POST", TOKEN_PATH, body, {"Content-Type": "application/json"}))
    if answer["errCode"] == "0000":
        token = str(answer["accessToken"])
        token = token.upper() if upper else token
        use = chinaums_client.go_json(chinaums_client.close_request("3194HOSTILE03"))
        gateway_or_business(hostile.send("POST", "/v1/netpay/close", use, {
            "Authorization": f"OPEN-ACCESS-TOKEN AccessToken={token}", "Content-Type": "application/json"}))
    hostile.check_logs(start)


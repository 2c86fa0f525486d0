"""A signed request holding a value nested about 1,000 levels deep (objects or arrays, in an echoed field or
inside a `data` wrapper) gets the JSON answer for a bad body on every endpoint, H5 GETs included, and is
journaled; never an INTERNAL_ERROR or a traceback."""

from __future__ import annotations

import json
import logging

import chinaums_client
import pytest
from conftest import Caller
from lifecycle_helpers import journal

from mockums.core.answering import too_deep
from mockums.limits import MAX_JSON_DEPTH, TOKEN_PATH
from mockums.lines import DEFAULT_REGISTRY

ENDPOINTS = sorted(DEFAULT_REGISTRY.endpoints.items())
DEPTHS = {"objects": ('{"a":' * 1000 + "1" + "}" * 1000), "arrays": "[" * 1000 + "]" * 1000,
          "just over": '{"a":' * MAX_JSON_DEPTH + "1" + "}" * MAX_JSON_DEPTH}


def with_deep(fields: dict[str, object], deep: str) -> str:
    """The request as JSON text, its `srcReserve` replaced by the deep value (no encoder could write it)."""
    return json.dumps({**fields, "srcReserve": "DEEP"}, ensure_ascii=False).replace('"DEEP"', deep)


def bad_body(path: str, answer: dict[str, object]) -> bool:
    """Whether `answer` is the bad-body answer of the line `path` belongs to (BAD_REQUEST in errMsg on the netpay
    family, 9001 in errInfo on POS link)."""
    vocabulary = DEFAULT_REGISTRY.line_of[path].vocabulary
    return (answer["errCode"] == vocabulary.situations["bad_request"].err_code
            and "nested too deeply" in str(answer[vocabulary.message_field]))


def no_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR], caplog.text[:2000]


@pytest.mark.parametrize("shape", sorted(DEPTHS))
@pytest.mark.parametrize(("path", "method"), [(path, spec.method) for path, spec in ENDPOINTS])
async def test_a_deep_value_is_a_bad_body_on_every_endpoint(caller: Caller, caplog: pytest.LogCaptureFixture,
                                                           path: str, method: str, shape: str) -> None:
    caplog.set_level(logging.INFO)
    order_id = f"3194DEEP{[p for p, _ in ENDPOINTS].index(path):02d}{shape[0].upper()}"
    if method == "GET":
        answer = await caller.form(path, with_deep(chinaums_client.h5_content(order_id), DEPTHS[shape]))
    else:
        request = {**chinaums_client.close_request(order_id), DEFAULT_REGISTRY.endpoints[path].order_field: order_id}
        answer = await caller.signed(path, with_deep(request, DEPTHS[shape]).encode())
    assert answer.status == 200, answer.text[:300]
    assert bad_body(path, answer.json), answer.text[:300]
    [entry] = await journal(caller, merOrderId=order_id)
    assert (entry["endpoint"], entry["errCode"], entry["auth"]["verdict"]) == (path, answer.json["errCode"], "ok")
    no_tracebacks(caplog)


async def test_one_level_less_is_read_as_usual(caller: Caller) -> None:
    shallow = '{"a":' * (MAX_JSON_DEPTH - 1) + "1" + "}" * (MAX_JSON_DEPTH - 1)
    answer = await caller.signed("/v1/netpay/query", with_deep(chinaums_client.close_request("3194DEEPOK1"),
                                                                  shallow).encode())
    assert "nested too deeply" not in answer.text and "srcReserve" in answer.json["errMsg"]  # a string, it says


async def test_deep_json_inside_a_data_string_and_a_token_request(caller: Caller,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    inner = with_deep(chinaums_client.close_request("3194DEEPDATA"), DEPTHS["just over"])
    answer = await caller.signed("/v1/netpay/query", json.dumps({"data": inner}).encode())
    assert answer.json["errCode"] == "BAD_REQUEST" and "nested too deeply" in answer.json["errMsg"]
    token = await caller.raw(TOKEN_PATH, ('{"appId": ' + DEPTHS["objects"] + "}").encode(), None)
    assert token.status < 500 and "nested too deeply" in token.text
    no_tracebacks(caplog)


async def test_a_deep_control_body_is_a_400(caller: Caller) -> None:
    async with caller.client.post("/__mockums/send", data='{"fields": ' + DEPTHS["just over"] + "}",
                                  headers={"Content-Type": "application/json"}) as response:
        assert response.status == 400 and "nested more than" in (await response.json())["error"]


def test_depth_is_counted_in_objects_and_arrays_alike() -> None:
    value: object = 1
    for level in range(MAX_JSON_DEPTH):
        value = {"a": value} if level % 2 else [value]
    assert not too_deep(value) and too_deep([value]) and too_deep({"x": 1, "y": [0, value]})


POSTS = [path for path, spec in ENDPOINTS if spec.method == "POST"]


@pytest.mark.parametrize("field", ["merOrderId", "billNo", "merchantOrderId"])
@pytest.mark.parametrize("path", POSTS)
async def test_a_deep_id_is_a_bad_body_too(caller: Caller, caplog: pytest.LogCaptureFixture, path: str,
                                           field: str) -> None:
    """The id a request is filed under (merOrderId; billNo on the bills paths, then merOrderId; merchantOrderId on
    POS link) holding the deep
    value: the bills line once turned it into text to find the bill, and the repr of ~1,000 levels raised
    RecursionError (INTERNAL_ERROR on bills/get-qrcode, query, refund, preauthed, preauthed-cancel, preauth-cancel)."""
    caplog.set_level(logging.INFO)
    fields = {**chinaums_client.close_request("3194DEEPID01"), field: "DEEP"}
    answer = await caller.signed(path, json.dumps(fields).replace('"DEEP"', DEPTHS["objects"]).encode())
    assert answer.status == 200, answer.text[:300]
    assert bad_body(path, answer.json), answer.text[:300]
    no_tracebacks(caplog)

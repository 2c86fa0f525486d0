"""Combinations published clients send that the endpoint tables do not list: lenient mode accepts
exactly those in protocol/deviations.py, with a warning (header and log); strict mode keeps to the tables."""

from __future__ import annotations

import logging

import pytest
from conftest import Caller, MakeCaller
from lifecycle_helpers import MINI_ORDER

from mockums.config import Strictness
from mockums.lines import DEFAULT_REGISTRY
from mockums.lines.netpay.deviations import NETPAY_DEVIATIONS as DEVIATIONS
from mockums.protocol.deviations import LEFT_OUT

ENDPOINTS = DEFAULT_REGISTRY.endpoints

MINI = {"totalAmount": 360, "subAppId": "wx0123456789abcdef", "subOpenId": "o1a2b3c4d5e6f7g8h9"}


def test_every_deviation_names_a_value_its_table_refuses() -> None:
    """A value the field's choices leave out, or (LEFT_OUT) a field its table requires."""
    for deviation in DEVIATIONS:
        rule = ENDPOINTS[deviation.path].rule(deviation.name)
        assert rule is not None
        if deviation.value == LEFT_OUT:
            assert rule.required, deviation
        else:
            assert rule.choices and deviation.value not in rule.choices
        for other, value in deviation.requires.items():
            required = ENDPOINTS[deviation.path].rule(other)
            assert required is not None and value in required.choices  # the rest of the combination is listed


@pytest.mark.parametrize(("fields", "described"), [
    ({"instMid": "APPDEFAULT", "tradeType": "MINI"}, "instMid APPDEFAULT"),
    ({"instMid": "YUEDANDEFAULT", "tradeType": "JSAPI"}, "tradeType JSAPI with instMid YUEDANDEFAULT"),
])
async def test_lenient_mode_accepts_the_listed_combinations_with_a_warning(
        caller: Caller, caplog: pytest.LogCaptureFixture, fields: dict[str, str], described: str) -> None:
    caplog.set_level(logging.WARNING, logger="mockums")
    answer = await caller.call(MINI_ORDER, "3194202611260900", **MINI, **fields)
    body = answer.json
    assert (body["errCode"], body["status"], body["instMid"]) == ("SUCCESS", "WAIT_BUYER_PAY", fields["instMid"])
    assert set(body["miniPayRequest"]) == {"appId", "timeStamp", "nonceStr", "package", "signType", "paySign"}
    warning = answer.headers["X-Mockums-Warning"]
    assert warning.startswith(f"{described} is not in the table of /v1/netpay/wx/unified-order (")
    assert warning.endswith("accepted because published clients send it, but the gateway may refuse it "
                            "(strict mode does)")
    assert any(warning in record.getMessage() for record in caplog.records)  # on the request's log line


async def test_a_combination_not_listed_is_still_refused(caller: Caller) -> None:
    body = (await caller.call(MINI_ORDER, "3194202611260901", **MINI, instMid="MINIDEFAULT", tradeType="JSAPI")).json
    assert (body["errCode"], body["errMsg"]) == (
        "BAD_REQUEST", "请求报文有错: tradeType: 'JSAPI' is not one of MINI (rule: required, one of MINI)")
    other = (await caller.call(MINI_ORDER, "3194202611260902", **MINI, instMid="H5DEFAULT", tradeType="MINI")).json
    assert other["errCode"] == "BAD_REQUEST"


@pytest.mark.parametrize("fields", [{"instMid": "APPDEFAULT", "tradeType": "MINI"},
                                    {"instMid": "YUEDANDEFAULT", "tradeType": "JSAPI"}])
async def test_strict_mode_keeps_to_the_tables(make_caller: MakeCaller, fields: dict[str, str]) -> None:
    caller = await make_caller(strict=Strictness(request=True))
    answer = await caller.call(MINI_ORDER, "3194202611260903", **MINI, **fields)
    assert answer.json["errCode"] == "BAD_REQUEST"
    assert "is not one of" in answer.json["errMsg"]
    assert caller.sandbox.orders() == []

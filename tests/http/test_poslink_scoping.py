"""Scenarios and POS link over HTTP: a line's bundled scenarios speak only for its own endpoints, and a scenario's
answer fields must be in the words of the line it answers for (netpay's errCode SUCCESS is no POS-link answer)."""

from __future__ import annotations

import json

from conftest import Caller
from lifecycle_helpers import control
from pos_client import V2, call, pay, pay_body


async def test_netpay_stories_leave_pos_link_alone(caller: Caller) -> None:
    answer = await caller.signed(f"{V2}/pay", json.dumps(pay_body("MKSUCCESSPOS1")).encode())
    assert "X-Mockums-Scenario" not in answer.headers
    assert (answer.json["errCode"], answer.json["errInfo"]) == ("00", "10000成功响应码")
    # MKPAID… speaks for netpay orders only: a POS query of one never paid finds nothing
    missing = await call(caller, "query", merchantOrderId="MKPAIDPOS1")
    assert missing == {"errCode": "25", "errInfo": "找不到原始交易", "merchantOrderId": "MKPAIDPOS1"}
    # … while netpay still hears them
    netpay = await caller.close("MKSUCCESSPOS2")
    assert (netpay.json["errCode"], netpay.headers["X-Mockums-Scenario"]) == ("SUCCESS", "success")


async def test_a_scenario_naming_pos_endpoints_with_netpay_words_is_refused(caller: Caller) -> None:
    status, body = await control(caller, "POST", "/scenarios", json={
        "name": "pos-in-netpay-words", "match": {"merOrderIdPrefix": "WORDS", "endpoint": f"{V2}/pay"},
        "respond": {"fields": {"errCode": "SUCCESS"}}})
    assert (status, body["error"]) == (400, "the scenarios do not validate; nothing was added")
    assert body["errors"] == [
        "<control API>: scenarios[0].respond.fields.errCode: errCode 'SUCCESS' is not a errCode of poslink (an endpoint this "
        "scenario names is poslink's); it is netpay's. Name only netpay's endpoints, or use poslink's values"]


async def test_a_scenario_naming_no_endpoint_answers_only_where_its_words_mean_something(caller: Caller) -> None:
    status, _ = await control(caller, "POST", "/scenarios", json={
        "name": "all-success", "match": {"merOrderIdPrefix": "ALLOK"}, "respond": {"fields": {"errCode": "SUCCESS"}}})
    assert status == 201
    paid = await pay(caller, "ALLOK0001")
    assert (paid["errCode"], paid["errInfo"]) == ("00", "10000成功响应码")
    netpay = await caller.close("ALLOK0002")
    assert (netpay.json["errCode"], netpay.headers["X-Mockums-Scenario"]) == ("SUCCESS", "all-success")
    status, body = await control(caller, "POST", "/scenarios", json={
        "name": "both-words", "match": {"merOrderIdPrefix": "BOTH"},
        "sequence": [{"fields": {"errCode": "SUCCESS"}}, {"fields": {"errCode": "97"}}]})
    assert (status, body["errors"]) == (400, [
        "<control API>: scenarios[0]: its answer fields are in the words of different product lines (errCode "
        "'SUCCESS' is netpay's, not poslink's; errCode '97' is poslink's, not netpay's), so no endpoint could answer "
        "them: split it in two"])

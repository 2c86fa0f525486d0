"""The facade calls the dashboard needs, without HTTP: journal rows and filters, one entry, the seed, the
endpoint list, and requests mockums signs itself (valid for every endpoint, signed with the order's app)."""

from __future__ import annotations

import hashlib
import json

import chinaums_client
import pytest
from conftest import sandbox_for

from mockums.auth import signing
from mockums.auth.header import BodySigHeader, parse_authorization
from mockums.config import DEMO_APP, App, Settings
from mockums.core import Invalid, NotFound, Sandbox
from mockums.core.samples import SAMPLE_MID, sample_body
from mockums.lines import DEFAULT_REGISTRY

ENDPOINTS = DEFAULT_REGISTRY.endpoints

CLOSE, ORDER = "/v1/netpay/wx/app-pre-close", "/v1/netpay/wx/app-pre-order"
OTHER = App("mockums0other0app0000000000000003", "other-app-key-for-tests-only", "other")


@pytest.fixture
def sandbox() -> Sandbox:
    return sandbox_for(Settings(seed=3, apps=(DEMO_APP, OTHER)))


def send(sandbox: Sandbox, path: str, order_id: str, key: str = DEMO_APP.app_key, app: App = DEMO_APP,
         **fields: object) -> None:
    body = chinaums_client.go_json(chinaums_client.close_request(order_id, **fields))
    sandbox.handle_api(path, chinaums_client.open_body_sig(app.app_id, key, body), body)


def test_summary_rows_carry_what_a_list_shows_and_nothing_costly(sandbox: Sandbox) -> None:
    send(sandbox, CLOSE, "MKPAID0001")
    send(sandbox, CLOSE, "3194DASH0001", key="wrong-key")
    rows = sandbox.journal(summary=True)
    assert [(r["merOrderId"], r["verdict"], r["scenario"], r["status"], r["errCode"]) for r in rows] == [
        ("MKPAID0001", "ok", "already-paid", 200, "TARGET_FAIL"),
        ("3194DASH0001", "bad_signature", None, 401, "1006"),
    ]
    assert set(rows[0]) == {"id", "time", "method", "endpoint", "merOrderId", "verdict", "scenario", "status",
                            "errCode", "fault", "durationMs", "replica"}
    assert all(row["durationMs"] == round(row["durationMs"], 1) for row in rows)  # kept exact, shown to 0.1 ms


def test_journal_filters_by_verdict_and_scenario(sandbox: Sandbox) -> None:
    send(sandbox, CLOSE, "MKPAID0001")
    send(sandbox, CLOSE, "3194DASH0002", key="wrong-key")
    send(sandbox, CLOSE, "3194DASH0003")
    ids = lambda **f: [r["merOrderId"] for r in sandbox.journal(summary=True, **f)]  # noqa: E731
    assert ids(verdict="ok") == ["MKPAID0001", "3194DASH0003"]
    assert ids(verdict="refused") == ids(verdict="bad_signature") == ["3194DASH0002"]
    assert ids(verdict="unknown_app") == []
    assert ids(scenario="already-paid") == ["MKPAID0001"]
    assert ids(scenario="not-a-scenario") == []


def test_one_entry_by_id_until_it_is_gone(sandbox: Sandbox) -> None:
    for n in range(3):
        send(sandbox, CLOSE, f"3194DASH01{n}")
    first, second, third = (row["id"] for row in sandbox.journal(summary=True))
    assert sandbox.journal_head() == third
    assert sandbox.journal_entry(second)["merOrderId"] == "3194DASH011"
    sandbox.forget_order(SAMPLE_MID, "3194DASH010")  # ids are no longer consecutive: the lookup still finds them
    assert sandbox.journal_entry(third)["merOrderId"] == "3194DASH012"
    with pytest.raises(NotFound, match=f"no journal entry {first} is kept"):
        sandbox.journal_entry(first)
    sandbox.clear_journal()
    with pytest.raises(NotFound):
        sandbox.journal_entry(third)
    assert sandbox.journal_head() == third  # ids keep counting across a clear


def test_seed_and_endpoints(sandbox: Sandbox) -> None:
    assert sandbox.seed() == {"seed": 3}
    sandbox.set_seed(11)
    assert sandbox.seed() == {"seed": 11}
    assert [e["path"] for e in sandbox.endpoints()] == list(ENDPOINTS)
    assert sandbox.endpoints()[0] == {"path": ORDER, "title": ENDPOINTS[ORDER].title, "action": "create",
                                      "channel": "WXPay", "method": "POST", "line": "netpay", "success": "SUCCESS"}


def test_an_h5_path_has_no_signed_sample() -> None:
    with pytest.raises(Invalid, match="takes a browser GET"):
        sandbox_for(Settings(seed=3)).signed_request("/v1/netpay/trade/h5-pay", "3194SAMPLE0002")


@pytest.mark.parametrize("endpoint", [path for path, spec in ENDPOINTS.items() if spec.method == "POST"])
def test_every_sample_request_is_valid_and_correctly_signed(endpoint: str) -> None:
    sandbox = sandbox_for(Settings(seed=3))
    signed = sandbox.signed_request(endpoint, "3194SAMPLE0001")
    header = parse_authorization(signed.authorization)
    assert isinstance(header, BodySigHeader) and not header.deviations  # the canonical header form
    assert header.signature == signing.body_signature(DEMO_APP.app_key, DEMO_APP.app_id, header.timestamp,
                                                      header.nonce, signed.body)
    reply = sandbox.handle_api(endpoint, signed.authorization, signed.body)
    [entry] = sandbox.journal()
    assert entry["auth"]["verdict"] == "ok", entry["why"]
    assert reply.err_code != "BAD_REQUEST" and not entry["warnings"], entry
    assert DEMO_APP.app_key not in json.dumps(signed.view())


def test_a_known_order_lends_its_mid_product_line_and_app(sandbox: Sandbox) -> None:
    send(sandbox, ORDER, "3194DASH0200", app=OTHER, key=OTHER.app_key, mid="898201600000001", totalAmount=500)
    signed = sandbox.signed_request("/v1/netpay/refund", "3194DASH0200", fields={"refundAmount": 200})
    body = json.loads(signed.body)
    assert (signed.app_id, body["mid"], body["instMid"], body["refundAmount"]) == (
        OTHER.app_id, "898201600000001", "APPDEFAULT", 200)
    unknown = json.loads(sandbox.signed_request(CLOSE, "3194DASH0201", mid="898201699999999").body)
    assert unknown["mid"] == "898201699999999"
    assert json.loads(sandbox.signed_request(CLOSE, "3194DASH0202").body)["mid"] == SAMPLE_MID


def test_fields_override_and_null_leaves_a_field_out() -> None:
    spec = ENDPOINTS["/v1/netpay/refund"]
    from datetime import datetime

    from mockums.clock import BEIJING

    body = sample_body(spec, "3194X0001", datetime(2024, 1, 2, 3, 4, 5, tzinfo=BEIJING), {"mid": "m1"},
                       {"refundAmount": 7, "srcReserve": None, "refundDesc": "退款说明"})
    assert body == {"requestTimestamp": "2024-01-02 03:04:05", "merOrderId": "3194X0001", "instMid": "APPDEFAULT",
                    "mid": "m1", "tid": "88880001", "refundAmount": 7, "refundDesc": "退款说明"}
    assert hashlib.sha256(json.dumps(body).encode()).hexdigest()  # JSON-ready


@pytest.mark.parametrize(("args", "message"), [
    (("/v1/nothing", "3194X"), "endpoint: '/v1/nothing' is not one of /v1/netpay/wx/app-pre-order"),
    ((None, "3194X"), "endpoint: None is not one of"),
    ((CLOSE, ""), "merOrderId: send the merOrderId"),
    ((CLOSE, 5), "merOrderId: send the merOrderId"),
    ((CLOSE, "3194X", 5), "mid: send a string"),
    ((CLOSE, "3194X", None, ["a"]), "fields: send a JSON object"),
    ((CLOSE, "3194X", None, {"a": {"nested": 1}}), "fields: send a JSON object"),
])
def test_bad_send_input_is_invalid_with_a_reason(sandbox: Sandbox, args: tuple[object, ...], message: str) -> None:
    with pytest.raises(Invalid, match=message.replace("(", r"\(").replace(".", r"\.")):
        sandbox.signed_request(*args)


def test_the_order_list_is_the_newest_orders_without_reading_them_all(sandbox: Sandbox) -> None:
    for n in range(5):
        send(sandbox, ORDER, f"3194DASH030{n}", totalAmount=100 + n)
    sandbox.order("898201612345678", "3194DASH0301")  # reading an order makes it recently used
    listed = [o["merOrderId"] for o in sandbox.orders(limit=3)]
    assert listed == ["3194DASH0303", "3194DASH0304", "3194DASH0301"]
    assert [o["merOrderId"] for o in sandbox.orders()] == [
        "3194DASH0300", "3194DASH0302", "3194DASH0303", "3194DASH0304", "3194DASH0301"]
    assert [o["merOrderId"] for o in sandbox.orders(None, "3194DASH0302", limit=3)] == ["3194DASH0302"]

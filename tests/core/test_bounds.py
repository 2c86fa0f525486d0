"""What a hostile client can make the core keep: every store is capped by configuration, and what is
kept of one request is bounded whatever it sent (issue #8: journal by bytes, clipped ids and lines)."""

from __future__ import annotations

import json
import logging

import chinaums_client
import pytest

from mockums.config import DEMO_APP, Settings
from mockums.core import Sandbox
from mockums.core.journal import KEPT_BYTES

CLOSE, ORDER = "/v1/netpay/wx/app-pre-close", "/v1/netpay/wx/app-pre-order"
HUGE_ID = "9" * 250_000
ANSWER = {"respond": {"fields": {"errCode": "TARGET_FAIL"}}}


def unsigned(sandbox: Sandbox, path: str, fields: dict[str, object]) -> dict[str, object]:
    return dict(sandbox.handle_api(path, None, json.dumps(fields).encode()).body)


def signed(sandbox: Sandbox, path: str, order_id: str, **fields: object) -> dict[str, object]:
    body = chinaums_client.go_json(chinaums_client.close_request(order_id, **fields))
    header = chinaums_client.open_body_sig(DEMO_APP.app_id, DEMO_APP.app_key, body)
    return dict(sandbox.handle_api(path, header, body).body)


def test_the_journal_is_capped_by_bytes_as_well_as_count() -> None:
    sandbox = Sandbox(Settings(journal_size=1000, journal_bytes=256 * 1024), ())
    for _ in range(40):
        unsigned(sandbox, CLOSE, {"merOrderId": HUGE_ID, "srcReserve": "x" * 1000})
    assert sandbox._journal.size <= 256 * 1024
    assert 1 < len(sandbox.journal()) < 40
    for entry in sandbox.journal():
        assert len(json.dumps(entry, ensure_ascii=False)) < 4 * KEPT_BYTES
        assert str(entry["merOrderId"]).endswith("… (250000 characters)")


def test_an_entry_keeps_only_what_its_view_shows() -> None:
    sandbox = Sandbox(Settings(), ())
    # A signed request whose invalid values are echoed in the BAD_REQUEST answer.
    answer = signed(sandbox, CLOSE, "3194BOUND0001", srcReserve="s" * 200_000, msgId="m" * 200_000)
    assert answer["errCode"] == "BAD_REQUEST"
    [entry] = sandbox._journal.query()
    assert len(entry.trace.request) <= KEPT_BYTES
    assert entry.request_size > 400_000
    assert entry.cost < 3 * KEPT_BYTES
    view = entry.view()
    assert str(view["request"]).endswith(f"… ({entry.request_size} bytes)")
    assert len(str(view["answer"])) < 2 * KEPT_BYTES and view["errCode"] == "BAD_REQUEST"


def test_log_lines_clip_what_the_client_sent(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    sandbox = Sandbox(Settings(), ())
    unsigned(sandbox, CLOSE, {"merOrderId": HUGE_ID})
    sandbox.handle_api("/v1/" + "p" * 60_000, "OPEN-BODY-SIG AppId=\"" + "a" * 4000, b"{}")
    sandbox.handle_api("/v1/token/access", None, json.dumps({"appId": "i" * 100_000, "timestamp": "t" * 100_000,
                                                              "nonce": "n" * 100_000, "signature": "s"}).encode())
    signed(sandbox, CLOSE, "3194BOUND0002", requestTimestamp="2020" + "0" * 50_000)
    assert caplog.records
    for record in caplog.records:
        assert len(record.getMessage()) < 2000, record.getMessage()[:200]


def test_a_refused_token_request_is_kept_clipped() -> None:
    sandbox = Sandbox(Settings(), ())
    body = {"appId": "i" * 100_000, "timestamp": "t", "nonce": "n" * 100_000, "signature": "s"}
    answer = dict(sandbox.handle_api("/v1/token/access", None, json.dumps(body).encode()).body)
    assert len(json.dumps(answer)) < 4000
    [entry] = sandbox.journal()
    assert len(str(entry["appId"])) < 100
    assert len(json.dumps(entry)) < 3 * KEPT_BYTES


def test_sequence_counters_cost_the_same_for_any_order_id() -> None:
    sandbox = Sandbox(Settings(max_sequences=50))
    for index in range(120):  # a bundled scenario: each call counts in its sequence, before validation
        signed(sandbox, CLOSE, f"MKSYSERR{index}" + "x" * 50_000)
    counters = sandbox._sequences.counters._calls  # type: ignore[attr-defined]
    assert len(counters) == 50
    assert all(len(key) <= 200 for _, key in counters)


def test_orders_are_capped_by_configuration() -> None:
    sandbox = Sandbox(Settings(max_orders=30, seed=1), ())
    for index in range(100):
        assert signed(sandbox, ORDER, f"3194CAP{index:05d}", totalAmount=1)["errCode"] == "SUCCESS"
    assert len(sandbox.orders()) == 30
    assert sandbox.orders()[-1]["merOrderId"] == "3194CAP00099"


def test_runtime_scenarios_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    from mockums.core import Invalid
    from mockums.scenarios import active

    monkeypatch.setattr(active, "MAX_RUNTIME_SCENARIOS", 5)
    sandbox = Sandbox(Settings(), ())
    for index in range(5):
        sandbox.add_scenarios({"name": f"s{index}", "match": {"merOrderIdPrefix": f"CAP{index}X"}, **ANSWER})
    with pytest.raises(Invalid) as refused:
        sandbox.add_scenarios({"name": "one-more", "match": {"merOrderIdPrefix": "CAPMORE"}, **ANSWER})
    assert refused.value.details["errors"] == ["<control API>: at most 5 scenarios may be added at runtime "
                                               "(5 are); remove some, or reset"]
    sandbox.reset()
    sandbox.add_scenarios({"name": "after-reset", "match": {"merOrderIdPrefix": "CAPAFTER"}, **ANSWER})


def test_refunds_count_against_a_cap_of_their_own() -> None:
    sandbox = Sandbox(Settings(max_refunds=10, seed=1), ())
    for order_id, refunds in (("3194RFD00001", 8), ("3194RFD00002", 5)):
        assert signed(sandbox, ORDER, order_id, totalAmount=100)["errCode"] == "SUCCESS"
        sandbox.pay("898201612345678", order_id)
        for number in range(refunds):
            answer = signed(sandbox, "/v1/netpay/refund", order_id, refundAmount=1, refundOrderId=f"{order_id}R{number}")
            assert answer["errCode"] == "SUCCESS"
    # 13 refunds are more than 10: the least recently used order went, with its 8.
    assert [order["merOrderId"] for order in sandbox.orders()] == ["3194RFD00002"]
    assert sandbox._ledger.orders.refund_count == 5
    sandbox.forget_order("898201612345678", "3194RFD00002")
    assert sandbox._ledger.orders.refund_count == 0


def test_template_checks_remember_a_bounded_number_of_provider_names() -> None:
    from mockums.scenarios import templating

    for index in range(3000):
        templating._faker_problem(f"no_such_provider_{index}")
    assert templating._faker_problem.cache_info().currsize <= 1024

"""The ledger's rules without HTTP: orders, closes, refunds, time."""

from __future__ import annotations

import pytest
from memory_ledger import memory_ledger

from mockums.clock import Clock
from mockums.config import Settings
from mockums.ledger.calls import Call, Outcome
from mockums.ledger.ledger import Ledger
from mockums.ledger.plans import Lifecycle, PayPlan, RefundPlan
from mockums.limits import ORDER_EXPIRY_SECONDS
from mockums.lines import DEFAULT_REGISTRY, Services
from mockums.lines.netpay import NetpayRules

ENDPOINTS = DEFAULT_REGISTRY.endpoints

MID = "898201612345678"
T0 = 1_780_000_000.0
ORDER, QUERY, CLOSE = "/v1/netpay/wx/app-pre-order", "/v1/netpay/query", "/v1/netpay/wx/app-pre-close"
REFUND, REFUND_QUERY = "/v1/netpay/refund", "/v1/netpay/refund-query"


@pytest.fixture
def ledger() -> Ledger:
    return memory_ledger(refunds_per_order=3)


def run(ledger: Ledger, path: str, order_id: str, now: float = T0, *, implied: str | None = None,
        lifecycle: Lifecycle | None = None, status: str | None = None, **fields: object) -> Outcome:
    """One call through the netpay rules; a scripted `status` comes from a scenario, which speaks for the order."""
    body = {"mid": MID, "tid": "88880001", "instMid": "APPDEFAULT", "merOrderId": order_id, **fields}
    implied = implied if implied is not None or status is None else "a scenario"
    rules = NetpayRules(Services(Settings(), Clock(), ledger, ledger.generator, lambda events: None))
    return rules.perform(Call(ENDPOINTS[path], body, now, None, implied, status, lifecycle))


def paid(ledger: Ledger, order_id: str, amount: int = 1000) -> None:
    assert run(ledger, ORDER, order_id, totalAmount=amount).err_code == "SUCCESS"
    events, payable = ledger.pay((MID, order_id), T0, "test")
    assert payable and [event.kind for event in events] == ["payment"]
    assert ledger.pay((MID, order_id), T0, "again") == ((), False)  # paid once only


def test_create_then_duplicate(ledger: Ledger) -> None:
    created = run(ledger, ORDER, "3194RULES01", totalAmount=360)
    assert (created.err_code, created.values["status"], created.values["totalAmount"]) == ("SUCCESS",
                                                                                            "WAIT_BUYER_PAY", 360)
    assert "appPayRequest" in created.values
    assert run(ledger, ORDER, "3194RULES01", totalAmount=360).err_code == "DUP_ORDER"


def test_unknown_orders_are_no_order_unless_something_implies_them(ledger: Ledger) -> None:
    for path in (QUERY, CLOSE, REFUND, REFUND_QUERY):
        refused = run(ledger, path, "3194RULES02", refundAmount=1)
        assert (refused.err_code, refused.err_msg, refused.order) == ("NO_ORDER", "无法找到指定的订单", None)
    assert len(ledger.orders) == 0
    assumed = run(ledger, QUERY, "3194RULES02", implied="assume_orders is on")
    assert (assumed.err_code, assumed.values["status"]) == ("SUCCESS", "WAIT_BUYER_PAY")
    assert assumed.order is not None and assumed.order.assumed
    assert run(ledger, ORDER, "3194RULES02", totalAmount=5).err_code == "SUCCESS"  # not a duplicate


def test_close_open_closed_and_paid(ledger: Ledger) -> None:
    run(ledger, ORDER, "3194RULES03", totalAmount=1)
    assert run(ledger, CLOSE, "3194RULES03").values["status"] == "TRADE_CLOSED"
    again = run(ledger, CLOSE, "3194RULES03")
    assert (again.err_code, again.err_msg) == ("OPERATION_NOT_ALLOWED", "订单已关闭")
    paid(ledger, "3194RULES04")
    refused = run(ledger, CLOSE, "3194RULES04")
    assert (refused.err_code, refused.err_msg, refused.values["targetStatus"]) == (
        "TARGET_FAIL", "订单已支付，不能发起关单", "FAIL|ORDERPAID")


def test_refunds_add_up_and_never_exceed_the_amount(ledger: Ledger) -> None:
    run(ledger, ORDER, "3194RULES05", totalAmount=1000)
    unpaid = run(ledger, REFUND, "3194RULES05", refundAmount=1)
    assert (unpaid.err_code, unpaid.err_msg) == ("OPERATION_NOT_ALLOWED", "订单未支付，不能退款")
    ledger.pay((MID, "3194RULES05"), T0, "test")
    assert run(ledger, REFUND, "3194RULES05", refundAmount=600, refundOrderId="R1").values["refundStatus"] == "SUCCESS"
    again = run(ledger, REFUND, "3194RULES05", refundAmount=600, refundOrderId="R1")
    assert (again.err_code, again.values["refundAmount"]) == ("SUCCESS", 600)  # idempotent per refundOrderId
    over = run(ledger, REFUND, "3194RULES05", refundAmount=401, refundOrderId="R2")
    assert (over.err_code, over.err_msg) == ("OPERATION_NOT_ALLOWED", "退款金额超过可退金额 (可退 400 分)")
    full = run(ledger, REFUND, "3194RULES05", refundAmount=400, refundOrderId="R3")
    assert (full.values["status"], full.values["refundAmount"]) == ("TRADE_REFUND", 400)
    assert [event.kind for event in full.events] == ["refund"]


def test_the_refund_count_cap(ledger: Ledger) -> None:
    paid(ledger, "3194RULES06")
    for number in range(3):
        assert run(ledger, REFUND, "3194RULES06", refundAmount=1, refundOrderId=f"R{number}").err_code == "SUCCESS"
    capped = run(ledger, REFUND, "3194RULES06", refundAmount=1, refundOrderId="R9")
    assert capped.err_msg == "退款次数超过上限 3"


def test_refund_query_names_a_missing_refund(ledger: Ledger) -> None:
    paid(ledger, "3194RULES07")
    missing = run(ledger, REFUND_QUERY, "3194RULES07", refundOrderId="nope")
    assert (missing.err_code, missing.err_msg) == ("NO_ORDER", "无法找到指定的退款订单")


def test_an_unpaid_order_expires(ledger: Ledger) -> None:
    run(ledger, ORDER, "3194RULES08", totalAmount=1)
    assert run(ledger, QUERY, "3194RULES08", now=T0 + ORDER_EXPIRY_SECONDS - 1).values["status"] == "WAIT_BUYER_PAY"
    assert run(ledger, QUERY, "3194RULES08", now=T0 + ORDER_EXPIRY_SECONDS).values["status"] == "TRADE_CLOSED"


def test_timed_payment_and_settlement_happen_on_tick(ledger: Ledger) -> None:
    plans = Lifecycle(pay=PayPlan("after_seconds", seconds=5),
                      refund=RefundPlan("PROCESSING", settle_after_seconds=10))
    run(ledger, ORDER, "3194RULES09", totalAmount=100, lifecycle=plans)
    assert ledger.tick(T0 + 4) == []
    [payment] = ledger.tick(T0 + 5)
    assert (payment.kind, payment.order.status) == ("payment", "TRADE_SUCCESS")
    refund = run(ledger, REFUND, "3194RULES09", now=T0 + 6, refundAmount=100, refundOrderId="R1")
    assert refund.values["refundStatus"] == "PROCESSING"
    [settled] = ledger.tick(T0 + 16)
    assert (settled.kind, settled.order.status) == ("refund", "TRADE_REFUND")
    assert ledger.tick(T0 + 100) == []


def test_a_scripted_status_sets_the_scene_once(ledger: Ledger) -> None:
    first = run(ledger, QUERY, "3194RULES10", status="TRADE_SUCCESS")
    assert first.values["status"] == "TRADE_SUCCESS"
    refund = run(ledger, REFUND, "3194RULES10", status="TRADE_SUCCESS", refundAmount=1)
    assert refund.err_code == "SUCCESS"


def test_a_refused_refund_keeps_the_events_of_its_own_catch_up(ledger: Ledger) -> None:
    """A refund refused for a reason found after catching the order up with time still reports what time did:
    here a timed payment falls due, then the refund is refused (too much), and the payment is notified."""
    plans = Lifecycle(pay=PayPlan("after_seconds", seconds=5))
    run(ledger, ORDER, "3194RULES11", totalAmount=100, lifecycle=plans)
    refused = run(ledger, REFUND, "3194RULES11", now=T0 + 6, refundAmount=101, refundOrderId="R1")
    assert (refused.err_code, [event.kind for event in refused.events]) == ("OPERATION_NOT_ALLOWED", ["payment"])
    assert ledger.tick(T0 + 100) == []  # notified once: the timer was claimed with the catch-up


def test_a_refund_query_of_a_missing_refund_keeps_a_settlement_that_fell_due(ledger: Ledger) -> None:
    plans = Lifecycle(refund=RefundPlan("PROCESSING", settle_after_seconds=10))
    run(ledger, ORDER, "3194RULES12", totalAmount=100, lifecycle=plans)
    ledger.pay((MID, "3194RULES12"), T0, "test")
    assert run(ledger, REFUND, "3194RULES12", refundAmount=10, refundOrderId="R1").values["refundStatus"] == "PROCESSING"
    missing = run(ledger, REFUND_QUERY, "3194RULES12", now=T0 + 11, refundOrderId="nope")
    assert (missing.err_code, [event.kind for event in missing.events]) == ("NO_ORDER", ["refund"])


def test_a_refused_refund_of_a_closed_order_keeps_its_expiry(ledger: Ledger) -> None:
    plans = Lifecycle(pay=PayPlan("after_seconds", seconds=5), expire_after=3)
    run(ledger, ORDER, "3194RULES13", totalAmount=100, lifecycle=plans)
    refused = run(ledger, REFUND, "3194RULES13", now=T0 + 4, refundAmount=1)
    assert (refused.err_code, refused.values["status"]) == ("OPERATION_NOT_ALLOWED", "TRADE_CLOSED")
    assert ledger.order(MID, "3194RULES13").status == "TRADE_CLOSED"  # type: ignore[union-attr]

"""The ledger's rules without HTTP: orders, closes, refunds, time."""

from __future__ import annotations

import pytest

from mockums.ledger.generate import Generator
from mockums.ledger.plans import Lifecycle, PayPlan, RefundPlan
from mockums.ledger.rules import Call, Ledger, Outcome
from mockums.ledger.store import OrderStore
from mockums.protocol.endpoints import ENDPOINTS
from mockums.protocol.limits import ORDER_EXPIRY_SECONDS

MID = "898201612345678"
T0 = 1_780_000_000.0
ORDER, QUERY, CLOSE = "/v1/netpay/wx/app-pre-order", "/v1/netpay/query", "/v1/netpay/wx/app-pre-close"
REFUND, REFUND_QUERY = "/v1/netpay/refund", "/v1/netpay/refund-query"


@pytest.fixture
def ledger() -> Ledger:
    return Ledger(OrderStore(), Generator(seed=1), refunds_per_order=3)


def run(ledger: Ledger, path: str, order_id: str, now: float = T0, *, implied: str | None = None,
        lifecycle: Lifecycle | None = None, status: str | None = None, **fields: object) -> Outcome:
    """One call; a scripted `status` comes from a scenario, which speaks for the order."""
    body = {"mid": MID, "tid": "88880001", "instMid": "APPDEFAULT", "merOrderId": order_id, **fields}
    implied = implied if implied is not None or status is None else "a scenario"
    return ledger.perform(Call(ENDPOINTS[path], body, now, None, implied, status, lifecycle))


def paid(ledger: Ledger, order_id: str, amount: int = 1000) -> None:
    assert run(ledger, ORDER, order_id, totalAmount=amount).err_code == "SUCCESS"
    order = ledger.orders.get(MID, order_id)
    assert order is not None
    ledger.pay(order, T0, "test")


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
    ledger.pay(ledger.orders.get(MID, "3194RULES05"), T0, "test")  # type: ignore[arg-type]
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

"""A 担保 (guarantee) order's 30-day cancellation is a timer of the ledger's, without HTTP: set when the order is
paid, gone once it is completed or cancelled, and fired by `tick` when it falls due."""

from __future__ import annotations

from memory_ledger import memory_ledger

from mockums.clock import Clock
from mockums.config import Settings
from mockums.ledger.calls import Call, Outcome
from mockums.ledger.ledger import Ledger
from mockums.limits import SECURE_CANCEL_SECONDS
from mockums.lines import DEFAULT_REGISTRY, Services
from mockums.lines.netpay import NetpayRules

ENDPOINTS = DEFAULT_REGISTRY.endpoints
MID = "898201612345678"
T0 = 1_780_000_000.0


def run(ledger: Ledger, path: str, order_id: str, now: float = T0, **fields: object) -> Outcome:
    body = {"mid": MID, "tid": "88880001", "instMid": "APPDEFAULT", "merOrderId": order_id, **fields}
    rules = NetpayRules(Services(Settings(), Clock(), ledger, ledger.generator, lambda events: None))
    return rules.perform(Call(ENDPOINTS[path], body, now))


def guarantee(ledger: Ledger, order_id: str) -> None:
    """A guarantee order of 1000 fen, paid at T0 + 10."""
    assert run(ledger, "/v1/netpay/wx/app-pre-order", order_id, totalAmount=1000,
               secureTransaction="true").err_code == "SUCCESS"
    assert ledger.timers.due_at(("order", MID, order_id)) is None  # unpaid: only its expiry, which needs no timer
    ledger.pay((MID, order_id), T0 + 10, "test")


def test_the_timer_is_set_at_payment_and_fires_the_cancellation() -> None:
    ledger = memory_ledger()
    guarantee(ledger, "3194SECURE01")
    due = T0 + 10 + SECURE_CANCEL_SECONDS
    assert ledger.timers.due_at(("order", MID, "3194SECURE01")) == due
    assert ledger.tick(due - 1) == []
    [event] = ledger.tick(due)
    assert event.kind == "refund" and event.refund is not None
    assert (event.refund.amount, event.refund.status, event.refund.settled_at) == (1000, "SUCCESS", due)
    order = ledger.order(MID, "3194SECURE01")
    assert order is not None
    assert (order.secure_status, order.completed_amount, order.status) == ("CANCELED", 0, "TRADE_REFUND")
    assert ledger.timers.due_at(("order", MID, "3194SECURE01")) is None


def test_a_completed_guarantee_has_no_timer_and_its_return_is_the_same_under_the_same_seed() -> None:
    returned = []
    for _ in range(2):
        ledger = memory_ledger()
        guarantee(ledger, "3194SECURE02")
        done = run(ledger, "/v1/netpay/secure-complete", "3194SECURE02", T0 + 20, completedAmount=600)
        assert (done.err_code, done.values["secureStatus"], done.values["completedAmount"]) == (
            "SUCCESS", "PARTLY_COMPLETED", 600)
        assert ledger.timers.due_at(("order", MID, "3194SECURE02")) is None
        [event] = done.events
        assert event.refund is not None and event.refund.amount == 400
        returned.append((event.refund.refund_order_id, event.refund.target_order_id))
    assert returned[0] == returned[1]

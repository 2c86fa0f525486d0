"""A kept order costs under 1 KB (its store entries included), so the default cap of 100,000 orders
stays far under the sandbox's 150 MiB; and its generated values come back the same when derived again."""

from __future__ import annotations

import gc
import tracemalloc
import weakref
from collections.abc import Callable

from memory_ledger import memory_ledger

from mockums.clock import Clock
from mockums.config import Settings
from mockums.ledger.calls import Call, Outcome
from mockums.ledger.generate import Generator
from mockums.ledger.ledger import Ledger
from mockums.ledger.model import AT_ONCE, NEVER, Order
from mockums.ledger.moves import next_due
from mockums.ledger.orders import MemoryOrders
from mockums.ledger.plans import PayPlan
from mockums.lines import DEFAULT_REGISTRY, Services
from mockums.lines.netpay import NetpayRules
from mockums.lines.netpay.answers import describe
from mockums.protocol.wallets import WALLETS
from mockums.state.timers import MemoryTimers

ENDPOINTS = DEFAULT_REGISTRY.endpoints

T0 = 1_780_000_000.0
CLOSE, ORDER = ENDPOINTS["/v1/netpay/wx/app-pre-close"], ENDPOINTS["/v1/netpay/wx/app-pre-order"]


def body(order_id: str, **fields: object) -> dict[str, object]:
    # Fresh strings for every request, as a JSON parser makes them.
    return {"mid": "".join(["8982016", "12345678"]), "tid": "".join(["8888", "0001"]),
            "instMid": "".join(["APP", "DEFAULT"]), "merOrderId": order_id, **fields}


_RULES: weakref.WeakKeyDictionary[Ledger, NetpayRules] = weakref.WeakKeyDictionary()


def perform(ledger: Ledger, call: Call) -> Outcome:
    """A call through the netpay rules over `ledger`: one rules object for each ledger, as a sandbox keeps one (made
    for each call, its settings and services took half the time of the measured calls under tracemalloc, and none
    of it was kept)."""
    rules = _RULES.get(ledger)
    if rules is None:
        rules = _RULES[ledger] = NetpayRules(Services(Settings(), Clock(), ledger, ledger.generator,
                                                      lambda events: None))
    return rules.perform(call)


def bytes_per_order(make: Callable[[Ledger, int], None], count: int = 1500) -> float:
    # One order on a ledger of its own first, untraced: what the first call in a process imports (Faker, the
    # providers it loads) is imported before tracing starts. Traced, those imports took 8 of this test's 10 s when
    # it ran first in its process (and nothing when another test had imported them); none of it is an order's.
    make(memory_ledger(0), 0)
    tracemalloc.start()  # before the measured ledger: memory freed while measuring must have been traced when allocated
    try:
        ledger = memory_ledger(1)
        for index in range(200):  # structures that exist once are made before measuring
            make(ledger, index)
        gc.collect()  # what is kept, not garbage the collector has yet to reach (when it does varied from run to run)
        before = tracemalloc.get_traced_memory()[0]
        for index in range(200, 200 + count):
            make(ledger, index)
        gc.collect()
        return (tracemalloc.get_traced_memory()[0] - before) / count
    finally:
        tracemalloc.stop()


def test_an_order_assumed_and_closed_keeps_under_1_kb() -> None:
    def close(ledger: Ledger, index: int) -> None:
        assert perform(ledger, Call(CLOSE, body(f"3194MEM{index:010d}"), T0 + index, implied_by="a test")).err_code == "SUCCESS"

    assert bytes_per_order(close) < 1024


def test_an_order_created_with_its_texts_keeps_under_1_kb() -> None:
    def create(ledger: Ledger, index: int) -> None:
        request = body(f"3194MEM{index:010d}", totalAmount=100, notifyUrl="http://127.0.0.1:9/notify",
                       orderDesc="商品", attachedData="x")
        assert perform(ledger, Call(ORDER, request, T0 + index)).err_code == "SUCCESS"

    assert bytes_per_order(create, count=400) < 1024  # creating draws pay parameters from Faker: slower


def test_generated_values_are_derived_again_alike_even_after_a_new_seed() -> None:
    ledger = memory_ledger(7)
    first = perform(ledger, Call(CLOSE, body("3194MEM0000000001"), T0, implied_by="a test")).values
    ledger.generator.seed = 8  # orders made before keep the values of their own seed
    order = ledger.order("898201612345678", "3194MEM0000000001")
    assert order is not None
    again = describe(order, ledger.generator, close=True)
    assert {key: again[key] for key in ("seqId", "merName", "targetMid", "targetOrderId")} == {
        key: first[key] for key in ("seqId", "merName", "targetMid", "targetOrderId")}
    wechat = WALLETS["WXPay"]
    assert Generator(seed=7).order_values("898201612345678", "3194MEM0000000001", wechat, T0)["seqId"] == first["seqId"]
    assert Generator(seed=8).order_values("898201612345678", "3194MEM0000000001", wechat, T0)["seqId"] != first["seqId"]


# What 0.1 derived for these orders: a seed gives the same values from one version to the next.
PINNED = {
    ("WXPay", 42): ("04540457420N", "彩虹信息有限公司", 70575, "291279586", "4200001174202605290953412881"),
    ("WXPay", 7): ("80737413822F", "思优网络有限公司", 29607, "937975446", "4200001752202311152986885655"),
    ("Alipay 2.0", 42): ("04540457420N", "彩虹信息有限公司", 70575, "2088291279586174", "2026052922000953412881744927"),
    ("Alipay 2.0", 7): ("80737413822F", "思优网络有限公司", 29607, "2088937975446752", "2023111522002986885655712272"),
    ("UAC", 42): ("04540457420N", "彩虹信息有限公司", 70575, "291279586174095", "2026052934128817449278878492"),
    ("UAC", 7): ("80737413822F", "思优网络有限公司", 29607, "937975446752298", "2023111568856557122720083945"),
}
ORDERS = {42: ("898201612345678", "3194A0000001", 1_780_000_000.0), 7: ("898340149000005", "3194MEM0000000001",
                                                                        1_700_000_000.5)}


def test_a_seed_derives_the_values_earlier_versions_derived() -> None:
    for (wallet, seed), (seq_id, name, amount, target_mid, target_order_id) in PINNED.items():
        values = Generator(seed).order_values(*ORDERS[seed][:2], WALLETS[wallet], ORDERS[seed][2])
        assert dict(values) == {"seqId": seq_id, "settleRefId": seq_id, "merName": name, "totalAmount": amount,
                                "targetMid": target_mid, "targetOrderId": target_order_id}, wallet


def test_an_order_made_by_a_request_holds_each_field_under_its_own_name() -> None:
    ledger = memory_ledger(1)
    request = body("3194FIELDS01", totalAmount=360, notifyUrl="http://127.0.0.1:9/n", orderDesc="商品",
                   attachedData="att", expireTime="2026-05-28 05:00:00")
    order = perform(ledger, Call(ORDER, request, T0, app_id="10037e6f66f2d0f901672aa27d690006")).order
    assert order is not None
    assert (order.mid, order.mer_order_id, order.status, order.total_amount, order.seed, order.created_at) == (
        "898201612345678", "3194FIELDS01", "WAIT_BUYER_PAY", 360, 1, T0)
    assert (order.app_id, order.inst_mid, order.tid, order.target_sys, order.notify_url) == (
        "10037e6f66f2d0f901672aa27d690006", "APPDEFAULT", "88880001", "WXPay", "http://127.0.0.1:9/n")
    assert (order.attached_data, order.order_desc, order.assumed, order.paid_at, order.queries) == (
        "att", "商品", False, None, 0)
    assert order.target_order_id.startswith("4200001") and order.expire_at == 1_779_915_600.0
    assert (order.pay_plan, order.refund_plan, order.lifecycle) == (NEVER, AT_ONCE, None)
    assert (order.line, order.scripted_status, order.mer_name, order.refunds, order.secure_status) == (
        "netpay", None, None, (), None)
    assert (order.completed_amount, order.division, order.line_state) == (0, None, ())
    assert order.notes == (T0, "created by /v1/netpay/wx/app-pre-order (360 fen)")
    # The ledger builds orders by position (Ledger.new_order): each argument it is given lands in its own field.
    made = ledger.new_order(Call(ORDER, body("3194FIELDS02"), T0), ("898201612345678", "3194FIELDS02"), "bills",
                            mer_name="某某商店", expire_at=T0 + 60, pay=PayPlan("after_seconds", seconds=30))
    assert (made.line, made.mer_name, made.expire_at, made.pay_plan) == (
        "bills", "某某商店", T0 + 60, PayPlan("after_seconds", seconds=30))


def test_an_order_kept_in_memory_keeps_its_timer_and_takes_it_along_when_dropped() -> None:
    timers = MemoryTimers()
    orders = MemoryOrders(timers, next_due, capacity=2)

    def order(number: int, pay: PayPlan) -> Order:
        return Order(mid="898201612345678", mer_order_id=f"3194TIMER{number:04d}", line="netpay",
                     status="WAIT_BUYER_PAY", total_amount=1, seed=1, target_order_id=f"4200{number:04d}",
                     created_at=T0, expire_at=T0 + 600, pay_plan=pay)

    paid_later = PayPlan("after_seconds", seconds=5)
    first = order(1, paid_later)
    orders.update(first.key, lambda _: (first, None))
    assert timers.due_at(("order", *first.key)) == T0 + 5  # set in the same update as the order
    orders.update(first.key, lambda old: (old, None))  # a change that changes nothing leaves it as it is
    assert timers.due_at(("order", *first.key)) == T0 + 5
    orders.update(first.key, lambda old: (old._replace(pay_plan=NEVER) if old else None, None))
    assert timers.due_at(("order", *first.key)) is None  # nothing due any more
    orders.update(first.key, lambda _: (first, None))
    for number in (2, 3):  # the first is dropped beyond the cap of two, with its timer
        later = order(number, paid_later)
        orders.update(later.key, lambda _, made=later: (made, None))
    assert orders.get(first.key) is None and timers.due_at(("order", *first.key)) is None
    assert len(timers) == 2
    assert orders.remove(order(2, NEVER).key) and len(timers) == 1  # removed, with its timer

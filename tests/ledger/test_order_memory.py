"""A kept order costs under 1 KB (its store entries included), so the default cap of 100,000 orders
stays far under the sandbox's 150 MiB; and its generated values come back the same when derived again."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable

from mockums.ledger.generate import Generator
from mockums.ledger.rules import Call, Ledger
from mockums.ledger.store import OrderStore
from mockums.protocol.endpoints import ENDPOINTS
from mockums.protocol.wallets import WALLETS

T0 = 1_780_000_000.0
CLOSE, ORDER = ENDPOINTS["/v1/netpay/wx/app-pre-close"], ENDPOINTS["/v1/netpay/wx/app-pre-order"]


def body(order_id: str, **fields: object) -> dict[str, object]:
    # Fresh strings for every request, as a JSON parser makes them.
    return {"mid": "".join(["8982016", "12345678"]), "tid": "".join(["8888", "0001"]),
            "instMid": "".join(["APP", "DEFAULT"]), "merOrderId": order_id, **fields}


def bytes_per_order(make: Callable[[Ledger, int], None], count: int = 1500) -> float:
    tracemalloc.start()  # before anything: memory freed while measuring must have been traced when allocated
    try:
        ledger = Ledger(OrderStore(), Generator(seed=1))
        for index in range(200):  # structures that exist once are made before measuring
            make(ledger, index)
        before = tracemalloc.get_traced_memory()[0]
        for index in range(200, 200 + count):
            make(ledger, index)
        return (tracemalloc.get_traced_memory()[0] - before) / count
    finally:
        tracemalloc.stop()


def test_an_order_assumed_and_closed_keeps_under_1_kb() -> None:
    def close(ledger: Ledger, index: int) -> None:
        assert ledger.perform(Call(CLOSE, body(f"3194MEM{index:010d}"), T0 + index, implied_by="a test")).err_code == "SUCCESS"

    assert bytes_per_order(close) < 1024


def test_an_order_created_with_its_texts_keeps_under_1_kb() -> None:
    def create(ledger: Ledger, index: int) -> None:
        request = body(f"3194MEM{index:010d}", totalAmount=100, notifyUrl="http://127.0.0.1:9/notify",
                       orderDesc="商品", attachedData="x")
        assert ledger.perform(Call(ORDER, request, T0 + index)).err_code == "SUCCESS"

    assert bytes_per_order(create, count=400) < 1024  # creating draws pay parameters from Faker: slower


def test_generated_values_are_derived_again_alike_even_after_a_new_seed() -> None:
    ledger = Ledger(OrderStore(), Generator(seed=7))
    first = ledger.perform(Call(CLOSE, body("3194MEM0000000001"), T0, implied_by="a test")).values
    ledger.generator.seed = 8  # orders made before keep the values of their own seed
    order = ledger.orders.get("898201612345678", "3194MEM0000000001")
    assert order is not None
    again = ledger.describe(order, close=True)
    assert {key: again[key] for key in ("seqId", "merName", "targetMid", "targetOrderId")} == {
        key: first[key] for key in ("seqId", "merName", "targetMid", "targetOrderId")}
    wechat = WALLETS["WXPay"]
    assert Generator(seed=7).order_values("898201612345678", "3194MEM0000000001", wechat, T0)["seqId"] == first["seqId"]
    assert Generator(seed=8).order_values("898201612345678", "3194MEM0000000001", wechat, T0)["seqId"] != first["seqId"]

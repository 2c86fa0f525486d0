"""The repositories of the Redis store against a real redis-server: the codec rebuilds only what it knows, and
every repository keeps to the caps the memory store keeps to (the oldest dropped first), so memory in Redis is
bounded the same way; timers are claimed once, and a claim under a lease comes back if its taker dies."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from real_redis import RedisServer

from mockums.errors import StoreUnavailable
from mockums.ledger.model import Order, Refund
from mockums.ledger.plans import Lifecycle, PayPlan
from mockums.notify.deliveries import Attempt, Delivery
from mockums.state.redis.basics import RedisTimers
from mockums.state.redis.codec import Codec, CodecError
from mockums.state.redis.link import Link
from mockums.state.redis.records import RedisRecords, RedisSequences


@pytest.fixture
def link(real_redis: RedisServer) -> Iterator[Link]:
    made = Link(real_redis.database(5))
    made.client.flushdb()
    yield made
    made.close()


def _order(number: int, refunds: int = 0, status: str = "TRADE_SUCCESS") -> Order:
    return Order(mid="898201612345678", mer_order_id=f"3194CAP{number:06d}", line="netpay", status=status,
                 total_amount=1000, seed=7, target_order_id=f"4200{number:012d}", created_at=1.0, expire_at=2.0,
                 refunds=tuple(Refund(f"R{number}-{n}", 1, "SUCCESS", f"T{n}", 1.5) for n in range(refunds)),
                 pay_plan=PayPlan("after_seconds", seconds=5), lifecycle=Lifecycle(pay=PayPlan("never")))


def test_the_codec_gives_back_equal_values_and_refuses_what_it_does_not_know() -> None:
    from mockums.core.redis_store.values import value_codec

    codec = value_codec()
    order = _order(1, refunds=2)
    assert codec.loads(codec.dumps(order)) == order
    delivery = Delivery(3, "N1", "http://127.0.0.1:9/n", "payment", "m", "o", {"a": "1"}, 1.0, (0.0, 5.0),
                        (Attempt(1, 1.0, 500, "no", None, False, 3.5),))
    assert codec.loads(codec.dumps(delivery)) == delivery
    with pytest.raises(TypeError, match="not registered"):
        Codec(()).dumps(order)
    with pytest.raises(CodecError):
        codec.loads(b'{"~": "Popen", "f": [["rm", "-rf", "/"]]}')  # only registered classes are made


def test_orders_beyond_the_cap_drop_the_least_recently_used_with_their_index(link: Link) -> None:
    orders = _orders(link, capacity=3, refund_capacity=5)
    for number in range(4):
        orders.update(_order(number).key, lambda _, n=number: (_order(n), None))
    assert [order.mer_order_id for order in orders.all()] == ["3194CAP000001", "3194CAP000002", "3194CAP000003"]
    assert orders.key_of_target("4200000000000000") is None
    orders.update(_order(9).key, lambda _: (_order(9, refunds=4), None))  # 4 refunds: 5 at most between them
    assert len(orders) == 3
    orders.update(_order(10).key, lambda _: (_order(10, refunds=2), None))
    assert [order.mer_order_id for order in orders.all()] == ["3194CAP000010"]  # the newest always stays


def test_an_order_changed_under_a_stale_read_is_changed_from_what_is_kept(link: Link) -> None:
    one, other = _orders(link), _orders(link)
    key = _order(1).key
    one.update(key, lambda _: (_order(1), None))
    with one.turn():
        assert one.get(key) is not None  # read in a request: its change expects the order as read
        other.update(key, lambda old: (old._replace(queries=old.queries + 1) if old else None, None))
        kept, _ = one.update(key, lambda old: (old._replace(queries=old.queries + 10) if old else None, None))
    assert kept is not None and kept.queries == 11  # made again from the kept order, not the stale one


def test_an_order_read_outside_a_request_leaves_another_process_s_timer_alone(link: Link) -> None:
    from mockums.ledger.model import NEVER

    one, other = _orders(link), _orders(link)
    key = _order(2).key
    assert one.get(key) is None  # a look from outside a request (the control API): no expected value is kept
    other.update(key, lambda _: (_order(2, status="WAIT_BUYER_PAY"), None))  # paid after 5 s: a timer with it
    timers = RedisTimers(link, "timers:orders")
    assert timers.due_at(("order", *key)) == 6.0
    one.update(key, lambda old: (old, None))  # a change that changes nothing, from what is kept
    assert timers.due_at(("order", *key)) == 6.0
    other.update(key, lambda old: (old._replace(pay_plan=NEVER) if old else None, None))
    assert timers.due_at(("order", *key)) is None  # the timer changes with the order, in one step


def _orders(link: Link, capacity: int = 100_000, refund_capacity: int = 1_000_000) -> Any:
    from mockums.core.redis_store.orders import RedisOrders
    from mockums.core.redis_store.values import value_codec
    from mockums.ledger import moves

    return RedisOrders(link, value_codec(), RedisTimers(link, "timers:orders"), moves.next_due, capacity,
                       refund_capacity)


def test_records_sequences_and_timers_keep_to_their_caps(link: Link) -> None:
    from mockums.core.redis_store.values import value_codec

    records: RedisRecords[Order] = RedisRecords(link, value_codec(), "order-record", 2)
    for number in range(3):
        records.update(str(number), lambda _, n=number: (_order(n), None))
    assert (len(records), records.get("0"), records.get("2")) == (2, None, _order(2))
    sequences = RedisSequences(link, capacity=2)
    assert [sequences.advance(("s", "a")), sequences.advance(("s", "a")), sequences.advance(("s", "b"))] == [1, 2, 1]
    sequences.advance(("t", "c"))
    assert (len(sequences), sequences.calls(("s", "a")), sequences.calls(("t", "c"))) == (2, 0, 1)
    sequences.forget(scenario="t")
    assert sequences.calls(("t", "c")) == 0


def test_a_timer_is_claimed_once_and_a_leased_one_comes_back_after_its_lease(link: Link) -> None:
    first, second = RedisTimers(link, "timers:test"), RedisTimers(link, "timers:test")
    first.schedule(("order", "m", "1"), 10.0)
    first.schedule(("order", "m", "2"), 20.0)
    assert (first.claim_due(15.0), second.claim_due(15.0)) == ([("order", "m", "1")], [])
    held, taker = RedisTimers(link, "timers:held", lease=600.0), RedisTimers(link, "timers:held", lease=600.0)
    held.schedule(("delivery", "7"), 5.0)
    assert held.claim_due(6.0) == [("delivery", "7")]
    assert taker.claim_due(10_000.0) == []  # under its lease, in real time: moving the sandbox clock does not end it
    held.schedule(("delivery", "7"), 20.0)  # its taker done, the next attempt set
    assert taker.claim_due(20.0) == [("delivery", "7")]
    short, other = RedisTimers(link, "timers:short", lease=0.01), RedisTimers(link, "timers:short", lease=0.01)
    short.schedule(("delivery", "8"), 5.0)
    assert short.claim_due(6.0) == [("delivery", "8")]
    deadline = time.monotonic() + 5
    while not (claimed := other.claim_due(6.0)) and time.monotonic() < deadline:
        time.sleep(0.005)
    assert claimed == [("delivery", "8")]  # its taker never finished: another takes it once the lease ran out


def test_a_store_that_cannot_be_reached_says_which_and_why() -> None:
    from mockums.config import Settings
    from mockums.core.store_url import open_store

    with pytest.raises(StoreUnavailable, match=r"redis://127\.0\.0\.1:1/0 cannot be reached"):
        open_store(replace(Settings(), store="redis://127.0.0.1:1/0"))


def test_a_cell_set_once_by_one_process_is_read_by_another_inside_a_turn(link: Link) -> None:
    from mockums.core.redis_store.values import value_codec
    from mockums.state.redis.basics import Cells

    first, second = Cells(link, value_codec()), Cells(link, value_codec())
    seed, other_seed = first.cell("seed", 0), second.cell("seed", 0)
    first.set_once(seed, 41)
    second.set_once(other_seed, 99)  # the second process keeps the first one's
    with second.turn():
        assert other_seed.get() == 41
    seed.update(lambda value: value + 1)
    with second.turn():
        assert other_seed.get() == 42


def test_a_new_delivery_is_kept_with_its_first_timer_in_one_step(link: Link) -> None:
    from mockums.core.redis_store.deliveries import RedisDeliveries
    from mockums.core.redis_store.values import value_codec

    timers = RedisTimers(link, "timers:deliveries")
    deliveries = RedisDeliveries(link, value_codec(), timers, capacity=10)
    made = Delivery(deliveries.number(), "N1", "http://127.0.0.1:9/n", "payment", "m", "o", {"a": "1"}, 1.0, (0.0,))
    assert deliveries.add(made, first_due=3.0) == []
    assert (deliveries.pending(), timers.due_at(("delivery", str(made.number)))) == ([made], 3.0)

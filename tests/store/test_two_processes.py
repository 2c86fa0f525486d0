"""Two `mockums serve` processes on one Redis are one sandbox: an order made through one is paid, refunded and
closed through the other; 200 requests raced over both never pay twice, refund more than was paid or take a
sequence step twice; a restart keeps what was kept; a notification is delivered exactly once, and by the
other process when the one delivering it dies."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import aiohttp
import pytest
from mockums_processes import Mockums, mockums_pair
from real_redis import RedisServer
from store_client import (
    CLOSE,
    MID,
    ORDER,
    QUERY,
    REFUND,
    REFUND_QUERY,
    Receiver,
    api,
    control,
    delivered,
    receiver,
    session,
)

__all__ = ["receiver", "session"]  # fixtures, imported from the helpers module

RACERS = 200


@pytest.fixture(scope="module")
def pair(real_redis: RedisServer) -> Iterator[list[Mockums]]:
    processes = mockums_pair(real_redis.database(1), "--seed", "11")
    yield processes
    for process in processes:
        process.stop()


async def test_an_order_made_through_one_process_is_paid_refunded_and_closed_through_the_other(
        pair: list[Mockums], session: aiohttp.ClientSession) -> None:
    one, other = (process.base for process in pair)
    made = await api(session, one, ORDER, "3194TWO0000001", totalAmount=500)
    assert made["errCode"] == "SUCCESS"
    assert (await api(session, other, QUERY, "3194TWO0000001"))["status"] == "WAIT_BUYER_PAY"
    status, _ = await control(session, other, "POST", f"/orders/{MID}/3194TWO0000001/pay")
    assert status == 200
    assert (await api(session, one, QUERY, "3194TWO0000001"))["status"] == "TRADE_SUCCESS"
    refund = await api(session, other, REFUND, "3194TWO0000001", refundAmount=200, refundOrderId="R3194TWO01")
    assert (refund["errCode"], refund["refundStatus"]) == ("SUCCESS", "SUCCESS")
    queried = await api(session, one, REFUND_QUERY, "3194TWO0000001", refundOrderId="R3194TWO01")
    assert (queried["refundStatus"], queried["refundAmount"]) == ("SUCCESS", 200)
    status, journal = await control(session, one, "GET", "/journal", params={"merOrderId": "3194TWO0000001"})
    assert [entry["endpoint"] for entry in journal] == [ORDER, QUERY, QUERY, REFUND, REFUND_QUERY]


async def test_two_hundred_refunds_raced_over_two_processes_refund_exactly_what_was_paid(
        pair: list[Mockums], session: aiohttp.ClientSession) -> None:
    bases = [process.base for process in pair]
    await api(session, bases[0], ORDER, "3194RACE000001", totalAmount=1000)
    await control(session, bases[1], "POST", f"/orders/{MID}/3194RACE000001/pay")
    answers = await asyncio.gather(*(
        api(session, bases[n % 2], REFUND, "3194RACE000001", refundAmount=10, refundOrderId=f"R3194RACE{n:03d}")
        for n in range(RACERS)))
    succeeded = [answer for answer in answers if answer["errCode"] == "SUCCESS"]
    assert len(succeeded) == 100  # 100 × 10 fen of 1000: no more, and none lost
    assert {answer["errCode"] for answer in answers} == {"SUCCESS", "OPERATION_NOT_ALLOWED"}  # the rest: nothing left
    status, order = await control(session, bases[1], "GET", f"/orders/{MID}/3194RACE000001")
    assert status == 200
    assert {refund["status"] for refund in order["refunds"]} == {"SUCCESS"}
    assert len(order["refunds"]) == 100


async def test_two_hundred_payments_raced_over_two_processes_pay_once(
        pair: list[Mockums], session: aiohttp.ClientSession) -> None:
    bases = [process.base for process in pair]
    await api(session, bases[0], ORDER, "3194RACE000002", totalAmount=300)
    statuses = await asyncio.gather(*(
        control(session, bases[n % 2], "POST", f"/orders/{MID}/3194RACE000002/pay") for n in range(RACERS)))
    assert sorted(status for status, _ in statuses).count(200) == 1
    assert {status for status, _ in statuses} == {200, 409}
    _, order = await control(session, bases[0], "GET", f"/orders/{MID}/3194RACE000002")
    assert sum("-> TRADE_SUCCESS" in line["event"] for line in order["history"]) == 1


async def test_two_hundred_closes_raced_over_two_processes_close_once(
        pair: list[Mockums], session: aiohttp.ClientSession) -> None:
    bases = [process.base for process in pair]
    await api(session, bases[0], ORDER, "3194RACE000003", totalAmount=300)
    answers = await asyncio.gather(*(api(session, bases[n % 2], CLOSE, "3194RACE000003") for n in range(RACERS)))
    codes = [answer["errCode"] for answer in answers]
    assert (codes.count("SUCCESS"), codes.count("OPERATION_NOT_ALLOWED")) == (1, RACERS - 1)
    _, order = await control(session, bases[1], "GET", f"/orders/{MID}/3194RACE000003")
    assert order["status"] == "TRADE_CLOSED"
    assert sum("-> TRADE_CLOSED" in line["event"] for line in order["history"]) == 1


async def test_a_sequence_raced_over_two_processes_takes_each_step_once(
        pair: list[Mockums], session: aiohttp.ClientSession) -> None:
    bases = [process.base for process in pair]
    scenario = {"name": "raced-sequence", "match": {"merOrderId": "3194SEQ0000001"},
                "sequence": [{"fields": {"errCode": "ORDER_PROCESSING"}, "repeat": 150},
                             {"fields": {"errCode": "SYSTEM_BUSY"}}],
                "then": "repeat_last"}
    status, _ = await control(session, bases[0], "POST", "/scenarios", json=scenario)
    assert status == 201
    answers = await asyncio.gather(*(api(session, bases[n % 2], QUERY, "3194SEQ0000001") for n in range(RACERS)))
    codes = [answer["errCode"] for answer in answers]
    assert (codes.count("ORDER_PROCESSING"), codes.count("SYSTEM_BUSY")) == (150, 50)


async def test_two_processes_deliver_each_notification_exactly_once(
        pair: list[Mockums], session: aiohttp.ClientSession, receiver: tuple[Receiver, str]) -> None:
    merchant, notify_url = receiver
    bases = [process.base for process in pair]
    for n in range(20):
        await api(session, bases[n % 2], ORDER, f"3194ONCE{n:06d}", totalAmount=100, notifyUrl=notify_url)
        await control(session, bases[(n + 1) % 2], "POST", f"/orders/{MID}/3194ONCE{n:06d}/pay")
    deliveries = [d for d in await delivered(session, bases[0], 20) if d["merOrderId"].startswith("3194ONCE")]
    assert sorted(len(d["attempts"]) for d in deliveries) == [1] * 20
    await merchant.wait_for(20)
    assert sorted(form["merOrderId"] for form in merchant.forms) == [f"3194ONCE{n:06d}" for n in range(20)]


async def test_the_clock_the_seed_and_a_reset_made_through_one_process_apply_to_the_other(
        pair: list[Mockums], session: aiohttp.ClientSession) -> None:
    one, other = (process.base for process in pair)
    try:
        status, _ = await control(session, one, "POST", "/clock", json={"freeze": True, "set": "2030-01-02 03:04:05"})
        assert status == 200
        _, clock = await control(session, other, "GET", "/clock")
        assert (clock["frozen"], clock["beijing"]) == (True, "2030-01-02 03:04:05")
        await control(session, other, "POST", "/seed", json={"seed": 4242})
        assert (await control(session, one, "GET", "/seed"))[1]["seed"] == 4242
        await api(session, one, ORDER, "3194SAME000001", totalAmount=100)
        first = await api(session, other, QUERY, "3194SAME000001")
        await control(session, other, "POST", "/reset")
        assert (await api(session, one, QUERY, "3194SAME000001"))["errCode"] == "NO_ORDER"  # reset for both
        assert not (await control(session, one, "GET", "/clock"))[1]["frozen"]  # the clock too
        await control(session, one, "POST", "/clock", json={"freeze": True, "set": "2030-01-02 03:04:05"})
        await api(session, other, ORDER, "3194SAME000001", totalAmount=100)
        second = await api(session, one, QUERY, "3194SAME000001")
        assert second["targetOrderId"] == first["targetOrderId"]  # one seed, one clock: the same generated values
    finally:
        await control(session, one, "POST", "/reset")

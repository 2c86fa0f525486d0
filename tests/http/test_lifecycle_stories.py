"""Every bundled lifecycle story, reached by its magic merOrderId."""

from __future__ import annotations

import pytest
from conftest import Caller, Receiver, notification_signature_valid, story
from lifecycle_helpers import QUERY, REFUND, REFUND_QUERY, WX_CLOSE, create

from mockums.config import DEMO_APP


@story("paid-after-two-queries")
async def test_paid_after_two_queries(caller: Caller, receiver: Receiver) -> None:
    await create(caller, "MKPAYQ20001", receiver)
    statuses = [(await caller.call(QUERY, "MKPAYQ20001")).json["status"] for _ in range(3)]
    assert statuses == ["WAIT_BUYER_PAY", "WAIT_BUYER_PAY", "TRADE_SUCCESS"]
    [note] = await receiver.wait_for(1)
    assert note.form["status"] == "TRADE_SUCCESS"


@story("paid-at-once")
async def test_paid_at_once(caller: Caller, receiver: Receiver) -> None:
    created = await create(caller, "MKPAYNOW0001", receiver)
    assert created["status"] == "WAIT_BUYER_PAY"  # the answer to create, before the customer pays
    await receiver.wait_for(1)
    assert (await caller.call(QUERY, "MKPAYNOW0001")).json["status"] == "TRADE_SUCCESS"
    # With no create call, the order exists in the scenario's world, where its customer paid at once.
    assert (await caller.call(QUERY, "MKPAYNOW0003")).json["status"] == "TRADE_SUCCESS"


@story("paid-after-five-seconds")
async def test_paid_after_five_seconds_of_sandbox_time(caller: Caller, receiver: Receiver) -> None:
    await create(caller, "MKPAY5S0001", receiver)
    assert (await caller.call(QUERY, "MKPAY5S0001")).json["status"] == "WAIT_BUYER_PAY"
    caller.sandbox.clock.advance(5)
    [note] = await receiver.wait_for(1)  # the background tick pays it, with no query needed
    assert note.form["status"] == "TRADE_SUCCESS"
    assert (await caller.call(QUERY, "MKPAY5S0001")).json["status"] == "TRADE_SUCCESS"


@story("refund-processing")
async def test_refund_processing_then_success(caller: Caller, receiver: Receiver) -> None:
    await create(caller, "MKREFUNDPROC0001", receiver)
    await receiver.wait_for(1)
    refund = (await caller.call(REFUND, "MKREFUNDPROC0001", refundAmount=100, refundOrderId="MKR0000001")).json
    assert (refund["errCode"], refund["refundStatus"]) == ("SUCCESS", "PROCESSING")
    assert "refundPayTime" not in refund
    first = (await caller.call(REFUND_QUERY, "MKREFUNDPROC0001", refundOrderId="MKR0000001")).json
    second = (await caller.call(REFUND_QUERY, "MKREFUNDPROC0001", refundOrderId="MKR0000001")).json
    assert (first["refundStatus"], second["refundStatus"]) == ("PROCESSING", "SUCCESS")
    notes = await receiver.wait_for(2)
    assert [n.form["status"] for n in notes] == ["TRADE_SUCCESS", "TRADE_REFUND"]


@story("refund-fails")
async def test_refund_fails(caller: Caller) -> None:
    await create(caller, "MKREFUNDFAIL0001")
    refund = (await caller.call(REFUND, "MKREFUNDFAIL0001", refundAmount=100)).json
    assert (refund["errCode"], refund["refundStatus"], refund["status"]) == ("SUCCESS", "FAIL", "TRADE_SUCCESS")
    full = (await caller.call(REFUND, "MKREFUNDFAIL0001", refundAmount=360)).json
    assert full["errCode"] == "SUCCESS"  # a failed refund does not use up the refundable amount


@story("notify-retried")
async def test_notification_refused_twice_then_accepted(caller: Caller, receiver: Receiver) -> None:
    receiver.answers = [(200, "FAILED"), (500, "oops")]
    caller.sandbox.move_clock(freeze=True)  # retries wait on sandbox time: 1 s, then 1 s more
    sleepers = caller.sleepers
    await create(caller, "MKNOTIFYRETRY0001", receiver)
    await caller.attempted("MKNOTIFYRETRY0001", 1)
    assert await sleepers.waiting() == pytest.approx([1.0])  # the retry, due in one second of sandbox time
    await sleepers.move(lambda: caller.sandbox.move_clock(advance=0.9))  # it noticed the move and waits on
    assert len(receiver.received) == 1  # not due yet
    caller.sandbox.move_clock(advance=0.1)
    await caller.attempted("MKNOTIFYRETRY0001", 2)
    caller.sandbox.move_clock(advance=1)
    notes = await receiver.wait_for(3)
    assert len(notes) == 3
    assert len({n.form["notifyId"] for n in notes}) == 1
    await caller.wait_idle()
    async with caller.client.get("/__mockums/notifications", params={"merOrderId": "MKNOTIFYRETRY0001"}) as response:
        [delivery] = await response.json()
    assert delivery["state"] == "delivered"
    assert [a["accepted"] for a in delivery["attempts"]] == [False, False, True]


@story("notify-twice")
async def test_notification_sent_twice(caller: Caller, receiver: Receiver) -> None:
    await create(caller, "MKNOTIFYDUP0001", receiver)
    notes = await receiver.wait_for(2)
    assert notes[0].form == notes[1].form


@story("notify-bad-signature")
async def test_notification_with_a_bad_signature(caller: Caller, receiver: Receiver) -> None:
    await create(caller, "MKNOTIFYBADSIG0001", receiver)
    [note] = await receiver.wait_for(1)
    assert not notification_signature_valid(note.form, DEMO_APP.notify_key)


@story("notify-late")
async def test_late_notification(caller: Caller, receiver: Receiver) -> None:
    caller.sandbox.move_clock(freeze=True)
    sleepers = caller.sleepers
    await create(caller, "MKNOTIFYLATE0001", receiver)
    assert (await caller.call(QUERY, "MKNOTIFYLATE0001")).json["status"] == "TRADE_SUCCESS"
    assert await sleepers.waiting() == pytest.approx([3.0])  # the notification waits three seconds of sandbox time
    await sleepers.move(lambda: caller.sandbox.move_clock(advance=2.9))
    assert receiver.received == []  # they have not passed
    caller.sandbox.move_clock(advance=0.1)
    [note] = await receiver.wait_for(1)
    assert note.form["status"] == "TRADE_SUCCESS"


@story("order-expired")
async def test_order_expired(caller: Caller) -> None:
    await create(caller, "MKEXPIRE0001")
    caller.sandbox.clock.advance(1)
    assert (await caller.call(QUERY, "MKEXPIRE0001")).json["status"] == "TRADE_CLOSED"
    closed = (await caller.call(WX_CLOSE, "MKEXPIRE0001")).json
    assert (closed["errCode"], closed["errMsg"]) == ("OPERATION_NOT_ALLOWED", "订单已关闭")


async def test_redelivering_a_notification_keeps_its_notify_id(caller: Caller, receiver: Receiver) -> None:
    await create(caller, "MKPAYNOW0002", receiver)
    [first] = await receiver.wait_for(1)
    async with caller.client.post(f"/__mockums/notifications/{first.form['notifyId']}/redeliver") as response:
        assert response.status == 200
    [_, again] = await receiver.wait_for(2)
    assert again.form == first.form

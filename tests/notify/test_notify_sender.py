"""The notification sender against a real aiohttp receiver on 127.0.0.1 (never another address)."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import pytest
from aiohttp import web

from mockums.clock import Clock
from mockums.notify import sign_notification
from mockums.notify.sender import Delivery, Notifier, NotifyPolicy

KEY = "test-communication-key-0123456789"
FAST = NotifyPolicy(schedule=(0, 0.05, 0.05), timeout=0.5)


def receiver_verifies(form: dict[str, str], key: str) -> bool:
    """The merchant's own check, written from the spec and not from mockums.notify.signing."""
    text = "&".join(f"{k}={v}" for k, v in sorted(form.items()) if k != "sign" and v) + key
    digest = hashlib.md5 if form.get("signType") == "MD5" else hashlib.sha256
    return digest(text.encode("utf-8")).hexdigest().upper() == form.get("sign")


@dataclass
class Seen:
    content_type: str
    form: dict[str, str]
    verified: bool


@dataclass
class Receiver:
    """A merchant endpoint: answers from a script, then the default; can hang until released."""

    url: str = ""
    answers: list[tuple[int, str]] = field(default_factory=list)
    default: tuple[int, str] = (200, "SUCCESS")
    hang: bool = False
    seen: list[Seen] = field(default_factory=list)
    release: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        form = dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=True))
        self.seen.append(Seen(request.headers.get("Content-Type", ""), form, receiver_verifies(form, KEY)))
        if self.hang:
            # Bounded, and released at teardown so the server can close at once.
            await asyncio.wait_for(self.release.wait(), 3)
        status, text = self.answers.pop(0) if self.answers else self.default
        return web.Response(status=status, text=text)

    async def redirect(self, request: web.Request) -> web.Response:
        raise web.HTTPFound("/notify")


@pytest.fixture
async def receiver(aiohttp_server: Callable[..., Awaitable[Any]]) -> AsyncIterator[Receiver]:
    target = Receiver()
    app = web.Application()
    app.router.add_post("/notify", target.handle)
    app.router.add_post("/redirect", target.redirect)
    server = await aiohttp_server(app, host="127.0.0.1")
    target.url = str(server.make_url("/notify"))
    yield target
    target.release.set()


@pytest.fixture
async def make_notifier() -> AsyncIterator[Callable[..., Awaitable[Notifier]]]:
    made: list[Notifier] = []

    async def make(policy: NotifyPolicy = FAST, capacity: int = 1000, clock: Clock | None = None) -> Notifier:
        notifier = Notifier(clock or Clock(), policy, capacity)
        await notifier.start()
        made.append(notifier)
        return notifier

    yield make
    for notifier in made:
        await notifier.stop()


@pytest.fixture
async def notifier(make_notifier: Callable[..., Awaitable[Notifier]]) -> Notifier:
    return await make_notifier()


def payment(notify_id: str = "nid-1", mer_order_id: str = "3194ORDER1") -> dict[str, str]:
    return sign_notification({
        "mid": "898340149000005", "tid": "88880001", "instMid": "QRPAYDEFAULT", "merOrderId": mer_order_id,
        "status": "TRADE_SUCCESS", "totalAmount": "1", "notifyId": notify_id, "ns": "abcd",
        "merName": "测试商户", "payTime": "2024-01-02 03:04:05", "attachedData": "",
    }, KEY)


def send(notifier: Notifier, url: str, notify_id: str = "nid-1", **kwargs: Any) -> Delivery:
    mer_order_id = kwargs.pop("mer_order_id", "3194ORDER1")
    return notifier.send(url, payment(notify_id, mer_order_id), kind="payment", mid="898340149000005",
                         mer_order_id=mer_order_id, notify_id=notify_id, **kwargs)


async def until(predicate: Callable[[], bool], timeout: float = 2.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.01)


def now(notifier: Notifier, delivery: Delivery) -> Delivery:
    """A delivery as it stands now (records are values: the one `send` gave is the first)."""
    found = notifier.delivery(delivery.number)
    assert found is not None, f"delivery {delivery.notify_id} is no longer kept"
    return found


async def finished(notifier: Notifier, delivery: Delivery) -> Delivery:
    await until(lambda: now(notifier, delivery).finished)
    return now(notifier, delivery)


def notify_tasks() -> list[asyncio.Task[Any]]:
    """The attempts under way (each its own task)."""
    return [t for t in asyncio.all_tasks() if t.get_name().startswith("mockums-notify:")]


def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_accepted_at_once(notifier: Notifier, receiver: Receiver) -> None:
    delivery = send(notifier, receiver.url)
    assert await notifier.wait_idle(2)
    delivery = now(notifier, delivery)
    assert delivery.state == "delivered"
    assert len(delivery.attempts) == 1
    attempt = delivery.attempts[0]
    assert (attempt.number, attempt.status, attempt.body, attempt.error, attempt.accepted) == (
        1, 200, "SUCCESS", None, True)
    assert receiver.seen[0].verified


async def test_failed_then_500_then_accepted(notifier: Notifier, receiver: Receiver) -> None:
    receiver.answers = [(200, "FAILED"), (500, "boom")]
    delivery = send(notifier, receiver.url, "nid-retry")
    assert await notifier.wait_idle(2)
    delivery = now(notifier, delivery)
    assert delivery.state == "delivered"
    assert [(a.number, a.status, a.accepted) for a in delivery.attempts] == [
        (1, 200, False), (2, 500, False), (3, 200, True)]
    assert [a.body for a in delivery.attempts] == ["FAILED", "boom", "SUCCESS"]
    assert len(receiver.seen) == 3
    for seen in receiver.seen:
        assert seen.content_type == "application/x-www-form-urlencoded"
        assert seen.form["notifyId"] == "nid-retry"
        assert seen.form == delivery.params  # the same signed fields every time
        assert seen.verified
    assert "attachedData" in receiver.seen[0].form  # empty fields are sent, just not signed
    assert receiver.seen[0].form["merName"] == "测试商户"


async def test_gives_up_after_len_schedule_attempts(notifier: Notifier, receiver: Receiver) -> None:
    receiver.default = (200, "FAILED")
    delivery = send(notifier, receiver.url)
    assert await notifier.wait_idle(2)
    delivery = now(notifier, delivery)
    assert delivery.state == "gave_up"
    assert len(delivery.attempts) == len(FAST.schedule) == len(receiver.seen)
    assert delivery.reason == "no SUCCESS after 3 attempts"


@pytest.mark.parametrize("answer", [(200, "success"), (200, '{"code":"success"}'), (201, "OK"), (200, "FAILED"),
                                    (404, "SUCCESS")])
async def test_only_a_2xx_containing_success_is_accepted(make_notifier: Callable[..., Awaitable[Notifier]],
                                                        receiver: Receiver, answer: tuple[int, str]) -> None:
    notifier = await make_notifier(NotifyPolicy(schedule=(0,), timeout=0.5))
    receiver.default = answer
    delivery = send(notifier, receiver.url)
    assert await notifier.wait_idle(2)
    delivery = now(notifier, delivery)
    assert delivery.state == "gave_up"


@pytest.mark.parametrize("body", ['{"code":"SUCCESS"}', '{"code":"SUCCESS","msg":"成功"}', "<xml>SUCCESS</xml>"])
async def test_an_answer_containing_success_is_accepted(notifier: Notifier, receiver: Receiver, body: str) -> None:
    """The documented rule is a `SUCCESS` substring: a receiver that answers JSON or XML around it is not retried."""
    receiver.default = (200, body)
    delivery = send(notifier, receiver.url)
    assert await notifier.wait_idle(2)
    delivery = now(notifier, delivery)
    assert delivery.state == "delivered"
    assert delivery.reason is None
    assert [(a.number, a.status, a.body, a.accepted) for a in delivery.attempts] == [(1, 200, body, True)]
    assert len(receiver.seen) == 1


async def test_whitespace_around_success_is_accepted(notifier: Notifier, receiver: Receiver) -> None:
    receiver.default = (200, "  SUCCESS\r\n")
    delivery = send(notifier, receiver.url)
    assert await notifier.wait_idle(2)
    delivery = now(notifier, delivery)
    assert delivery.state == "delivered"


async def test_hanging_receiver_times_out(make_notifier: Callable[..., Awaitable[Notifier]],
                                          receiver: Receiver) -> None:
    notifier = await make_notifier(NotifyPolicy(schedule=(0, 0), timeout=0.1))
    receiver.hang = True
    delivery = send(notifier, receiver.url)
    assert await notifier.wait_idle(2)
    delivery = now(notifier, delivery)
    assert delivery.state == "gave_up"
    assert len(delivery.attempts) == 2
    for attempt in delivery.attempts:
        assert attempt.status is None
        assert attempt.error is not None
        assert attempt.error.startswith("timeout")
        assert 90 <= attempt.duration_ms < 1000


async def test_connection_refused_is_recorded(notifier: Notifier) -> None:
    delivery = send(notifier, f"http://127.0.0.1:{closed_port()}/notify")
    assert await notifier.wait_idle(2)
    delivery = now(notifier, delivery)
    assert delivery.state == "gave_up"
    assert len(delivery.attempts) == 3
    assert all(a.status is None and a.error and a.error.startswith("connection failed") for a in delivery.attempts)


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/notify", "mailto:shop@example.com", "/notify", "http:///x", ""])
async def test_non_http_url_gives_up_at_once(notifier: Notifier, url: str) -> None:
    delivery = send(notifier, url)
    assert delivery.state == "gave_up"
    assert len(delivery.attempts) == 1
    assert delivery.attempts[0].error
    assert delivery.reason == delivery.attempts[0].error
    assert notify_tasks() == []


async def test_redirects_are_not_followed(notifier: Notifier, receiver: Receiver) -> None:
    delivery = send(notifier, receiver.url.replace("/notify", "/redirect"), schedule=(0,))
    assert await notifier.wait_idle(2)
    delivery = now(notifier, delivery)
    assert delivery.attempts[0].status == 302
    assert delivery.state == "gave_up"
    assert receiver.seen == []


async def test_send_returns_at_once_and_a_hanging_receiver_blocks_nothing_else(
        make_notifier: Callable[..., Awaitable[Notifier]], receiver: Receiver,
        aiohttp_server: Callable[..., Awaitable[Any]]) -> None:
    notifier = await make_notifier(NotifyPolicy(schedule=(0,), timeout=1.0))
    receiver.hang = True
    for number in range(20):
        started = time.perf_counter()
        send(notifier, receiver.url, f"hang-{number}")
        assert time.perf_counter() - started < 0.05
    await until(lambda: len(receiver.seen) == 20)  # all 20 requests are in flight together

    healthy = Receiver()
    app = web.Application()
    app.router.add_post("/notify", healthy.handle)
    server = await aiohttp_server(app, host="127.0.0.1")
    started = time.perf_counter()
    delivery = send(notifier, str(server.make_url("/notify")), "healthy")
    delivery = await finished(notifier, delivery)
    assert delivery.state == "delivered"
    assert time.perf_counter() - started < 0.5  # well before the hanging ones time out
    assert not notifier.deliveries()[0].finished


async def test_capacity_drops_oldest_finished_first(make_notifier: Callable[..., Awaitable[Notifier]],
                                                    receiver: Receiver) -> None:
    notifier = await make_notifier(capacity=3)
    parked = send(notifier, receiver.url, "parked", delay=30)
    for number in range(3):
        delivery = send(notifier, receiver.url, f"done-{number}")
        await finished(notifier, delivery)
    kept = [d.notify_id for d in notifier.deliveries()]
    assert kept == ["parked", "done-1", "done-2"]
    assert now(notifier, parked).state == "pending"


async def test_capacity_evicts_and_cancels_pending_when_all_are_pending(
        make_notifier: Callable[..., Awaitable[Notifier]], receiver: Receiver,
        caplog: pytest.LogCaptureFixture) -> None:
    notifier = await make_notifier(capacity=2)
    first, *_ = [send(notifier, receiver.url, f"p-{n}", delay=30) for n in range(3)]
    assert [d.notify_id for d in notifier.deliveries()] == ["p-1", "p-2"]
    assert notifier.delivery(first.number) is None
    assert len(notifier.timers) == 2  # the evicted one's attempt will never be made
    notifier.clock.advance(30)
    assert await notifier.wait_idle(2)
    assert sorted(seen.form["notifyId"] for seen in receiver.seen) == ["p-1", "p-2"]


async def test_body_excerpt_is_capped(notifier: Notifier, receiver: Receiver) -> None:
    receiver.default = (200, "x" * 10_000)
    delivery = send(notifier, receiver.url, schedule=(0,))
    assert await notifier.wait_idle(2)
    delivery = now(notifier, delivery)
    assert len(delivery.attempts[0].body) == 200


async def test_schedule_and_delay_overrides(make_notifier: Callable[..., Awaitable[Notifier]],
                                            receiver: Receiver) -> None:
    clock = Clock()
    clock.freeze(1_700_000_000.0)  # waits follow the sandbox clock: frozen, the delay holds
    notifier = await make_notifier(clock=clock)
    receiver.default = (200, "FAILED")
    two = send(notifier, receiver.url, "two", schedule=(0, 0))
    late = send(notifier, receiver.url, "late", delay=20.0, schedule=(0,))
    await until(lambda: now(notifier, two).finished)  # `two` is done; `late` waits its 20 sandbox seconds
    assert (len(now(notifier, two).attempts), len(now(notifier, late).attempts)) == (2, 0)
    assert notifier.timers.due_at(("delivery", str(late.number))) == 1_700_000_020.0
    clock.advance(20)
    assert await notifier.wait_idle(2)
    two = now(notifier, two)
    late = now(notifier, late)
    assert len(late.attempts) == 1
    assert late.attempts[0].at - late.created_at == 20.0


async def test_records_use_the_injected_clock(make_notifier: Callable[..., Awaitable[Notifier]],
                                              receiver: Receiver) -> None:
    clock = Clock()
    clock.freeze(1_700_000_000.0)
    notifier = await make_notifier(clock=clock)
    delivery = send(notifier, receiver.url)
    assert await notifier.wait_idle(2)
    delivery = now(notifier, delivery)
    assert delivery.created_at == delivery.attempts[0].at == 1_700_000_000.0


async def test_redeliver_sends_a_new_delivery_with_the_same_notify_id(notifier: Notifier, receiver: Receiver) -> None:
    original = send(notifier, receiver.url, "nid-again")
    assert await notifier.wait_idle(2)
    original = now(notifier, original)
    again = notifier.redeliver("nid-again")
    assert again is not None
    assert again.number != original.number
    assert await notifier.wait_idle(2)
    original = now(notifier, original)
    again = now(notifier, again)
    assert again.state == "delivered"
    assert (again.notify_id, again.params, again.url) == (original.notify_id, original.params, original.url)
    assert receiver.seen[0].form == receiver.seen[1].form
    assert notifier.deliveries() == [original, again]
    assert notifier.redeliver("unknown") is None


async def test_deliveries_filter_by_merchant_and_order(notifier: Notifier, receiver: Receiver) -> None:
    a = send(notifier, receiver.url, "n-a", mer_order_id="ORDER-A")
    b = send(notifier, receiver.url, "n-b", mer_order_id="ORDER-B")
    assert [d.number for d in notifier.deliveries(mer_order_id="ORDER-B")] == [b.number]
    assert [d.number for d in notifier.deliveries(mid="898340149000005")] == [a.number, b.number]
    assert notifier.deliveries(mid="other") == []


async def test_wait_idle_reports_a_timeout(notifier: Notifier, receiver: Receiver) -> None:
    send(notifier, receiver.url, delay=30)
    assert not await notifier.wait_idle(0.05)


async def test_reset_ends_attempts_under_way_and_forgets(notifier: Notifier, receiver: Receiver) -> None:
    receiver.hang = True
    send(notifier, receiver.url, "hanging")
    parked = send(notifier, receiver.url, "parked", delay=30)
    # Under way means at the receiver, which holds it: a task alone may not have sent it yet (seen on a loaded
    # machine, where the reset came first and the receiver saw nothing).
    await until(lambda: len(notify_tasks()) == 1 and len(receiver.seen) == 1)
    tasks = notify_tasks()
    notifier.reset()
    assert (notifier.deliveries(), len(notifier.timers)) == ([], 0)
    assert await notifier.wait_idle(0.1)
    await asyncio.wait(tasks, timeout=1)
    assert all(t.cancelled() for t in tasks)
    assert notifier.delivery(parked.number) is None
    assert [seen.form["notifyId"] for seen in receiver.seen] == ["hanging"]


async def test_a_notifier_never_started_keeps_its_deliveries_for_when_it_starts(receiver: Receiver) -> None:
    notifier = Notifier(Clock(), FAST)
    delivery = send(notifier, receiver.url, "before-start")  # no loop, no session: nothing raises
    assert now(notifier, delivery).state == "pending"
    await notifier.start()
    try:
        assert await notifier.wait_idle(2)
        assert now(notifier, delivery).state == "delivered"
    finally:
        await notifier.stop()


async def test_stop_leaves_no_task_and_can_be_called_twice(receiver: Receiver) -> None:
    notifier = Notifier(Clock(), NotifyPolicy(schedule=(0,), timeout=2.0))
    await notifier.start()
    receiver.hang = True
    hanging = send(notifier, receiver.url, "hanging")
    parked = send(notifier, receiver.url, "parked", delay=30)
    await until(lambda: len(receiver.seen) == 1)
    await notifier.stop()
    assert notify_tasks() == []
    hanging, parked = now(notifier, hanging), now(notifier, parked)
    assert hanging.state == parked.state == "gave_up"
    assert hanging.reason == parked.reason == "cancelled: notifier stopped"
    await notifier.stop()


async def test_one_log_line_per_attempt_without_the_key(notifier: Notifier, receiver: Receiver,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="mockums.notify")
    receiver.answers = [(200, "FAILED"), (500, "")]
    send(notifier, receiver.url, "nid-log")
    assert await notifier.wait_idle(2)
    lines = [r.getMessage() for r in caplog.records if r.name == "mockums.notify"]
    assert len(lines) == 3
    assert all("nid-log" in line for line in lines)
    assert [f"attempt {n}/3" in line for n, line in enumerate(lines, start=1)] == [True] * 3
    assert lines[-1].endswith("accepted")
    assert not any(KEY in line for line in caplog.text.splitlines())


def test_policy_validation() -> None:
    with pytest.raises(ValueError, match="schedule"):
        NotifyPolicy(schedule=())
    with pytest.raises(ValueError, match="schedule"):
        NotifyPolicy(schedule=(0, -1))
    with pytest.raises(ValueError, match="schedule"):
        NotifyPolicy(schedule=(0.0,) * 101)
    with pytest.raises(ValueError, match="timeout"):
        NotifyPolicy(timeout=0)
    assert NotifyPolicy().schedule[0] == 0
    assert len(NotifyPolicy().schedule) == 11

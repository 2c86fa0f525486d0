"""Outgoing payment/refund notifications: POST a signed form to the merchant's notifyUrl, retry until SUCCESS.

Like the real platform, a delivery keeps its `notifyId` and its exact signed params across retries, and
only a 2xx answer whose body is exactly `SUCCESS` stops them. `send()` never waits on the network: it
records a `Delivery` and hands the work to a background task, so a slow or dead receiver can only ever
cost its own delivery (per-attempt timeout, a semaphore bounding concurrent requests).

The notifier never sees the communication key: callers sign with `mockums.notify.signing` first, so no
log line or record kept here can leak it.

Waits between attempts follow the sandbox clock (`Clock.sleep`): advancing it sends a retry that
fell due at once, freezing it holds retries; the per-attempt timeout is real time (it is the network's).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import aiohttp
from yarl import URL

from mockums.clock import Clock
from mockums.logs import fields as log_fields
from mockums.protocol.limits import NOTIFY_SCHEDULE

log = logging.getLogger("mockums.notify")

State = Literal["pending", "delivered", "gave_up"]
EXCERPT_CHARS = 200
# Read at most this much of an answer: enough to see SUCCESS/FAILED or an error page's opening,
# without letting a receiver that streams megabytes fill our memory.
READ_LIMIT = 4096
DEFAULT_SCHEDULE = NOTIFY_SCHEDULE
MAX_ATTEMPTS = 100  # attempts are kept per delivery, so their number is bounded too


def _checked_schedule(schedule: Sequence[float]) -> tuple[float, ...]:
    waits = tuple(float(wait) for wait in schedule)
    if not 1 <= len(waits) <= MAX_ATTEMPTS or any(wait < 0 for wait in waits):
        raise ValueError(f"a notify schedule needs 1 to {MAX_ATTEMPTS} waits, none negative; got {schedule!r}")
    return waits


@dataclass(frozen=True)
class NotifyPolicy:
    """`schedule[i]` is the wait (s) before attempt i+1; `len(schedule)` attempts, then the delivery gives up.

    The default spreads 11 attempts over about 4 h, in the spirit of the platform's "many times within 24 h".
    """

    schedule: tuple[float, ...] = DEFAULT_SCHEDULE
    timeout: float = 5.0
    max_concurrency: int = 50

    def __post_init__(self) -> None:
        object.__setattr__(self, "schedule", _checked_schedule(self.schedule))
        if self.timeout <= 0 or self.max_concurrency < 1:
            raise ValueError("a notify policy needs timeout > 0 and max_concurrency >= 1")


@dataclass(frozen=True)
class Attempt:
    number: int  # 1-based
    at: float  # the injected clock's time when the attempt started
    status: int | None  # HTTP status, None when no answer came
    body: str  # the answer's opening, at most EXCERPT_CHARS characters
    error: str | None  # why no usable answer came (refused, timeout, bad URL...)
    accepted: bool
    duration_ms: float


@dataclass(eq=False)  # identity semantics: a delivery is a live record, and it keys the task table
class Delivery:
    notify_id: str
    url: str
    kind: str  # "payment", "refund"...
    mid: str
    mer_order_id: str
    params: dict[str, str]  # the signed form fields, exactly as sent on every attempt
    created_at: float
    schedule: tuple[float, ...]
    attempts: list[Attempt] = field(default_factory=list)
    state: State = "pending"
    reason: str | None = None  # why it gave up: exhausted, bad URL, cancelled, evicted, internal error

    @property
    def finished(self) -> bool:
        return self.state != "pending"


def is_accepted(status: int, body: str) -> bool:
    """The platform's rule: a 2xx whose body, stripped, is exactly `SUCCESS` (case-sensitive).

    `success`, `{"code":"SUCCESS"}` or `OK` all count as failures and trigger a retry, as they do for
    real; merchants who answer that way in production get duplicated notifications.
    """
    return 200 <= status < 300 and body.strip() == "SUCCESS"


def url_problem(url: str) -> str | None:
    """Why `url` cannot be delivered to, or None. Only absolute http(s) URLs are attempted."""
    try:
        parsed = URL(url)
    except (ValueError, TypeError) as exc:
        return f"invalid notify URL {url!r}: {exc}"
    if parsed.scheme not in ("http", "https"):
        return f"unsupported notify URL {url!r}: only http:// and https:// URLs are delivered"
    if not parsed.host:
        return f"notify URL {url!r} has no host"
    return None


async def _read_capped(response: aiohttp.ClientResponse) -> bytes:
    data = bytearray()
    while len(data) < READ_LIMIT:  # bounded: each pass adds at least one byte or stops
        chunk = await response.content.read(READ_LIMIT - len(data))
        if not chunk:
            break
        data += chunk
    return bytes(data)


class Notifier:
    """Delivers notifications in the background and keeps a capped history of what happened."""

    def __init__(self, clock: Clock, policy: NotifyPolicy | None = None, capacity: int = 1000) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.clock = clock
        self.policy = policy or NotifyPolicy()
        self.capacity = capacity
        self._session: aiohttp.ClientSession | None = None
        self._semaphore = asyncio.Semaphore(self.policy.max_concurrency)
        self._deliveries: list[Delivery] = []  # oldest first
        self._running: dict[Delivery, asyncio.Task[None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()  # every live task, including ones reset() let go of

    async def start(self) -> None:
        if self._session is None:
            # trust_env=False: no proxy from the environment, the request goes to the given URL only.
            self._session = aiohttp.ClientSession(trust_env=False)

    @property
    def pending(self) -> int:
        """How many deliveries are still under way (waiting for an attempt, or in one)."""
        return len(self._running)

    async def stop(self) -> None:
        """Cancel every pending delivery, wait for the tasks to end, close the session. Idempotent."""
        for delivery in list(self._running):
            self._cancel(delivery, "cancelled: notifier stopped")
        tasks = list(self._tasks)  # includes tasks reset() cancelled that have not ended yet
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()

    def send(self, url: str, params: Mapping[str, str], *, kind: str, mid: str, mer_order_id: str,
             notify_id: str, delay: float | None = None, schedule: Sequence[float] | None = None) -> Delivery:
        """Record a delivery and start it in the background; returns at once, never touches the network.

        `schedule` replaces the policy's waits for this delivery; `delay` then replaces the first wait.
        A URL that is not http(s) gives up immediately, with the reason in a single Attempt.
        """
        waits = _checked_schedule(self.policy.schedule if schedule is None else schedule)
        if delay is not None:
            waits = _checked_schedule((delay, *waits[1:]))
        delivery = Delivery(notify_id=notify_id, url=url, kind=kind, mid=mid, mer_order_id=mer_order_id,
                            params=dict(params), created_at=self.clock.now(), schedule=waits)
        problem = url_problem(url)
        if problem is None and self._session is None:
            raise RuntimeError("Notifier.send() before start() (or after stop())")
        self._remember(delivery)
        if problem is not None:
            attempt = Attempt(1, self.clock.now(), None, "", problem, False, 0.0)
            delivery.attempts.append(attempt)
            self._finish(delivery, "gave_up", problem)
            self._log(delivery, attempt)
            return delivery
        task = asyncio.get_running_loop().create_task(self._run(delivery), name=f"mockums-notify:{notify_id}")
        self._running[delivery] = task
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(lambda _: self._running.pop(delivery, None))
        return delivery

    def redeliver(self, notify_id: str) -> Delivery | None:
        """Fire the newest delivery with this notifyId again, as a NEW Delivery (None if unknown).

        Same URL, notifyId and signed params (so the same `sign`), same schedule but with no initial
        wait. The original, if still pending, keeps its own retries: merchants must dedupe by notifyId.
        """
        original = next((d for d in reversed(self._deliveries) if d.notify_id == notify_id), None)
        if original is None:
            return None
        return self.send(original.url, original.params, kind=original.kind, mid=original.mid,
                         mer_order_id=original.mer_order_id, notify_id=notify_id, delay=0.0,
                         schedule=original.schedule)

    def deliveries(self, mid: str | None = None, mer_order_id: str | None = None) -> list[Delivery]:
        """Kept deliveries, newest last, optionally filtered by merchant and order."""
        return [d for d in self._deliveries
                if (mid is None or d.mid == mid) and (mer_order_id is None or d.mer_order_id == mer_order_id)]

    async def wait_idle(self, timeout: float) -> bool:
        """Wait (at most `timeout` s) until no delivery is pending; True if that happened."""
        deadline = time.monotonic() + timeout
        while self._running:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            await asyncio.wait(list(self._running.values()), timeout=remaining)
        return True

    def reset(self) -> None:
        """Cancel every pending delivery and forget all records (stop() still reaps the cancelled tasks)."""
        for delivery in list(self._running):
            self._cancel(delivery, "cancelled: notifier reset")
        self._deliveries.clear()

    def _remember(self, delivery: Delivery) -> None:
        self._deliveries.append(delivery)
        while len(self._deliveries) > self.capacity:
            # Finished records are history and go first; a pending one is dropped (and cancelled)
            # only when everything kept is pending, so neither memory nor tasks grow without bound.
            victim = next((d for d in self._deliveries if d.finished), self._deliveries[0])
            self._deliveries.remove(victim)
            self._cancel(victim, "evicted: more than capacity deliveries were kept")

    def _cancel(self, delivery: Delivery, reason: str) -> None:
        # The state is set here, not in the task: a task cancelled before its first step never runs.
        task = self._running.pop(delivery, None)
        if task is not None:
            task.cancel()
            self._finish(delivery, "gave_up", reason)

    def _finish(self, delivery: Delivery, state: State, reason: str | None) -> None:
        delivery.state = state
        delivery.reason = reason

    async def _run(self, delivery: Delivery) -> None:
        try:
            for number, wait in enumerate(delivery.schedule, start=1):
                await self.clock.sleep(wait)
                attempt = await self._attempt(delivery, number)
                delivery.attempts.append(attempt)
                if attempt.accepted:
                    self._finish(delivery, "delivered", None)
                elif number == len(delivery.schedule):
                    self._finish(delivery, "gave_up", f"no SUCCESS after {number} attempts")
                self._log(delivery, attempt)
                if attempt.accepted:
                    return
        except asyncio.CancelledError:
            if not delivery.finished:  # cancelled from outside the notifier (e.g. the loop shutting down)
                self._finish(delivery, "gave_up", "cancelled")
            raise
        except Exception as exc:  # a bug here must not kill the loop's other work, nor vanish silently
            log.exception("notify %s: internal error, giving up", delivery.notify_id)
            self._finish(delivery, "gave_up", f"internal error: {exc!r}")

    async def _attempt(self, delivery: Delivery, number: int) -> Attempt:
        session = self._session
        async with self._semaphore:
            at = self.clock.now()
            started = time.monotonic()
            status: int | None = None
            body = ""
            error: str | None = None
            try:
                if session is None:
                    raise RuntimeError("notifier stopped")
                status, body = await asyncio.wait_for(self._post(session, delivery), self.policy.timeout)
            except asyncio.TimeoutError:
                error = f"timeout: no complete answer within {self.policy.timeout:g} s"
            except aiohttp.ClientConnectorError as exc:
                error = f"connection failed: {exc}"
            except Exception as exc:  # any other failure is just a failed attempt, recorded as text
                error = f"{type(exc).__name__}: {exc}"
            duration_ms = (time.monotonic() - started) * 1000
        accepted = status is not None and is_accepted(status, body)
        return Attempt(number, at, status, body[:EXCERPT_CHARS], error, accepted, round(duration_ms, 1))

    async def _post(self, session: aiohttp.ClientSession, delivery: Delivery) -> tuple[int, str]:
        # A list of pairs keeps field order; aiohttp encodes it as UTF-8 x-www-form-urlencoded.
        # No redirects: following one would send the notification somewhere else than notifyUrl.
        form = list(delivery.params.items())
        async with session.post(delivery.url, data=form, allow_redirects=False) as response:
            raw = await _read_capped(response)
            return response.status, raw.decode("utf-8", errors="replace")

    def _log(self, delivery: Delivery, attempt: Attempt) -> None:
        if attempt.accepted:
            outcome = "accepted"
        elif attempt.error is not None:
            outcome = attempt.error
        else:
            outcome = f"HTTP {attempt.status} {attempt.body[:60]!r}"
        if delivery.state == "gave_up":
            outcome += "; giving up"
        level = logging.INFO if attempt.accepted else logging.WARNING
        log.log(level, "notify %s attempt %d/%d to %s (%s %s): %s", delivery.notify_id, attempt.number,
                len(delivery.schedule), delivery.url, delivery.kind, delivery.mer_order_id, outcome,
                extra=log_fields("notify", notifyId=delivery.notify_id, merOrderId=delivery.mer_order_id,
                                  kind=delivery.kind, url=delivery.url, attempt=attempt.number,
                                  status=attempt.status, accepted=attempt.accepted, error=attempt.error,
                                  durationMs=attempt.duration_ms, state=delivery.state))

"""Outgoing payment/refund notifications: POST a signed form to the merchant's notifyUrl, retry until SUCCESS.

Like the real platform, a delivery keeps its `notifyId` and its exact signed params across retries, and
only a 2xx answer whose body contains `SUCCESS` stops them. `send()` never waits on the network and needs
no running loop: it records a `Delivery` and sets a timer for its first attempt. Once `start()`ed, the
notifier claims each attempt's timer as it falls due and makes the attempt in the background, so a slow or
dead receiver can only ever cost its own delivery (per-attempt timeout, a semaphore bounding concurrent
requests); a failed attempt sets the timer of the next.

The notifier never sees the communication key: callers sign with `mockums.notify.signing` first, so no
log line or record kept here can leak it.

Timers follow the sandbox clock: advancing it sends a retry that fell due at once, freezing it holds
retries; the per-attempt timeout is real time (it is the network's).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import aiohttp

from mockums.clock import Clock
from mockums.errors import StoreUnavailable
from mockums.limits import MAX_NOTIFY_ATTEMPTS, NOTIFY_SCHEDULE
from mockums.logs import fields as log_fields
from mockums.notify.deliveries import Attempt, Delivery, DeliveryRepository, MemoryDeliveries
from mockums.notify.posting import EXCERPT_CHARS, is_accepted, post_form, url_problem
from mockums.protocol.clipping import ID_CHARS, clip
from mockums.state.timers import MemoryTimers, TimerRepository

__all__ = ["Attempt", "Delivery", "Notifier", "NotifyPolicy", "is_accepted"]

log = logging.getLogger("mockums.notify")



def _checked_schedule(schedule: Sequence[float]) -> tuple[float, ...]:
    waits = tuple(float(wait) for wait in schedule)
    if not 1 <= len(waits) <= MAX_NOTIFY_ATTEMPTS or any(wait < 0 for wait in waits):
        raise ValueError(f"a notify schedule needs 1 to {MAX_NOTIFY_ATTEMPTS} waits, none negative; got {schedule!r}")
    return waits


@dataclass(frozen=True)
class NotifyPolicy:
    """`schedule[i]` is the wait (s) before attempt i+1; `len(schedule)` attempts, then the delivery gives up.

    The default spreads 11 attempts over about 4 h, in the spirit of the platform's "many times within 24 h".
    """

    schedule: tuple[float, ...] = NOTIFY_SCHEDULE
    timeout: float = 5.0
    max_concurrency: int = 50
    hosts: tuple[str, ...] = ()  # the hosts deliveries may go to (none: any)

    def __post_init__(self) -> None:
        object.__setattr__(self, "schedule", _checked_schedule(self.schedule))
        if self.timeout <= 0 or self.max_concurrency < 1:
            raise ValueError("a notify policy needs timeout > 0 and max_concurrency >= 1")


SHARED_POLL = 0.5  # real seconds between looks at a shared store's delivery timers
STORE_RETRY = 0.5  # real seconds between looks at a store that could not be reached


def _key(number: int) -> tuple[str, str]:
    return ("delivery", str(number))


def _nothing() -> None:
    pass


class Notifier:
    """Delivers notifications in the background; the deliveries and their timers are kept in repositories."""

    def __init__(self, clock: Clock, policy: NotifyPolicy | None = None, capacity: int = 1000,
                 deliveries: DeliveryRepository | None = None, timers: TimerRepository | None = None,
                 shared: bool = False) -> None:
        """`shared`: the deliveries are kept where other processes deliver them too (a Redis store): stopping
        leaves them pending for the others (or the next start), and the timers are looked at every
        SHARED_POLL seconds, since another process may have set one."""
        self.clock = clock
        self.shared = shared
        self.policy = policy or NotifyPolicy()
        self.store = deliveries if deliveries is not None else MemoryDeliveries(capacity)
        self.timers = timers if timers is not None else MemoryTimers()
        self._session: aiohttp.ClientSession | None = None
        self._semaphore = asyncio.Semaphore(self.policy.max_concurrency)
        self._loop_task: asyncio.Task[None] | None = None
        self._attempting: dict[int, asyncio.Task[None]] = {}
        self._wake: asyncio.Event | None = None
        self._changed: asyncio.Event | None = None
        self._unsubscribe: Callable[[], None] = _nothing

    # -- running ----------------------------------------------------------------------------------

    async def start(self) -> None:
        """Open the HTTP session and start claiming due attempts (call from the loop that will run them)."""
        if self._session is not None:
            return
        # trust_env=False: no proxy from the environment, the request goes to the given URL only.
        self._session = aiohttp.ClientSession(trust_env=False)
        loop = asyncio.get_running_loop()
        self._wake, self._changed = asyncio.Event(), asyncio.Event()
        wake = self._wake

        def moved() -> None:  # the clock may be moved from another thread (a test's handle)
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(wake.set)

        self._unsubscribe = self.clock.on_move(moved)
        self._loop_task = loop.create_task(self._claim_forever(), name="mockums-deliveries")

    async def stop(self) -> None:
        """Give up every pending delivery, end the background work, close the session. Idempotent."""
        self._unsubscribe()
        tasks = [task for task in (self._loop_task, *self._attempting.values()) if task is not None]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        self._loop_task = None
        self._attempting.clear()
        for delivery in () if self.shared else self.store.pending():
            self.timers.cancel(_key(delivery.number))
            self.store.update(delivery.number, lambda d: d.ended("gave_up", "cancelled: notifier stopped"))
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()

    @property
    def pending(self) -> int:
        """How many deliveries are still under way (waiting for an attempt, or in one)."""
        return len(self.store.pending())

    # -- sending ----------------------------------------------------------------------------------

    def send(self, url: str, params: Mapping[str, str], *, kind: str, mid: str, mer_order_id: str,
             notify_id: str, delay: float | None = None, schedule: Sequence[float] | None = None) -> Delivery:
        """Record a delivery and set the timer of its first attempt; returns at once, never touches the network.

        `schedule` replaces the policy's waits for this delivery; `delay` then replaces the first wait.
        A URL that is not http(s) gives up immediately, with the reason in a single Attempt.
        """
        waits = _checked_schedule(self.policy.schedule if schedule is None else schedule)
        if delay is not None:
            waits = _checked_schedule((delay, *waits[1:]))
        now = self.clock.now()
        delivery = Delivery(self.store.number(), notify_id, url, kind, mid, mer_order_id, dict(params), now, waits)
        problem = url_problem(url, self.policy.hosts)
        if problem is not None:
            attempt = Attempt(1, now, None, "", problem, False, 0.0)
            delivery = delivery.with_attempt(attempt).ended("gave_up", problem)
        first_due = None if problem is not None else now + waits[0]
        for dropped in self.store.add(delivery, first_due):
            self._forget(dropped.number)
        if problem is not None:
            self._log(delivery, attempt)
            return delivery
        if not self.store.keeps_timers:
            self.timers.schedule(_key(delivery.number), now + waits[0])
        if self._wake is not None:
            self._wake.set()
        return delivery

    def redeliver(self, notify_id: str) -> Delivery | None:
        """Fire the newest delivery with this notifyId again, as a NEW Delivery (None if unknown).

        Same URL, notifyId and signed params (so the same `sign`), same schedule but with no initial
        wait. The original, if still pending, keeps its own retries: merchants must dedupe by notifyId.
        """
        original = self.store.newest_with(notify_id)
        if original is None:
            return None
        return self.send(original.url, original.params, kind=original.kind, mid=original.mid,
                         mer_order_id=original.mer_order_id, notify_id=notify_id, delay=0.0,
                         schedule=original.schedule)

    def deliveries(self, mid: str | None = None, mer_order_id: str | None = None) -> list[Delivery]:
        """Kept deliveries, oldest first, optionally filtered by merchant and order."""
        return self.store.matching(mid, mer_order_id)

    def delivery(self, number: int) -> Delivery | None:
        """A kept delivery as it stands now."""
        return self.store.get(number)

    async def wait_idle(self, timeout: float) -> bool:
        """Wait (at most `timeout` s) until no delivery is pending; True if that happened."""
        deadline = time.monotonic() + timeout
        while self.store.pending():
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self._changed is None:
                return False
            self._changed.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)
        return True

    def reset(self) -> None:
        """Forget every delivery and its timer, ending any attempt under way."""
        for delivery in self.store.clear():
            self._forget(delivery.number)
        self.timers.clear()
        self._settled()

    def _forget(self, number: int) -> None:
        """Cancel a delivery's timer and the attempt under way, if any."""
        self.timers.cancel(_key(number))
        task = self._attempting.pop(number, None)
        if task is not None:
            task.cancel()

    def _settled(self) -> None:
        if self._changed is not None:
            self._changed.set()

    # -- attempting -------------------------------------------------------------------------------

    async def _claim_forever(self) -> None:
        """Claim each attempt as its timer falls due and make it in the background. While the store cannot be
        reached, it looks again every STORE_RETRY seconds (said once, and again when it answers)."""
        assert self._wake is not None
        lost = False
        while True:
            self._wake.clear()
            try:
                wait = self._claim_due()
            except StoreUnavailable as error:
                if not lost:
                    log.warning("notifications wait: the store is unavailable: %s", error.message)
                lost = True
                await asyncio.sleep(STORE_RETRY)  # real time: the sandbox clock may be unreadable
                continue
            if lost:
                log.warning("the store answers again: notifications go on")
                lost = False
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), wait)

    def _claim_due(self) -> float | None:
        """Start the attempts that have fallen due; how long until the next one (None: none is set)."""
        for key in self.timers.claim_due(self.clock.now()):
            number = int(key[1])
            task = asyncio.get_running_loop().create_task(self._attempt(number), name=f"mockums-notify:{number}")
            self._attempting[number] = task
            task.add_done_callback(self._done(number))
        due = self.timers.next_due()
        wait = None if due is None or self.clock.frozen else max(0.0, due - self.clock.now())
        if self.shared:
            wait = SHARED_POLL if wait is None else min(wait, SHARED_POLL)
        return wait

    def _done(self, number: int) -> Callable[[asyncio.Task[None]], None]:
        """What to do when the attempt of delivery `number` ends: forget its task."""

        def forget(_: asyncio.Task[None]) -> None:
            self._attempting.pop(number, None)

        return forget

    async def _attempt(self, number: int) -> None:
        try:
            await self._attempt_once(number)
        except StoreUnavailable as error:  # left claimed: made again once the store answers and the claim lapses
            log.warning("notify #%d: not attempted now, the store is unavailable: %s", number, error.message)

    async def _attempt_once(self, number: int) -> None:
        delivery = self.store.get(number)
        if delivery is None or delivery.finished or self._session is None:
            if self._session is not None:
                self.timers.cancel(_key(number))  # a claim under a lease leaves the timer set: nothing is left to do
            return
        try:
            attempt = await self._post(delivery, len(delivery.attempts) + 1)
        except Exception as exc:  # a bug here must not kill the loop's other work, nor vanish silently
            log.exception("notify %s: internal error, giving up", delivery.notify_id)
            reason = f"internal error: {exc!r}"
            self.store.update(number, lambda d: d.ended("gave_up", reason))
            self.timers.cancel(_key(number))
            self._settled()
            return
        updated = self.store.update(number, lambda d: d.with_attempt(attempt))
        if updated is not None:
            self._log(updated, attempt)
            if not updated.finished:
                self.timers.schedule(_key(number), self.clock.now() + updated.schedule[len(updated.attempts)])
                if self._wake is not None:
                    self._wake.set()
            else:
                self.timers.cancel(_key(number))
        self._settled()

    async def _post(self, delivery: Delivery, number: int) -> Attempt:
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
                status, body = await asyncio.wait_for(post_form(session, delivery.url, delivery.params),
                                                      self.policy.timeout)
            except asyncio.TimeoutError:
                error = f"timeout: no complete answer within {self.policy.timeout:g} s"
            except aiohttp.ClientConnectorError as exc:
                error = f"connection failed: {clip(str(exc))}"
            except Exception as exc:  # any other failure is just a failed attempt, recorded as text
                error = f"{type(exc).__name__}: {clip(str(exc))}"
            duration_ms = (time.monotonic() - started) * 1000
        accepted = status is not None and is_accepted(status, body)
        return Attempt(number, at, status, body[:EXCERPT_CHARS], error, accepted, round(duration_ms, 1))

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
        # The URL and the merOrderId are the merchant's (an H5 link's, anybody's): clipped like a request's line.
        log.log(level, "notify %s attempt %d/%d to %s (%s %s): %s", delivery.notify_id, attempt.number,
                len(delivery.schedule), clip(delivery.url), delivery.kind, clip(delivery.mer_order_id, ID_CHARS),
                clip(outcome),
                extra=log_fields("notify", notifyId=delivery.notify_id, merOrderId=delivery.mer_order_id,
                                  kind=delivery.kind, url=delivery.url, attempt=attempt.number,
                                  status=attempt.status, accepted=attempt.accepted, error=attempt.error,
                                  durationMs=attempt.duration_ms, state=delivery.state))

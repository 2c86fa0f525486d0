"""The background side of the sandbox: delivering notifications, firing what falls due, and
reloading scenario files when they change."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Sequence

from mockums.core.sandbox import Sandbox
from mockums.ledger.rules import Event
from mockums.notify import Notifier, NotifyPolicy
from mockums.notify import form as notifications

log = logging.getLogger("mockums.notify")
log_watch = logging.getLogger("mockums.scenarios")
SETTLE_SECONDS = 0.2
SETTLE_CHECKS = 20


def make_notifier(sandbox: Sandbox) -> Notifier:
    settings = sandbox.settings
    return Notifier(sandbox.clock, NotifyPolicy(settings.notify_schedule, settings.notify_timeout))


def send_events(sandbox: Sandbox, notifier: Notifier, events: Sequence[Event]) -> None:
    for event in events:
        order = event.order
        note = notifications.build(event, sandbox.ledger, sandbox.settings.app(order.app_id), sandbox.clock.now())
        if note is None:
            order.record(sandbox.clock.now(), f"{event.kind} notification not sent: the order has no notifyUrl")
            continue
        copies = 2 if note.plan.duplicate else 1
        for _ in range(copies):
            notifier.send(note.url, note.params, kind=note.kind, mid=note.mid, mer_order_id=note.mer_order_id,
                          notify_id=note.notify_id, delay=note.plan.delay, schedule=note.plan.schedule)
        order.record(sandbox.clock.now(), f"{event.kind} notification {note.notify_id} queued for {note.url}"
                     + (" (twice)" if copies == 2 else ""))


async def _tick_forever(sandbox: Sandbox) -> None:
    while True:
        await asyncio.sleep(sandbox.settings.tick_interval)
        try:
            sandbox.tick()
        except Exception:  # a bug in one order's plan must not stop every later payment
            log.exception("background tick failed")


async def _watch_forever(sandbox: Sandbox) -> None:
    """Poll the scenario files (mtime and size): no file watcher dependency, and cheap at 0.5 s."""
    scenarios = sandbox.scenarios
    while True:
        await asyncio.sleep(sandbox.settings.watch_interval)
        current = await asyncio.to_thread(scenarios.fingerprint)
        if current == scenarios.seen:
            continue
        # Editors often truncate, then write: reload only once the files have stopped changing, so a
        # half-saved (or momentarily empty) file is never taken for the new scenario set.
        for _ in range(SETTLE_CHECKS):
            await asyncio.sleep(SETTLE_SECONDS)
            again = await asyncio.to_thread(scenarios.fingerprint)
            if again == current:
                break
            current = again
        status = scenarios.reload()
        if status.ok:
            log_watch.info("scenario files changed: %d scenarios loaded", status.loaded)
        else:
            log_watch.error("scenario files changed but do not validate; the previous set is kept:\n  %s",
                            "\n  ".join(status.errors))


async def run_background(sandbox: Sandbox, notifier: Notifier) -> AsyncIterator[None]:
    """cleanup_ctx body: start the notifier, the ticker and the file watcher; stop them at shutdown."""
    await notifier.start()
    sandbox.on_events = lambda events: send_events(sandbox, notifier, events)
    tasks = [asyncio.create_task(_tick_forever(sandbox), name="mockums-tick")]
    if sandbox.settings.watch:
        tasks.append(asyncio.create_task(_watch_forever(sandbox), name="mockums-watch"))
    yield
    sandbox.on_events = None
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task
    await notifier.stop()

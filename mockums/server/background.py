"""The background side of the sandbox: firing what falls due on the sandbox clock, and reloading
scenario files when they change. The work itself is the core's; this module only schedules it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from mockums.core.sandbox import Sandbox
from mockums.errors import Invalid, StoreUnavailable

log = logging.getLogger("mockums.notify")
WATCH_LOGGER = "mockums.scenarios.watch"  # the file watcher's lines (of one worker only, with --workers)
log_watch = logging.getLogger(WATCH_LOGGER)
SETTLE_SECONDS = 0.2
SETTLE_CHECKS = 20


async def _tick_forever(sandbox: Sandbox) -> None:
    """Timed payments and refund settlements: checked every tick interval, and at once when the clock moves.
    While the store cannot be reached they wait (said once), and go on when it answers again (said too)."""
    lost: str | None = None
    while True:
        try:
            await sandbox.clock.wait_for_move(sandbox.settings.tick_interval)
            sandbox.tick()
        except StoreUnavailable as error:
            if lost is None:
                log.warning("timed payments and settlements wait: the store is unavailable: %s", error.message)
            lost = error.message
            await asyncio.sleep(sandbox.settings.tick_interval)  # real time: the sandbox clock may be unreadable
            continue
        except Exception:  # a bug in one order's plan must not stop every later payment
            log.exception("background tick failed")
        if lost is not None:
            log.warning("the store answers again: timed payments and settlements go on")
            lost = None


async def _watch_forever(sandbox: Sandbox) -> None:
    """Poll the scenario files (mtime and size): no file watcher dependency, and cheap at 0.5 s."""
    while True:
        await asyncio.sleep(sandbox.settings.watch_interval)
        if not await asyncio.to_thread(sandbox.scenario_files_changed):
            continue
        # Editors often truncate, then write: reload only once the files have stopped changing, so a
        # half-saved (or momentarily empty) file is never taken for the new scenario set.
        current = await asyncio.to_thread(sandbox.scenario_files_state)
        for _ in range(SETTLE_CHECKS):
            await asyncio.sleep(SETTLE_SECONDS)
            again = await asyncio.to_thread(sandbox.scenario_files_state)
            if again == current:
                break
            current = again
        try:
            status = sandbox.reload_scenarios()
        except StoreUnavailable as gone:
            log_watch.error("scenario files changed but were not reloaded: the store is unavailable: %s",
                            gone.message)
            continue
        except Invalid as problem:
            errors = problem.details.get("errors") or []
            errors = errors if isinstance(errors, list) else [errors]
            # One line each: the text log escapes line breaks, so a line never holds another.
            log_watch.error("scenario files changed but do not validate; the previous set is kept (%d error%s):",
                            len(errors), "" if len(errors) == 1 else "s")
            for error in errors:
                log_watch.error("  %s", error)
        else:
            log_watch.info("scenario files changed: %d scenarios loaded", status["loaded"])


async def run_background(sandbox: Sandbox) -> AsyncIterator[None]:
    """cleanup_ctx body: start the sandbox's notifier, the ticker and the file watcher; stop them at shutdown."""
    await sandbox.start()
    tasks = [asyncio.create_task(_tick_forever(sandbox), name="mockums-tick")]
    if sandbox.settings.watch:
        tasks.append(asyncio.create_task(_watch_forever(sandbox), name="mockums-watch"))
    yield
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task
    await sandbox.stop()

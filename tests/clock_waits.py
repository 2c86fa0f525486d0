"""Seeing that something due on the sandbox clock has NOT happened yet, without waiting on wall time.

Sleeping a moment and then looking proves nothing: the wait under test may just be slow to notice the
clock. What a test can wait for instead is the event itself. Every wait on the sandbox clock (a scripted
delay, a `no_answer` hold, a notification's next attempt) is `Clock.sleep_until(deadline)`, which begins a
wait for the next clock move (`Clock.wait_for_move`), and when the clock moves checks its deadline again:
not due, it begins another wait; due, it returns. `Sleepers` records both, per task, so that after a move
a test waits until every sleeper has noticed it and begun waiting again, which shows its deadline has not
come; a sleeper that returns instead fails the check at once.
"""

from __future__ import annotations

import asyncio
import inspect
from collections import Counter
from collections.abc import Callable
from typing import Any

from mockums.clock import Clock

Task = asyncio.Task[Any]


class Sleepers:
    """The tasks waiting on one sandbox clock (installed on the instance: the clock's own code is unchanged)."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.deadlines: dict[Task, float] = {}  # tasks inside sleep_until, and the deadline each waits for
        self.sleeps: Counter[Task] = Counter()  # sleep_until calls begun, per task
        self.waits: Counter[Task] = Counter()  # waits for a clock move begun, per task
        sleep_until, wait_for_move = clock.sleep_until, clock.wait_for_move

        async def recorded_sleep_until(deadline: float) -> None:
            task = asyncio.current_task()
            assert task is not None
            self.sleeps[task] += 1
            self.deadlines[task] = deadline
            try:
                await sleep_until(deadline)
            finally:
                del self.deadlines[task]

        async def counted_wait_for_move(timeout: float | None) -> None:
            task = asyncio.current_task()
            if task is not None:
                self.waits[task] += 1
            await wait_for_move(timeout)

        clock.sleep_until = recorded_sleep_until  # type: ignore[method-assign]
        clock.wait_for_move = counted_wait_for_move  # type: ignore[method-assign]

    async def waiting(self, count: int = 1, timeout: float = 10.0) -> list[float]:
        """Until at least `count` tasks wait on the clock (a held request, a scheduled attempt): their
        deadlines, as seconds from the clock's now, soonest first."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(self.deadlines) < count:
            assert loop.time() < deadline, f"{len(self.deadlines)} task(s) wait on the sandbox clock, not {count}"
            await asyncio.sleep(0.005)
        return sorted(at - self.clock.now() for at in self.deadlines.values())

    async def move(self, change: Callable[[], object], timeout: float = 10.0) -> None:
        """Make `change` (a clock move; a coroutine function is awaited), then return once every task that was
        waiting on the clock has noticed the move and begun waiting again: none of their deadlines came. Fails
        as soon as one of them stops waiting instead (its deadline came with this move)."""
        before = {task: (self.sleeps[task], self.waits[task]) for task in self.deadlines}
        assert before, "nothing waits on the sandbox clock"
        result = change()
        if inspect.isawaitable(result):
            await result
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            came = [task.get_name() for task, (sleeps, _) in before.items()
                    if task not in self.deadlines or self.sleeps[task] != sleeps]
            assert not came, f"the clock move brought the deadline of {', '.join(came)}: it stopped waiting"
            if all(self.waits[task] > waits for task, (_, waits) in before.items()):
                return
            assert loop.time() < deadline, f"the sleepers did not notice the clock move within {timeout} s"
            await asyncio.sleep(0.005)

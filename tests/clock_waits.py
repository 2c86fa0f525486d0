"""Seeing that something due on the sandbox clock has NOT happened yet, without waiting on wall time.

Sleeping a moment and then looking proves nothing: the wait under test may just be slow to notice the
clock. What a test can wait for instead is the event itself. Every wait on the sandbox clock (a scripted
delay, a `no_answer` hold, a notification's next attempt) is `Clock.sleep_until(deadline)`, which begins a
wait for the next clock move (`Clock.wait_for_move`), and when the clock moves checks its deadline again:
not due, it begins another wait; due, it returns. `Sleepers` records both, per task, so that after a move
a test waits until every sleeper has noticed it and begun waiting again, which shows its deadline has not
come; a sleeper that returns instead fails the check at once.

A notifier that keeps each attempt as a timer in a repository (`claim_due(now)`, `next_due()`), claimed by
one loop when the clock moves, is watched the same way: after a move the check waits for a claim made at
or after the new time, and fails if that claim took a timer.
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

    def __init__(self, clock: Clock, timers: Any = None) -> None:
        self.clock = clock
        self.timers = timers  # a TimerRepository whose claims are watched, or None
        self.claims: list[tuple[float, list[object], int]] = []  # each claim_due call: its now, what it took, moves
        self.moves = 0  # clock moves seen: a claim made after a move is one that counts more of them

        def count_move() -> None:
            self.moves += 1

        clock.on_move(count_move)
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
        if timers is not None:
            claim_due = timers.claim_due

            def recorded_claim_due(now: float) -> Any:
                claimed = claim_due(now)
                self.claims.append((now, list(claimed), self.moves))
                return claimed

            timers.claim_due = recorded_claim_due

    def due(self) -> list[float]:
        """When each wait ends (epoch seconds of the sandbox clock): every sleeping task's deadline, and the
        soonest timer's (a timer repository tells only that one)."""
        due = list(self.deadlines.values())
        if self.timers is not None and (soonest := self.timers.next_due()) is not None:
            due.append(soonest)
        return due

    async def waiting(self, count: int = 1, timeout: float = 10.0) -> list[float]:
        """Until at least `count` waits on the clock are under way (a held request, a scheduled attempt): when
        they end, as seconds from the clock's now, soonest first."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(self.due()) < count:
            assert loop.time() < deadline, f"{len(self.due())} wait(s) on the sandbox clock, not {count}"
            await asyncio.sleep(0.005)
        return sorted(at - self.clock.now() for at in self.due())

    async def move(self, change: Callable[[], object], timeout: float = 10.0) -> None:
        """Make `change` (a clock move; a coroutine function is awaited), then return once every task that was
        waiting on the clock has noticed the move and begun waiting again: none of their deadlines came. Fails
        as soon as one of them stops waiting instead (its deadline came with this move)."""
        before = {task: (self.sleeps[task], self.waits[task]) for task in self.deadlines}
        timer_due = self.timers.next_due() if self.timers is not None else None
        assert before or timer_due is not None, "nothing waits on the sandbox clock"
        claims, moves = len(self.claims), self.moves
        result = change()
        if inspect.isawaitable(result):
            await result
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            came = [task.get_name() for task, (sleeps, _) in before.items()
                    if task not in self.deadlines or self.sleeps[task] != sleeps]
            came += [f"timer {key}" for _, keys, _ in self.claims[claims:] for key in keys]
            assert not came, f"the clock move brought the deadline of {', '.join(came)}: it stopped waiting"
            tasks_wait_on = all(self.waits[task] > waits for task, (_, waits) in before.items())
            # A claim after the move (counted by the clock's own listeners, not by comparing times read a moment
            # apart, which a claim made before this task reads the clock would fail on Python 3.12+).
            timers_wait_on = timer_due is None or any(seen > moves for _, _, seen in self.claims[claims:])
            if tasks_wait_on and timers_wait_on:
                return
            assert loop.time() < deadline, f"the sleepers did not notice the clock move within {timeout} s"
            await asyncio.sleep(0.005)

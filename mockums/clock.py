"""The sandbox clock: one injectable time for everything that depends on time or waits.

Tokens, skew checks, order expiry, timed payments, refund settlement, scripted delays, `no_answer`
holds and notification retries all follow it. While it runs free it moves with real time; a test can
freeze, set or advance it, and every wait in progress (`Clock.sleep`) notices at once.

The gateway speaks Beijing time (UTC+8) in two formats: compact `yyyyMMddHHmmss` in auth headers
and `yyyy-MM-dd HH:mm:ss` in business bodies.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import math
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import NamedTuple

from mockums.state.cell import Cell, MemoryCell

BEIJING = timezone(timedelta(hours=8), "UTC+8")
BEIJING_OFFSET = 8 * 3600  # seconds Beijing time is ahead of UTC (no daylight saving time)
COMPACT_FORMAT = "%Y%m%d%H%M%S"
BODY_FORMAT = "%Y-%m-%d %H:%M:%S"
DATE_FORMAT = "%Y-%m-%d"


class ClockSetting(NamedTuple):
    """Where sandbox time stands: its offset from real time, or the moment it is frozen at."""

    offset: float = 0.0
    frozen_at: float | None = None


RUNNING = ClockSetting()  # real time, running


class Clock:
    """Real time that tests can freeze, set or advance, and that waits can follow. Its setting is kept in a
    cell (`mockums.state`), so every process of one sandbox can read the same time."""

    def __init__(self, setting: Cell[ClockSetting] | None = None) -> None:
        self._setting: Cell[ClockSetting] = setting if setting is not None else MemoryCell(RUNNING)
        self._listeners: set[Callable[[], None]] = set()
        # Real seconds between looks at the setting while waiting, when other processes share it (a Redis store) and
        # may move it; None: only this process moves it, and its moves wake the waiters.
        self.poll: float | None = None

    def now(self) -> float:
        """Seconds since the epoch, as this sandbox sees them."""
        offset, frozen_at = self._setting.get()
        return time.time() + offset if frozen_at is None else frozen_at

    def wall(self) -> float:
        """The real time, whatever the sandbox clock says: what clients stamp their requests with."""
        return time.time()

    def beijing(self) -> datetime:
        return datetime.fromtimestamp(self.now(), BEIJING)

    def _change(self, change: Callable[[ClockSetting], ClockSetting]) -> None:
        self._setting.update(change)
        self._moved()

    def freeze(self, at: float | None = None) -> None:
        """Stop sandbox time (at `at`, or where it is now)."""
        self._change(lambda setting: setting._replace(frozen_at=_now(setting) if at is None else at))

    def unfreeze(self) -> None:
        """Let sandbox time run again from where it stood."""
        if self.frozen:
            self._change(lambda setting: ClockSetting(_now(setting) - time.time(), None))

    def set(self, at: float) -> None:
        """Jump to `at` (epoch seconds), frozen or running as before."""
        self._change(lambda setting: setting._replace(frozen_at=at) if setting.frozen_at is not None
                     else ClockSetting(at - time.time(), None))

    def advance(self, seconds: float) -> None:
        """Move sandbox time on by `seconds`: whatever falls due in between happens now."""
        self._change(lambda setting: setting._replace(frozen_at=setting.frozen_at + seconds)
                     if setting.frozen_at is not None else ClockSetting(setting.offset + seconds, None))

    def reset(self) -> None:
        """Back to real time, running."""
        self._change(lambda _: RUNNING)

    # -- waiting on sandbox time ----------------------------------------------------------------

    def on_move(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call `listener` whenever the clock is frozen, set, advanced or reset; returns the unsubscribe."""
        self._listeners.add(listener)
        return lambda: self._listeners.discard(listener)

    def _moved(self) -> None:
        for listener in list(self._listeners):
            listener()

    async def wait_for_move(self, timeout: float | None) -> None:
        """Return when the clock is moved by hand, or after `timeout` real seconds (None: no limit)."""
        loop = asyncio.get_running_loop()
        moved: asyncio.Future[None] = loop.create_future()

        def settle() -> None:
            if not moved.done():
                moved.set_result(None)

        def wake() -> None:
            with contextlib.suppress(RuntimeError):  # the loop is already closed: nobody waits any more
                loop.call_soon_threadsafe(settle)

        unsubscribe = self.on_move(wake)
        try:
            await asyncio.wait([moved], timeout=timeout)
        finally:
            unsubscribe()
            moved.cancel()

    async def sleep_until(self, deadline: float) -> None:
        """Wait until sandbox time reaches `deadline`: in real time while the clock runs free, at once
        when it is advanced past it, never while it is frozen short of it."""
        while (remaining := deadline - self.now()) > 0:
            wait = None if self.frozen else remaining
            if self.poll is not None:  # moved by another process: no listener here hears it
                wait = self.poll if wait is None else min(wait, self.poll)
            await self.wait_for_move(wait)

    async def sleep(self, seconds: float) -> None:
        """Wait `seconds` of sandbox time (see `sleep_until`)."""
        if seconds > 0:
            await self.sleep_until(self.now() + seconds)

    @property
    def frozen(self) -> bool:
        return self._setting.get().frozen_at is not None


def _now(setting: ClockSetting) -> float:
    return time.time() + setting.offset if setting.frozen_at is None else setting.frozen_at


@functools.lru_cache(maxsize=256)  # a client stamps many requests with the same second
def parse_compact(text: str) -> datetime | None:
    """`20190227113148` read as Beijing time; None if it is not exactly that shape (ASCII digits only).

    Sliced by hand rather than with `strptime`, which costs about 20 µs a call on every request.
    """
    if len(text) != 14 or not (text.isascii() and text.isdigit()):
        return None
    try:
        return datetime(int(text[0:4]), int(text[4:6]), int(text[6:8]), int(text[8:10]), int(text[10:12]),
                        int(text[12:14]), tzinfo=BEIJING)
    except ValueError:  # a month 13, a 31st of April, an hour 24…
        return None


@functools.lru_cache(maxsize=256)  # a client stamps many requests with the same second
def epoch_of(text: str) -> float | None:
    """Seconds since the epoch of a `yyyy-MM-dd HH:mm:ss` or `yyyyMMddHHmmss` Beijing time; None if neither."""
    moment = parse_body_time(text) or parse_compact(text)
    return None if moment is None else moment.timestamp()


@functools.lru_cache(maxsize=256)
def parse_body_time(text: str) -> datetime | None:
    """`2022-04-15 09:49:59` read as Beijing time; None if it is not exactly that shape."""
    if len(text) != 19 or text[4] != "-" or text[7] != "-" or text[10] != " " or text[13] != ":" or text[16] != ":":
        return None
    return parse_compact(text[0:4] + text[5:7] + text[8:10] + text[11:13] + text[14:16] + text[17:19])


def format_compact(moment: datetime) -> str:
    return moment.astimezone(BEIJING).strftime(COMPACT_FORMAT)


def format_body_time(moment: datetime) -> str:
    return moment.astimezone(BEIJING).strftime(BODY_FORMAT)


def format_time(epoch: float) -> str:
    """Seconds since the epoch as `yyyy-MM-dd HH:mm:ss`, Beijing time."""
    return _format_second(second_of(epoch))


def second_of(epoch: float) -> int:
    """The whole second `datetime.fromtimestamp(epoch)` shows."""
    whole = int(epoch)
    # Unless the fraction rounds up to the next second (its last microsecond), the second is the whole part.
    return whole if 0.0 <= epoch - whole < 0.999999 else _whole_second(epoch)


def _whole_second(epoch: float) -> int:
    """The second `datetime.fromtimestamp(epoch)` shows: rounded to the microsecond first, as it does."""
    fraction, whole = math.modf(epoch)
    return int(whole) + math.floor(round(fraction * 1_000_000) / 1_000_000)


@functools.lru_cache(maxsize=256)  # answers made in the same second show the same time: formatted once
def _format_second(second: int) -> str:
    return datetime.fromtimestamp(second, BEIJING).strftime(BODY_FORMAT)


def beijing_date(epoch: float) -> str:
    """The Beijing date of a moment as `yyyyMMdd` (worked out once per day)."""
    return _format_day((second_of(epoch) + BEIJING_OFFSET) // 86400)


@functools.lru_cache(maxsize=64)
def _format_day(day: int) -> str:
    return datetime.fromtimestamp(day * 86400 - BEIJING_OFFSET, BEIJING).strftime("%Y%m%d")


def precise_time(epoch: float) -> str:
    """Beijing time with milliseconds, for the journal."""
    return datetime.fromtimestamp(epoch, BEIJING).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


def describe_skew(seconds: float) -> str:
    """A sentence a developer can act on: how far off, and the usual reason."""
    direction = "behind" if seconds < 0 else "ahead of"
    text = f"{abs(round(seconds))} s {direction} Beijing time (UTC+8)"
    hours = abs(seconds) / 3600
    if 7.5 <= hours <= 8.5 and seconds < 0:
        text += ": it looks stamped with a UTC clock; ChinaUMS expects Beijing time"
    elif hours >= 0.5 and abs(hours - round(hours)) < 0.05:
        text += ": a whole number of hours off, likely a time-zone mistake"
    return text


def parse_moment(value: object) -> float:
    """A moment as epoch seconds: a number, `yyyy-MM-dd HH:mm:ss` or `yyyyMMddHHmmss` (Beijing), or ISO 8601
    (Beijing unless it carries an offset). ValueError says which forms are accepted."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        epoch = epoch_of(value)
        if epoch is not None:
            return epoch
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            try:
                return (parsed if parsed.tzinfo else parsed.replace(tzinfo=BEIJING)).timestamp()
            except (OverflowError, ValueError) as error:
                raise ValueError(f"{value!r} is out of range ({error})") from None
    raise ValueError(f"{value!r} is not epoch seconds, yyyy-MM-dd HH:mm:ss (Beijing) or ISO 8601")

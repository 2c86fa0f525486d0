"""One injectable clock for everything that depends on time (tokens, skew checks, expiry).

The gateway speaks Beijing time (UTC+8) in two formats: compact `yyyyMMddHHmmss` in auth headers
and `yyyy-MM-dd HH:mm:ss` in business bodies.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8), "UTC+8")
COMPACT_FORMAT = "%Y%m%d%H%M%S"
BODY_FORMAT = "%Y-%m-%d %H:%M:%S"
DATE_FORMAT = "%Y-%m-%d"


class Clock:
    """Wall-clock time that tests can freeze, set or advance."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._frozen_at: float | None = None

    def now(self) -> float:
        """Seconds since the epoch, as this sandbox sees them."""
        if self._frozen_at is not None:
            return self._frozen_at
        return time.time() + self._offset

    def wall(self) -> float:
        """The real time, whatever the sandbox clock says: what clients stamp their requests with."""
        return time.time()

    def beijing(self) -> datetime:
        return datetime.fromtimestamp(self.now(), BEIJING)

    def freeze(self, at: float | None = None) -> None:
        self._frozen_at = self.now() if at is None else at

    def unfreeze(self) -> None:
        if self._frozen_at is not None:
            self._offset = self._frozen_at - time.time()
            self._frozen_at = None

    def set(self, at: float) -> None:
        if self._frozen_at is not None:
            self._frozen_at = at
        else:
            self._offset = at - time.time()

    def advance(self, seconds: float) -> None:
        if self._frozen_at is not None:
            self._frozen_at += seconds
        else:
            self._offset += seconds

    def reset(self) -> None:
        self._offset = 0.0
        self._frozen_at = None

    @property
    def frozen(self) -> bool:
        return self._frozen_at is not None


def parse_compact(text: str) -> datetime | None:
    """`20190227113148` read as Beijing time; None if it is not exactly that shape."""
    if len(text) != 14 or not text.isdigit():
        return None
    try:
        return datetime.strptime(text, COMPACT_FORMAT).replace(tzinfo=BEIJING)
    except ValueError:
        return None


def parse_body_time(text: str) -> datetime | None:
    """`2022-04-15 09:49:59` read as Beijing time; None if it is not exactly that shape."""
    if len(text) != 19:
        return None
    try:
        return datetime.strptime(text, BODY_FORMAT).replace(tzinfo=BEIJING)
    except ValueError:
        return None


def format_compact(moment: datetime) -> str:
    return moment.astimezone(BEIJING).strftime(COMPACT_FORMAT)


def format_body_time(moment: datetime) -> str:
    return moment.astimezone(BEIJING).strftime(BODY_FORMAT)


def format_time(epoch: float) -> str:
    """Seconds since the epoch as `yyyy-MM-dd HH:mm:ss`, Beijing time."""
    return format_body_time(datetime.fromtimestamp(epoch, BEIJING))


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

"""Notification deliveries as records, and where they are kept: the `DeliveryRepository` interface and its
in-memory implementation.

A delivery is a value: each attempt makes a new record (`with_attempt`), which the repository keeps in place
of the old one. Its next attempt is a timer (`mockums.state.timers`), claimed by exactly one sender.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Literal, NamedTuple, Protocol

State = Literal["pending", "delivered", "gave_up"]


class Attempt(NamedTuple):
    """One POST of a delivery, and what came of it."""

    number: int  # 1-based
    at: float  # sandbox time when the attempt started
    status: int | None  # HTTP status, None when no answer came
    body: str  # the answer's opening, at most EXCERPT_CHARS characters
    error: str | None  # why no usable answer came (refused, timeout, bad URL...)
    accepted: bool
    duration_ms: float


@dataclass(frozen=True)
class Delivery:
    """One notification on its way: the signed form sent on every attempt, the attempts made, and its state."""

    number: int  # its key: deliveries are numbered as they are made (one notifyId may have several)
    notify_id: str
    url: str
    kind: str  # "payment", "refund"...
    mid: str
    mer_order_id: str
    params: Mapping[str, str]  # the signed form fields, exactly as sent on every attempt
    created_at: float
    schedule: tuple[float, ...]  # the wait (s) before each attempt
    attempts: tuple[Attempt, ...] = ()
    state: State = "pending"
    reason: str | None = None  # why it gave up: exhausted, bad URL, cancelled, evicted, internal error

    @property
    def finished(self) -> bool:
        return self.state != "pending"

    def ended(self, state: State, reason: str | None) -> Delivery:
        """The delivery finished (delivered, or given up and why)."""
        return replace(self, state=state, reason=reason)

    def with_attempt(self, attempt: Attempt) -> Delivery:
        """The delivery after one more attempt: delivered when accepted, given up after the last."""
        attempts = (*self.attempts, attempt)
        if attempt.accepted:
            return replace(self, attempts=attempts, state="delivered", reason=None)
        if len(attempts) >= len(self.schedule):
            reason = f"no SUCCESS after {len(attempts)} attempts"
            return replace(self, attempts=attempts, state="gave_up", reason=reason)
        return replace(self, attempts=attempts)


class DeliveryRepository(Protocol):
    """The deliveries kept, oldest first, capped."""

    def number(self) -> int:
        """A number no delivery kept or made before has."""

    # True when `add` also sets the first attempt's timer, in the same atomic step (a store shared by several
    # processes: one dying in between would leave a pending delivery nobody attempts); the sender sets it otherwise.
    keeps_timers: bool

    def add(self, delivery: Delivery, first_due: float | None = None) -> list[Delivery]:
        """Keep a new delivery (its first attempt due at `first_due`, when this repository keeps timers); the
        pending ones dropped to make room, each given up (their timers are the caller's to cancel)."""

    def get(self, number: int) -> Delivery | None:
        """A delivery by its number."""

    def update(self, number: int, change: Callable[[Delivery], Delivery]) -> Delivery | None:
        """Apply `change` to a kept delivery as one atomic step; the new record (None: not kept)."""

    def matching(self, mid: str | None = None, mer_order_id: str | None = None) -> list[Delivery]:
        """Kept deliveries, oldest first, of this merchant and order (None: any)."""

    def newest_with(self, notify_id: str) -> Delivery | None:
        """The newest kept delivery with this notifyId."""

    def pending(self) -> list[Delivery]:
        """The deliveries still under way."""

    def clear(self) -> list[Delivery]:
        """Forget every delivery; those that were pending."""


class MemoryDeliveries:
    """Deliveries in this process: at most `capacity`; finished ones are history and dropped first, a pending
    one only when everything kept is pending (so neither memory nor timers grow without bound)."""

    def __init__(self, capacity: int = 1000) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self._kept: dict[int, Delivery] = {}  # in the order they were made
        self._made = 0

    def number(self) -> int:
        self._made += 1
        return self._made

    keeps_timers = False

    def add(self, delivery: Delivery, first_due: float | None = None) -> list[Delivery]:
        self._kept[delivery.number] = delivery
        dropped = []
        while len(self._kept) > self.capacity:
            victim = next((d for d in self._kept.values() if d.finished), next(iter(self._kept.values())))
            del self._kept[victim.number]
            if not victim.finished:
                dropped.append(victim.ended("gave_up", "evicted: more than capacity deliveries were kept"))
        return dropped

    def get(self, number: int) -> Delivery | None:
        return self._kept.get(number)

    def update(self, number: int, change: Callable[[Delivery], Delivery]) -> Delivery | None:
        old = self._kept.get(number)
        if old is None:
            return None
        self._kept[number] = new = change(old)
        return new

    def matching(self, mid: str | None = None, mer_order_id: str | None = None) -> list[Delivery]:
        return [d for d in self._kept.values()
                if (mid is None or d.mid == mid) and (mer_order_id is None or d.mer_order_id == mer_order_id)]

    def newest_with(self, notify_id: str) -> Delivery | None:
        return next((d for d in reversed(self._kept.values()) if d.notify_id == notify_id), None)

    def pending(self) -> list[Delivery]:
        return [d for d in self._kept.values() if not d.finished]

    def clear(self) -> list[Delivery]:
        pending = self.pending()
        self._kept.clear()
        return pending

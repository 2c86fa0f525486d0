"""The store: every repository a sandbox keeps its state in, made in one place. `Store.in_memory` is the
default (this process's memory, capped by the settings); another store (Redis, for several processes) gives
the same repositories. A product line's own records (a bill line's codes and bills) are kept by the line,
behind its own repository."""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass

from mockums.auth.tokens import MemoryTokens, TokenRepository
from mockums.clock import RUNNING, ClockSetting
from mockums.config import Settings
from mockums.core.journal import JournalRepository, MemoryJournal
from mockums.hosts import without_secrets
from mockums.ledger.moves import next_due
from mockums.ledger.orders import MemoryOrders, OrderRepository
from mockums.lines.line import RecordsOf, memory_records
from mockums.notify.deliveries import DeliveryRepository, MemoryDeliveries
from mockums.scenarios.active import NO_CHANGES, ScenarioChanges
from mockums.scenarios.sequences import MemorySequences, SequenceRepository
from mockums.state.cell import Cell, MemoryCell
from mockums.state.timers import MemoryTimers, TimerRepository


def _healthy() -> str | None:
    return None


def _nothing() -> None:
    pass


@dataclass(frozen=True)
class Store:
    """The repositories of one sandbox's state."""

    orders: OrderRepository
    order_timers: TimerRepository  # timed payments and refund settlements
    deliveries: DeliveryRepository
    delivery_timers: TimerRepository  # each delivery's next attempt
    tokens: TokenRepository
    sequences: SequenceRepository
    journal: JournalRepository
    scenario_changes: Cell[ScenarioChanges]
    clock: Cell[ClockSetting]
    seed: Cell[int]

    records: RecordsOf = memory_records  # where product lines keep records of their own
    shared: bool = False  # whether several processes can keep one sandbox in it (Redis: yes; memory: no)
    health: Callable[[], str | None] = _healthy  # None when the store answers; else why not
    close: Callable[[], None] = _nothing  # release what the store holds open (connections)
    # One request's reads of the store's single values (the clock, the seed, the scenario changes), read once
    # at its start; None: nothing to do (in memory every read is as cheap).
    turn: Callable[[], AbstractContextManager[None]] | None = None

    @classmethod
    def in_memory(cls, settings: Settings) -> Store:
        """Every repository in this process's memory, capped as `settings` say, with their seed (a random one
        when they give none)."""
        seed = settings.seed if settings.seed is not None else secrets.randbits(32)
        order_timers = MemoryTimers()
        return cls(
            orders=MemoryOrders(order_timers, next_due, settings.max_orders, settings.max_refunds),
            order_timers=order_timers,
            deliveries=MemoryDeliveries(settings.max_notifications),
            delivery_timers=MemoryTimers(),
            tokens=MemoryTokens(),
            sequences=MemorySequences(settings.max_sequences),
            journal=MemoryJournal(settings.journal_size, settings.journal_bytes, replica_name(settings)),
            scenario_changes=MemoryCell(NO_CHANGES),
            clock=MemoryCell(RUNNING),
            seed=MemoryCell(seed),
        )


def replica_name(settings: Settings) -> str:
    """The name this process's journal entries carry: the `replica` setting, else the host name and process id
    (`mockums serve --workers` sets one per worker before the store is opened)."""
    return settings.replica or f"{socket.gethostname()}-{os.getpid()}"


def shown_store(url: str | None) -> str:
    """A store's URL as messages, the banner and health show it: `memory`, or the URL without its credentials
    (`redis://…@host:6379/0`, as the Redis store's own messages show it)."""
    if url is None or url == "memory":
        return "memory"
    return without_secrets(url)


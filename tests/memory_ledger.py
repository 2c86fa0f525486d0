"""A ledger of its own for the ledger's unit tests: its orders and their timers in memory, wired as
`Store.in_memory` wires the sandbox's."""

from __future__ import annotations

from mockums.config import Settings
from mockums.core.store import Store
from mockums.ledger.generate import Generator
from mockums.ledger.ledger import Ledger
from mockums.limits import REFUNDS_PER_ORDER


def memory_ledger(seed: int = 1, refunds_per_order: int = REFUNDS_PER_ORDER) -> Ledger:
    """A new ledger over in-memory repositories, its values derived under `seed`."""
    store = Store.in_memory(Settings())
    return Ledger(store.orders, store.order_timers, Generator(seed=seed), refunds_per_order)

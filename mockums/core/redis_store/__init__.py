"""The sandbox's state in Redis, shared by every process and replica pointed at one database: each repository
of `mockums.core.store.Store` over one connection (`mockums.state.redis.Link`), values written in the
store's codec. `open_redis_store` reaches Redis first and says why when it cannot."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from mockums.auth.tokens import Issued, RecordTokens
from mockums.clock import RUNNING
from mockums.config import Settings
from mockums.core.redis_store.deliveries import RedisDeliveries
from mockums.core.redis_store.journal import RedisJournal
from mockums.core.redis_store.orders import RedisOrders
from mockums.core.redis_store.values import value_codec
from mockums.core.store import Store, replica_name
from mockums.ledger import moves
from mockums.scenarios.active import NO_CHANGES
from mockums.state.records import Records
from mockums.state.redis.basics import Cells, RedisTimers
from mockums.state.redis.link import Link
from mockums.state.redis.records import RedisRecords, RedisSequences

__all__ = ["open_redis_store"]


def open_redis_store(settings: Settings, url: str) -> Store:
    """Every repository in the Redis database at `url`. Raises StoreUnavailable when it cannot be reached.

    The seed is the one already kept, else `settings.seed`, else a random one; `settings.seed` given replaces
    the kept one (every replica started with the same `--seed` agrees)."""
    link = Link(url)
    link.ping()
    codec = value_codec()
    cells = Cells(link, codec)
    seed = cells.cell("seed", 0)
    if settings.seed is not None:
        seed.update(lambda _: settings.seed or 0)
    else:
        cells.set_once(seed, secrets.randbits(32))

    def records(kind: str, capacity: int, types: tuple[type, ...]) -> Records[Any]:
        return RedisRecords(link, value_codec(types), kind, capacity)

    order_timers = RedisTimers(link, "timers:orders", lease=settings.store_lease)
    orders = RedisOrders(link, codec, order_timers, moves.next_due, settings.max_orders, settings.max_refunds)

    delivery_timers = RedisTimers(link, "timers:deliveries", lease=settings.notify_timeout + settings.store_lease)

    @contextmanager
    def turn() -> Iterator[None]:
        with cells.turn(), orders.turn():
            yield

    return Store(
        orders=orders,
        order_timers=order_timers,
        deliveries=RedisDeliveries(link, codec, delivery_timers, settings.max_notifications),
        delivery_timers=delivery_timers,
        tokens=RecordTokens(RedisRecords[Issued](link, codec, "token", 100_000)),
        sequences=RedisSequences(link, settings.max_sequences),
        journal=RedisJournal(link, settings.journal_size, settings.journal_bytes, replica_name(settings)),
        scenario_changes=cells.cell("scenarios", NO_CHANGES),
        clock=cells.cell("clock", RUNNING),
        seed=seed,
        records=records,
        shared=True,
        health=link.health,
        turn=turn,
        close=link.close,
    )

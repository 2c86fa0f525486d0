"""Orders in Redis: each under its own key, changed in an optimistic transaction (so two processes never both
pay, refund or close one order); an index by targetOrderId; least recently used dropped first beyond the
same caps as in memory (orders, and refunds held between them), by one script.

    order:<key>         the order (codec)              orders:used     key -> last use (sorted set)
    orders:targets      targetOrderId -> key (hash)    orders:target   key -> its targetOrderId (hash)
    orders:refunds      key -> refunds it holds        orders:refunds:total  their sum

`<key>` is the order key (mid, merOrderId) as a JSON list.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any, TypeVar

from mockums.ledger.model import Order, OrderKey
from mockums.ledger.orders import Change
from mockums.state.redis.codec import Codec
from mockums.state.redis.link import Link

R = TypeVar("R")

# Forget the least recently used orders while more than ARGV[1] orders or ARGV[2] refunds are kept (the newest
# always stays). KEYS: used, refunds, refunds total, target (key -> id), targets (id -> key); ARGV[3]: the
# prefix of order keys.
_EVICT = """
local dropped = 0
while redis.call('ZCARD', KEYS[1]) > 1 and (redis.call('ZCARD', KEYS[1]) > tonumber(ARGV[1])
      or tonumber(redis.call('GET', KEYS[3]) or '0') > tonumber(ARGV[2])) do
  local member = redis.call('ZPOPMIN', KEYS[1])[1]
  redis.call('DEL', ARGV[3] .. member)
  local refunds = redis.call('HGET', KEYS[2], member)
  if refunds then
    redis.call('DECRBY', KEYS[3], refunds)
    redis.call('HDEL', KEYS[2], member)
  end
  local target = redis.call('HGET', KEYS[4], member)
  if target then
    if redis.call('HGET', KEYS[5], target) == member then redis.call('HDEL', KEYS[5], target) end
    redis.call('HDEL', KEYS[4], member)
  end
  dropped = dropped + 1
end
return dropped
"""


def member(key: OrderKey) -> str:
    """An order key as it is named in Redis."""
    return json.dumps(list(key), ensure_ascii=False, separators=(",", ":"))


def order_key(name: bytes | str) -> OrderKey:
    mid, mer_order_id = json.loads(name)
    return (str(mid), str(mer_order_id))


class RedisOrders:
    """The `OrderRepository` in Redis."""

    CHUNK = 1000  # orders read per round trip when listing them all

    def __init__(self, link: Link, codec: Codec, capacity: int = 100_000, refund_capacity: int = 1_000_000) -> None:
        self._link = link
        self._codec = codec
        self.capacity = capacity
        self.refund_capacity = refund_capacity
        self._order = link.key("order", "")
        self._used = link.key("orders", "used")
        self._targets = link.key("orders", "targets")
        self._target_of = link.key("orders", "target")
        self._refunds = link.key("orders", "refunds")
        self._refund_total = link.key("orders", "refunds", "total")
        self._evict = link.client.register_script(_EVICT)

    def _load(self, data: Any) -> Order | None:
        return None if data is None else self._codec.loads(data)

    def get(self, key: OrderKey) -> Order | None:
        name = member(key)

        def read(pipe: Any) -> None:
            pipe.get(self._order + name)
            pipe.zadd(self._used, {name: time.time()}, xx=True)

        return self._load(self._link.pipeline(read)[0])

    def key_of_target(self, target_order_id: str) -> OrderKey | None:
        name = self._link.run(lambda client: client.hget(self._targets, target_order_id))
        return None if name is None else order_key(name)

    def update(self, key: OrderKey, change: Change[R]) -> tuple[Order | None, R]:
        name = member(key)
        outcome: list[tuple[Order | None, R, bool]] = []

        def body(pipe: Any) -> Callable[[Any], object] | None:
            old = self._load(pipe.get(self._order + name))
            new, result = change(old)
            grew = new is not None and (old is None or len(new.refunds) > len(old.refunds))
            outcome[:] = [(new, result, grew)]
            if new is None and old is None:
                return None
            return lambda queued: self._write(queued, name, old, new)

        self._link.transaction([self._order + name], body)
        new, result, grew = outcome[0]
        if grew:
            self._link.run(lambda _: self._evict(
                keys=[self._used, self._refunds, self._refund_total, self._target_of, self._targets],
                args=[self.capacity, self.refund_capacity, self._order]))
        return new, result

    def _write(self, pipe: Any, name: str, old: Order | None, new: Order | None) -> None:
        if new is None:
            self._forget(pipe, name, old)
            return
        if new is not old:
            pipe.set(self._order + name, self._codec.dumps(new))
        pipe.zadd(self._used, {name: time.time()})
        if old is None or old.target_order_id != new.target_order_id:
            if old is not None:
                pipe.hdel(self._targets, old.target_order_id)
            pipe.hset(self._targets, new.target_order_id, name)
            pipe.hset(self._target_of, name, new.target_order_id)
        before = len(old.refunds) if old is not None else 0
        if len(new.refunds) != before:
            pipe.hset(self._refunds, name, len(new.refunds))
            pipe.incrby(self._refund_total, len(new.refunds) - before)

    def _forget(self, pipe: Any, name: str, old: Order | None) -> None:
        pipe.delete(self._order + name)
        pipe.zrem(self._used, name)
        pipe.hdel(self._target_of, name)
        pipe.hdel(self._refunds, name)
        if old is not None:
            pipe.hdel(self._targets, old.target_order_id)  # the index names this order (its key is unique)
            if old.refunds:
                pipe.incrby(self._refund_total, -len(old.refunds))

    def remove(self, key: OrderKey) -> bool:
        name = member(key)
        removed: list[bool] = []

        def body(pipe: Any) -> Callable[[Any], object] | None:
            old = self._load(pipe.get(self._order + name))
            removed[:] = [old is not None]
            return None if old is None else lambda queued: self._forget(queued, name, old)

        self._link.transaction([self._order + name], body)
        return removed[0]

    def _orders(self, names: list[bytes]) -> list[Order]:
        found: list[Order] = []
        for start in range(0, len(names), self.CHUNK):
            keys = [self._order + name.decode() for name in names[start:start + self.CHUNK]]
            found += [order for data in self._link.run(_mget(keys)) if (order := self._load(data)) is not None]
        return found

    def newest(self, count: int) -> list[Order]:
        if count <= 0:
            return []
        return self._orders(self._link.run(lambda client: client.zrange(self._used, -count, -1)))

    def all(self) -> list[Order]:
        return self._orders(self._link.run(lambda client: client.zrange(self._used, 0, -1)))

    def clear(self) -> None:
        names = self._link.run(lambda client: client.zrange(self._used, 0, -1))
        for start in range(0, len(names), self.CHUNK):
            self._link.run(_delete([self._order + name.decode() for name in names[start:start + self.CHUNK]]))
        self._link.run(lambda client: client.delete(self._used, self._targets, self._target_of, self._refunds,
                                                    self._refund_total))

    def __len__(self) -> int:
        return int(self._link.run(lambda client: client.zcard(self._used)))


def _mget(keys: list[str]) -> Callable[[Any], Any]:
    return lambda client: client.mget(keys)


def _delete(keys: list[str]) -> Callable[[Any], Any]:
    return lambda client: client.delete(*keys)

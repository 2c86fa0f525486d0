"""Orders in Redis: each under its own key, changed by compare-and-swap (so two processes never both
pay, refund or close one order); an index by targetOrderId; least recently used dropped first beyond the
same caps as in memory (orders, and refunds held between them), by one script.

    order:<key>         the order (codec)              orders:used     key -> last use (sorted set)
    orders:targets      targetOrderId -> key (hash)    orders:target   key -> its targetOrderId (hash)
    orders:refunds      key -> refunds it holds        orders:refunds:total  their sum

`<key>` is the order key (mid, merOrderId) as a JSON list.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from mockums.ledger.model import Order, OrderKey
from mockums.ledger.orders import Change, order_timer
from mockums.state.redis.basics import RedisTimers, timer_member
from mockums.state.redis.codec import Codec
from mockums.state.redis.link import REDIS_NOW, Link

R = TypeVar("R")

# The eviction both scripts run: forget the least recently used orders while more than ARGV[8] orders or ARGV[9]
# refunds are kept (the newest always stays). KEYS: order, used, targets, target (key -> id), refunds, refunds
# total; ARGV[10]: the prefix of order keys.
_EVICT = """
while redis.call('ZCARD', KEYS[2]) > 1 and (redis.call('ZCARD', KEYS[2]) > tonumber(ARGV[8])
      or tonumber(redis.call('GET', KEYS[6]) or '0') > tonumber(ARGV[9])) do
  local member = redis.call('ZPOPMIN', KEYS[2])[1]
  redis.call('DEL', ARGV[10] .. member)
  local refunds = redis.call('HGET', KEYS[5], member)
  if refunds then
    redis.call('DECRBY', KEYS[6], refunds)
    redis.call('HDEL', KEYS[5], member)
  end
  local target = redis.call('HGET', KEYS[4], member)
  if target then
    if redis.call('HGET', KEYS[3], target) == member then redis.call('HDEL', KEYS[3], target) end
    redis.call('HDEL', KEYS[4], member)
  end
  local timer = '["order",' .. string.sub(member, 2)
  redis.call('ZREM', KEYS[7], timer)
  redis.call('ZREM', KEYS[8], timer)
end
"""

# Write an order (while it is still as read: `Link.swap_script`) in one step with its indexes and its timer, then
# evict. ARGV: 2 the new order ('': remove it), 3 its name, 4 its old targetOrderId ('': none), 5 its new one, 6 its
# old refund count, 7 its new one; 11 its timer's name, 12 when the timer falls due ('': it has none). KEYS[7],
# KEYS[8]: the order timers, due and claimed (`RedisTimers`).
_SWAP_WRITES = """
local name = ARGV[3]
redis.call('ZREM', KEYS[8], ARGV[11])
if ARGV[2] == '' or ARGV[12] == '' then
  redis.call('ZREM', KEYS[7], ARGV[11])
else
  redis.call('ZADD', KEYS[7], ARGV[12], ARGV[11])
end
if ARGV[2] == '' then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], name)
  redis.call('HDEL', KEYS[4], name)
  redis.call('HDEL', KEYS[5], name)
  if ARGV[4] ~= '' and redis.call('HGET', KEYS[3], ARGV[4]) == name then redis.call('HDEL', KEYS[3], ARGV[4]) end
  if ARGV[6] ~= '0' then redis.call('DECRBY', KEYS[6], ARGV[6]) end
  return {1}
end
redis.call('SET', KEYS[1], ARGV[2])
""" + REDIS_NOW + """
redis.call('ZADD', KEYS[2], now, name)
if ARGV[4] ~= ARGV[5] then
  if ARGV[4] ~= '' and redis.call('HGET', KEYS[3], ARGV[4]) == name then redis.call('HDEL', KEYS[3], ARGV[4]) end
  redis.call('HSET', KEYS[3], ARGV[5], name)
  redis.call('HSET', KEYS[4], name, ARGV[5])
end
if ARGV[6] ~= ARGV[7] then
  redis.call('HSET', KEYS[5], name, ARGV[7])
  redis.call('INCRBY', KEYS[6], tonumber(ARGV[7]) - tonumber(ARGV[6]))
end
if ARGV[1] == '' or tonumber(ARGV[7]) > tonumber(ARGV[6]) then
""" + _EVICT + """
end
"""

# An order, its last use noted (KEYS[1] the order, KEYS[2] the uses; ARGV[1] its name).
_GET = """
local order = redis.call('GET', KEYS[1])
if order then
""" + REDIS_NOW + """
  redis.call('ZADD', KEYS[2], now, ARGV[1])
end
return order
"""


def member(key: OrderKey) -> str:
    """An order key as it is named in Redis: as a timer's key is (the eviction names an order's timer from it)."""
    return timer_member(key)


def order_key(name: bytes | str) -> OrderKey:
    mid, mer_order_id = json.loads(name)
    return (str(mid), str(mer_order_id))


class RedisOrders:
    """The `OrderRepository` in Redis, keeping each order's timer (`timers`, due when `due` says) in the same
    atomic step as the order. Within a request (`turn`), an order read by `get` and then changed is changed in one
    round trip: the change is written if the order is still as it was read, else made again from what is kept."""

    CHUNK = 1000  # orders read per round trip when listing them all

    def __init__(self, link: Link, codec: Codec, timers: RedisTimers, due: Callable[[Order], float | None],
                 capacity: int = 100_000, refund_capacity: int = 1_000_000) -> None:
        self._link = link
        self._timers = timers
        self._due = due
        self._codec = codec
        self.capacity = capacity
        self.refund_capacity = refund_capacity
        self._order = link.key("order", "")
        self._used = link.key("orders", "used")
        self._targets = link.key("orders", "targets")
        self._target_of = link.key("orders", "target")
        self._refunds = link.key("orders", "refunds")
        self._refund_total = link.key("orders", "refunds", "total")
        self._swap = link.swap_script(_SWAP_WRITES)
        self._get = link.client.register_script(_GET)
        self._read: tuple[str, bytes | None] = ("", None)  # the order last read in this turn, as stored
        self._in_turn = False

    @contextmanager
    def turn(self) -> Iterator[None]:
        """One request: an order it reads is the expected value of its change (never across requests)."""
        self._in_turn = True
        try:
            yield
        finally:
            self._in_turn, self._read = False, ("", None)

    def _load(self, data: Any) -> Order | None:
        return None if data is None else self._codec.loads(data)

    def _keys(self, name: str) -> list[str]:
        return [self._order + name, self._used, self._targets, self._target_of, self._refunds, self._refund_total,
                self._timers.key, self._timers.leased]

    def get(self, key: OrderKey) -> Order | None:
        name = member(key)
        data = self._link.run(lambda _: self._get(keys=[self._order + name, self._used], args=[name]))
        if self._in_turn:
            self._read = (name, data)
        return self._load(data)

    def key_of_target(self, target_order_id: str) -> OrderKey | None:
        name = self._link.run(lambda client: client.hget(self._targets, target_order_id))
        return None if name is None else order_key(name)

    def update(self, key: OrderKey, change: Change[R]) -> tuple[Order | None, R]:
        name = member(key)
        seen = self._read[1] if self._read[0] == name else self._link.run(lambda c: c.get(self._order + name))
        self._read = ("", None)
        outcome: list[tuple[Order | None, R]] = []

        def attempt(data: bytes | None) -> list[Any] | None:
            old = self._load(data)
            new, result = change(old)
            outcome[:] = [(new, result)]
            if new is old or (new is None and old is None):
                return None
            return [b"" if new is None else self._codec.dumps(new), name,
                    old.target_order_id if old is not None else "",
                    new.target_order_id if new is not None else "",
                    len(old.refunds) if old is not None else 0, len(new.refunds) if new is not None else 0,
                    self.capacity, self.refund_capacity, self._order, timer_member(order_timer(key)),
                    "" if new is None or (due := self._due(new)) is None else due]

        self._link.swap(self._swap, self._keys(name), seen, attempt)
        return outcome[0]

    def remove(self, key: OrderKey) -> bool:
        _, was_kept = self.update(key, lambda old: (None, old is not None))
        return was_kept

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
        self._read = ("", None)
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

"""Notification deliveries in Redis: each under its number, changed by compare-and-swap; the numbers
in the order they were made, and the pending ones, so that every process sees and resumes the same deliveries.

    delivery:<n>   the delivery (codec)     deliveries:kept     n by n (sorted set)
    deliveries:made  the last number given  deliveries:pending  the numbers still under way (set)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mockums.notify.deliveries import Delivery
from mockums.state.redis.basics import RedisTimers, timer_member
from mockums.state.redis.codec import Codec
from mockums.state.redis.link import Link

# Drop deliveries while more than ARGV[1] are kept: the oldest finished one, else the oldest. KEYS: kept, pending;
# ARGV[2]: the prefix of delivery keys. Returns the records of the pending ones dropped.
_EVICT = """
local dropped = {}
while redis.call('ZCARD', KEYS[1]) > tonumber(ARGV[1]) do
  local numbers = redis.call('ZRANGE', KEYS[1], 0, -1)
  local victim = nil
  for _, number in ipairs(numbers) do
    if redis.call('SISMEMBER', KEYS[2], number) == 0 then victim = number break end
  end
  if not victim then
    victim = numbers[1]
    local record = redis.call('GET', ARGV[2] .. victim)
    if record then table.insert(dropped, record) end
  end
  redis.call('ZREM', KEYS[1], victim)
  redis.call('SREM', KEYS[2], victim)
  redis.call('DEL', ARGV[2] .. victim)
end
return dropped
"""


class RedisDeliveries:
    """The `DeliveryRepository` in Redis: a new delivery is kept with its first attempt's timer (in `timers`) in one
    transaction."""

    keeps_timers = True

    def __init__(self, link: Link, codec: Codec, timers: RedisTimers, capacity: int = 1000) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self._timers = timers
        self._link = link
        self._codec = codec
        self._record = link.key("delivery", "")
        self._kept = link.key("deliveries", "kept")
        self._pending = link.key("deliveries", "pending")
        self._made = link.key("deliveries", "made")
        self._evict = link.client.register_script(_EVICT)
        # A delivery's new record (ARGV[2]), no longer pending when ARGV[3] says it finished (ARGV[4] its number).
        self._swap = link.swap_script("""
redis.call('SET', KEYS[1], ARGV[2])
if ARGV[3] ~= '' then redis.call('SREM', KEYS[2], ARGV[4]) end
""")

    def _load(self, data: Any) -> Delivery | None:
        return None if data is None else self._codec.loads(data)

    def number(self) -> int:
        return int(self._link.run(lambda client: client.incr(self._made)))

    def add(self, delivery: Delivery, first_due: float | None = None) -> list[Delivery]:
        number = str(delivery.number)

        def write(pipe: Any) -> None:
            pipe.set(self._record + number, self._codec.dumps(delivery))
            pipe.zadd(self._kept, {number: delivery.number})
            if not delivery.finished:
                pipe.sadd(self._pending, number)
            if first_due is not None:
                pipe.zadd(self._timers.key, {timer_member(("delivery", number)): first_due})

        self._link.pipeline(write)
        dropped = self._link.run(lambda _: self._evict(keys=[self._kept, self._pending],
                                                       args=[self.capacity, self._record]))
        return [d.ended("gave_up", "evicted: more than capacity deliveries were kept")
                for data in dropped if (d := self._load(data)) is not None]

    def get(self, number: int) -> Delivery | None:
        return self._load(self._link.run(lambda client: client.get(self._record + str(number))))

    def update(self, number: int, change: Callable[[Delivery], Delivery]) -> Delivery | None:
        key = self._record + str(number)
        outcome: list[Delivery | None] = [None]

        def attempt(data: bytes | None) -> list[Any] | None:
            old = outcome[0] = self._load(data)
            if old is None:
                return None
            new = outcome[0] = change(old)
            return [self._codec.dumps(new), "1" if new.finished else "", str(number)]

        self._link.swap(self._swap, [key, self._pending], self._link.run(lambda client: client.get(key)), attempt)
        return outcome[0]

    def _all(self, numbers: list[bytes]) -> list[Delivery]:
        if not numbers:
            return []
        keys = [self._record + number.decode() for number in numbers]
        found = [d for data in self._link.run(lambda client: client.mget(keys)) if (d := self._load(data)) is not None]
        return sorted(found, key=lambda d: d.number)

    def _kept_ones(self) -> list[Delivery]:
        return self._all(self._link.run(lambda client: client.zrange(self._kept, 0, -1)))

    def matching(self, mid: str | None = None, mer_order_id: str | None = None) -> list[Delivery]:
        return [d for d in self._kept_ones()
                if (mid is None or d.mid == mid) and (mer_order_id is None or d.mer_order_id == mer_order_id)]

    def newest_with(self, notify_id: str) -> Delivery | None:
        return next((d for d in reversed(self._kept_ones()) if d.notify_id == notify_id), None)

    def pending(self) -> list[Delivery]:
        return [d for d in self._all(list(self._link.run(lambda client: client.smembers(self._pending))))
                if not d.finished]

    def clear(self) -> list[Delivery]:
        pending = self.pending()
        numbers = self._link.run(lambda client: client.zrange(self._kept, 0, -1))
        keys = [self._record + number.decode() for number in numbers]
        self._link.pipeline(lambda pipe: (pipe.delete(*keys) if keys else None,
                                          pipe.delete(self._kept, self._pending)))
        return pending

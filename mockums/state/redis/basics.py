"""The generic repositories in Redis: a cell (one value under one key) and timers (a sorted set of keys by
due time, claimed by a script so that exactly one process takes each)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Generic, TypeVar

from redis.client import Pipeline

from mockums.state.redis.codec import Codec
from mockums.state.redis.link import Link
from mockums.state.timers import TimerKey

T = TypeVar("T")

# Claim the timers due by ARGV[1]: with a lease (ARGV[2] > 0) each is moved to fall due again at now + lease
# (taken back unless its taker reschedules or cancels it before then), without one it is removed.
_CLAIM = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local lease = tonumber(ARGV[2])
for _, member in ipairs(due) do
  if lease > 0 then
    redis.call('ZADD', KEYS[1], tonumber(ARGV[1]) + lease, member)
  else
    redis.call('ZREM', KEYS[1], member)
  end
end
return due
"""


class RedisCell(Generic[T]):
    """One value under one key; `default` when the key is unset."""

    def __init__(self, link: Link, name: str, codec: Codec, default: T) -> None:
        self._link = link
        self._key = link.key(name)
        self._codec = codec
        self._default = default

    def get(self) -> T:
        data = self._link.run(lambda client: client.get(self._key))
        return self._default if data is None else self._codec.loads(data)  # type: ignore[no-any-return]

    def update(self, change: Callable[[T], T]) -> T:
        result: list[T] = []

        def body(pipe: Pipeline) -> Callable[[Pipeline], None]:
            data = pipe.get(self._key)
            new = change(self._default if data is None else self._codec.loads(data))
            result[:] = [new]
            return lambda queued: queued.set(self._key, self._codec.dumps(new))

        self._link.transaction([self._key], body)
        return result[0]


def _member(key: TimerKey) -> str:
    return json.dumps(list(key), ensure_ascii=False, separators=(",", ":"))


def _key(member: bytes | str) -> TimerKey:
    return tuple(str(part) for part in json.loads(member))


class RedisTimers:
    """Timers in a sorted set (member: the key as JSON, score: when it falls due). With a `lease`, a claimed
    timer is not removed but moved `lease` seconds on: the taker reschedules or cancels it when done, and if it
    dies first another process claims it after the lease."""

    BATCH = 1000  # timers claimed per call at most (the rest on the next tick)

    def __init__(self, link: Link, name: str, lease: float = 0.0) -> None:
        self._link = link
        self._key = link.key(name)
        self._lease = lease
        self._claim = link.client.register_script(_CLAIM)

    def schedule(self, key: TimerKey, due: float) -> None:
        self._link.run(lambda client: client.zadd(self._key, {_member(key): due}))

    def cancel(self, key: TimerKey) -> None:
        self._link.run(lambda client: client.zrem(self._key, _member(key)))

    def claim_due(self, now: float) -> list[TimerKey]:
        claimed = self._link.run(lambda _: self._claim(keys=[self._key], args=[now, self._lease, self.BATCH]))
        return [_key(member) for member in claimed]

    def due_at(self, key: TimerKey) -> float | None:
        score = self._link.run(lambda client: client.zscore(self._key, _member(key)))
        return None if score is None else float(score)

    def next_due(self) -> float | None:
        first = self._link.run(lambda client: client.zrange(self._key, 0, 0, withscores=True))
        return float(first[0][1]) if first else None

    def clear(self) -> None:
        self._link.run(lambda client: client.delete(self._key))

    def __len__(self) -> int:
        return int(self._link.run(lambda client: client.zcard(self._key)))

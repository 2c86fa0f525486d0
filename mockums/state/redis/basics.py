"""The generic repositories in Redis: cells (single values, read once per request) and timers (a sorted set of keys by
due time, claimed by a script so that exactly one process takes each)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

from mockums.state.redis.codec import Codec
from mockums.state.redis.link import REDIS_NOW, Link
from mockums.state.timers import TimerKey

T = TypeVar("T")

# Claim the timers due by ARGV[1] (sandbox time), at most ARGV[3]. KEYS[1]: the timers by due time; KEYS[2]: the
# claimed ones by the real time (Redis's clock) their lease ends. With a lease (ARGV[2] > 0 real seconds) a claimed
# timer waits in KEYS[2] until its taker reschedules or cancels it; a lease that ran out first (its taker died) puts
# it back, due at once. Without one, a claimed timer is gone.
_CLAIM = REDIS_NOW + """
for _, member in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)) do
  redis.call('ZREM', KEYS[2], member)
  redis.call('ZADD', KEYS[1], ARGV[1], member)
end
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local lease = tonumber(ARGV[2])
for _, member in ipairs(due) do
  redis.call('ZREM', KEYS[1], member)
  if lease > 0 then redis.call('ZADD', KEYS[2], now + lease, member) end
end
return due
"""


UNREAD = b"unread"  # the version of a cell this process has not read yet (Redis's versions are numbers)


class Cells:
    """The cells of one store: each value under `cell:<name>`, and a version per cell in `cells:versions`.

    Inside a turn (`turn()`, one request) every cell is read once: the versions in one round trip, then only the
    cells that changed since this process last read them. Outside a turn each read goes to Redis."""

    def __init__(self, link: Link, codec: Codec) -> None:
        self._link = link
        self._codec = codec
        self._versions = link.key("cells", "versions")
        self._cells: dict[str, RedisCell[object]] = {}
        # A cell's new value (ARGV[2]) and one more version of it (ARGV[3] its name; KEYS[2] the versions).
        self._swap = link.swap_script("""
redis.call('SET', KEYS[1], ARGV[2])
redis.call('HINCRBY', KEYS[2], ARGV[3], 1)
""")
        self._in_turn = False

    def cell(self, name: str, default: T) -> RedisCell[T]:
        made: RedisCell[T] = RedisCell(self, name, default)
        self._cells[name] = made  # type: ignore[assignment]
        return made

    @contextmanager
    def turn(self) -> Iterator[None]:
        """Read every cell as it stands now, and let reads until the end of the turn use what was read."""
        versions = self._link.run(lambda client: client.hgetall(self._versions))
        stale = [cell for name, cell in self._cells.items() if cell.version != versions.get(name.encode())]
        if stale:
            values = self._link.run(lambda client: client.mget([cell.key for cell in stale]))
            for cell, data in zip(stale, values, strict=True):
                cell.cache(versions.get(cell.name.encode()), data)
        self._in_turn = True
        try:
            yield
        finally:
            self._in_turn = False

    def read(self, cell: RedisCell[T]) -> T:
        if self._in_turn:
            return cell.value
        return self.decode(cell, self._link.run(lambda client: client.get(cell.key)))

    def decode(self, cell: RedisCell[T], data: Any) -> T:
        return cell.default if data is None else self._codec.loads(data)

    def update(self, cell: RedisCell[T], change: Callable[[T], T]) -> T:
        result: list[T] = []

        def attempt(data: bytes | None) -> list[Any]:
            new = change(self.decode(cell, data))
            result[:] = [new]
            return [self._codec.dumps(new), cell.name]

        self._link.swap(self._swap, [cell.key, self._versions], self._link.run(lambda client: client.get(cell.key)),
                        attempt)
        cell.value, cell.version = result[0], None  # read again at the next turn (its version is not known here)
        return result[0]

    def set_once(self, cell: RedisCell[T], value: T) -> None:
        """Set the cell when it has no value yet (the first process of a sandbox sets it; later ones keep it)."""
        self._link.run(lambda client: client.set(cell.key, self._codec.dumps(value), nx=True))


class RedisCell(Generic[T]):
    """One value of a store's cells (`Cells`); `default` while it has none."""

    def __init__(self, cells: Cells, name: str, default: T) -> None:
        self._cells = cells
        self.name = name
        self.key = cells._link.key("cell", name)
        self.default = default
        self.value = default
        self.version: bytes | None = UNREAD  # the first turn reads it

    def cache(self, version: bytes | None, data: Any) -> None:
        self.value, self.version = self._cells.decode(self, data), version

    def get(self) -> T:
        return self._cells.read(self)

    def update(self, change: Callable[[T], T]) -> T:
        return self._cells.update(self, change)


def timer_member(key: TimerKey) -> str:
    """A timer's key as it is named in Redis (a JSON list)."""
    return json.dumps(list(key), ensure_ascii=False, separators=(",", ":"))


def _key(member: bytes | str) -> TimerKey:
    return tuple(str(part) for part in json.loads(member))


class RedisTimers:
    """Timers in a sorted set (member: the key as JSON, score: when it falls due in sandbox time). With a `lease`
    (real seconds), a claimed timer is held in a second set until its taker reschedules or cancels it; if the taker
    dies first, the timer falls due again when the lease runs out, for another process to claim. The lease runs on
    real time, so moving the sandbox clock never takes a timer from a taker still at work."""

    BATCH = 1000  # timers claimed per call at most (the rest on the next tick)

    def __init__(self, link: Link, name: str, lease: float = 0.0) -> None:
        self._link = link
        self.key = link.key(name)
        self.leased = link.key(name, "leased")
        self._lease = lease
        self._claim = link.client.register_script(_CLAIM)

    def schedule(self, key: TimerKey, due: float) -> None:
        member = timer_member(key)
        self._link.pipeline(lambda pipe: (pipe.zadd(self.key, {member: due}), pipe.zrem(self.leased, member)))

    def cancel(self, key: TimerKey) -> None:
        member = timer_member(key)
        self._link.pipeline(lambda pipe: (pipe.zrem(self.key, member), pipe.zrem(self.leased, member)))

    def claim_due(self, now: float) -> list[TimerKey]:
        claimed = self._link.run(lambda _: self._claim(keys=[self.key, self.leased],
                                                       args=[now, self._lease, self.BATCH]))
        return [_key(member) for member in claimed]

    def due_at(self, key: TimerKey) -> float | None:
        score = self._link.run(lambda client: client.zscore(self.key, timer_member(key)))
        return None if score is None else float(score)

    def next_due(self) -> float | None:
        first = self._link.run(lambda client: client.zrange(self.key, 0, 0, withscores=True))
        return float(first[0][1]) if first else None

    def clear(self) -> None:
        self._link.run(lambda client: client.delete(self.key, self.leased))

    def __len__(self) -> int:
        return int(sum(self._link.pipeline(lambda pipe: (pipe.zcard(self.key), pipe.zcard(self.leased)))))

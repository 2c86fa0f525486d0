"""Records in Redis (`mockums.state.records`): a value per name changed by compare-and-swap, the least
recently changed forgotten beyond a capacity; and the scenario sequence counters, each advanced by one script."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from mockums.state.records import Name, record_name
from mockums.state.redis.codec import Codec
from mockums.state.redis.link import REDIS_NOW, Link

V = TypeVar("V")
R = TypeVar("R")
Counter = tuple[str, str]  # (scenario name, key), as `mockums.scenarios.sequences` counts calls

# Write a record (while it is still as read: `Link.swap_script`): ARGV[2] ('': remove it) under ARGV[3], its
# change scored by Redis's clock; then forget the least recently changed beyond ARGV[4] (ARGV[5]: the prefix of record
# keys). KEYS: the record, the set of names by last change.
_SWAP_WRITES = """
if ARGV[2] == '' then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[3])
  return {1}
end
redis.call('SET', KEYS[1], ARGV[2])
""" + REDIS_NOW + """
redis.call('ZADD', KEYS[2], now, ARGV[3])
while redis.call('ZCARD', KEYS[2]) > tonumber(ARGV[4]) do
  local name = redis.call('ZPOPMIN', KEYS[2])[1]
  redis.call('DEL', ARGV[5] .. name)
end
"""


class RedisRecords(Generic[V]):
    """Records under `<kind>:<name>`, their names by last change in `<kind>s:used`, at most `capacity`."""

    def __init__(self, link: Link, codec: Codec, kind: str, capacity: int) -> None:
        self._link = link
        self._codec = codec
        self._prefix = link.key(kind, "")
        self._used = link.key(kind + "s", "used")
        self.capacity = capacity
        self._swap = link.swap_script(_SWAP_WRITES)

    def get(self, name: Name) -> V | None:
        key = self._prefix + record_name(name)
        data = self._link.run(lambda client: client.get(key))
        return None if data is None else self._codec.loads(data)

    def update(self, name: Name, change: Callable[[V | None], tuple[V | None, R]]) -> R:
        """Apply `change` by compare-and-swap (None removes the record); what it returned besides."""
        name = record_name(name)
        key = self._prefix + name
        outcome: list[R] = []

        def attempt(data: bytes | None) -> list[Any] | None:
            old = None if data is None else self._codec.loads(data)
            new, result = change(old)
            outcome[:] = [result]
            if new is old or (new is None and data is None):
                return None
            return [b"" if new is None else self._codec.dumps(new), name, self.capacity, self._prefix]

        self._link.swap(self._swap, [key, self._used], self._link.run(lambda client: client.get(key)), attempt)
        return outcome[0]

    def clear(self) -> None:
        names = self._link.run(lambda client: client.zrange(self._used, 0, -1))
        keys = [self._prefix + name.decode() for name in names]

        def delete(pipe: Any) -> None:
            for start in range(0, len(keys), 1000):
                pipe.delete(*keys[start:start + 1000])
            pipe.delete(self._used)

        self._link.pipeline(delete)

    def __len__(self) -> int:
        return int(self._link.run(lambda client: client.zcard(self._used)))


# Count one more call of counter ARGV[1] (KEYS: the counts hash, the set of counters by last use); then forget the
# least recently used beyond ARGV[2] counters.
_ADVANCE = """
local call = redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
""" + REDIS_NOW + """
redis.call('ZADD', KEYS[2], now, ARGV[1])
while redis.call('ZCARD', KEYS[2]) > tonumber(ARGV[2]) do
  local name = redis.call('ZPOPMIN', KEYS[2])[1]
  redis.call('HDEL', KEYS[1], name)
end
return call
"""


class RedisSequences:
    """The `SequenceRepository` in Redis: the counts in one hash, advanced atomically by a script."""

    def __init__(self, link: Link, capacity: int = 10_000) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {capacity}")
        self._link = link
        self.capacity = capacity
        self._counts = link.key("sequences")
        self._used = link.key("sequences", "used")
        self._advance = link.client.register_script(_ADVANCE)

    def advance(self, counter: Counter) -> int:
        name = record_name(counter)
        return int(self._link.run(lambda _: self._advance(keys=[self._counts, self._used],
                                                          args=[name, self.capacity])))

    def calls(self, counter: Counter) -> int:
        count = self._link.run(lambda client: client.hget(self._counts, record_name(counter)))
        return int(count or 0)

    def forget(self, *, key: str | None = None, scenario: str | None = None) -> None:
        if key is None and scenario is None:
            self._link.run(lambda client: client.delete(self._counts, self._used))
            return
        names = [name for name in self._link.run(lambda client: client.hkeys(self._counts))
                 if _matches(json.loads(name), key, scenario)]
        if names:
            self._link.pipeline(lambda pipe: (pipe.hdel(self._counts, *names), pipe.zrem(self._used, *names)))

    def __len__(self) -> int:
        return int(self._link.run(lambda client: client.hlen(self._counts)))


def _matches(counter: list[str], key: str | None, scenario: str | None) -> bool:
    return key in (None, counter[1]) and scenario in (None, counter[0])

"""Records in Redis (`mockums.state.records`): a value per name changed in an optimistic transaction, the least
recently changed forgotten beyond a capacity; and the scenario sequence counters, each advanced by one script."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from mockums.state.records import Name, record_name
from mockums.state.redis.codec import Codec
from mockums.state.redis.link import Link

V = TypeVar("V")
R = TypeVar("R")
Counter = tuple[str, str]  # (scenario name, key), as `mockums.scenarios.sequences` counts calls

# Forget the least recently used records while more than ARGV[1] are kept. KEYS[1]: the set of names by last
# use; ARGV[2]: the prefix of record keys.
_EVICT = """
local dropped = 0
while redis.call('ZCARD', KEYS[1]) > tonumber(ARGV[1]) do
  local name = redis.call('ZPOPMIN', KEYS[1])[1]
  redis.call('DEL', ARGV[2] .. name)
  dropped = dropped + 1
end
return dropped
"""


class RedisRecords(Generic[V]):
    """Records under `<kind>:<name>`, their names by last change in `<kind>s:used`, at most `capacity`."""

    def __init__(self, link: Link, codec: Codec, kind: str, capacity: int) -> None:
        self._link = link
        self._codec = codec
        self._prefix = link.key(kind, "")
        self._used = link.key(kind + "s", "used")
        self.capacity = capacity
        self._evict = link.client.register_script(_EVICT)

    def get(self, name: Name) -> V | None:
        key = self._prefix + record_name(name)
        data = self._link.run(lambda client: client.get(key))
        return None if data is None else self._codec.loads(data)

    def update(self, name: Name, change: Callable[[V | None], tuple[V | None, R]]) -> R:
        """Apply `change` in one optimistic transaction (None removes the record); what it returned besides."""
        name = record_name(name)
        key = self._prefix + name
        outcome: list[tuple[R, bool]] = []

        def body(pipe: Any) -> Callable[[Any], object] | None:
            data = pipe.get(key)
            new, result = change(None if data is None else self._codec.loads(data))
            outcome[:] = [(result, data is None and new is not None)]
            if new is None:
                return None if data is None else lambda queued: (queued.delete(key), queued.zrem(self._used, name))
            return lambda queued: (queued.set(key, self._codec.dumps(new)),
                                   queued.zadd(self._used, {name: time.time()}))

        self._link.transaction([key], body)
        result, added = outcome[0]
        if added:
            self._link.run(lambda _: self._evict(keys=[self._used], args=[self.capacity, self._prefix]))
        return result

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
# least recently used beyond ARGV[3] counters. ARGV[2]: the time of this use.
_ADVANCE = """
local call = redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
redis.call('ZADD', KEYS[2], tonumber(ARGV[2]), ARGV[1])
while redis.call('ZCARD', KEYS[2]) > tonumber(ARGV[3]) do
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
                                                          args=[name, time.time(), self.capacity])))

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

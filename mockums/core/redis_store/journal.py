"""The journal in Redis: each entry kept as the JSON the control API serves (built when it is recorded, since
another process may read it), under its id, with the facts its filters need; capped by count and by bytes
like the journal in memory, by one script.

    journal:ids    the last id given       journal:order  id by id (sorted set)
    journal:entries  id -> entry (hash)    journal:costs  id -> bytes it counts (hash)   journal:bytes  their sum
"""

from __future__ import annotations

import json
from typing import Any

from mockums.core.journal import Entry, kept_entry, verdict_matches
from mockums.core.trace import Reply
from mockums.state.redis.link import Link

# Drop the oldest entries while more than ARGV[1] are kept or they cost more than ARGV[2] bytes (the newest
# stays). KEYS: order, entries, costs, bytes.
_EVICT = """
while redis.call('ZCARD', KEYS[1]) > 1 and (redis.call('ZCARD', KEYS[1]) > tonumber(ARGV[1])
      or tonumber(redis.call('GET', KEYS[4]) or '0') > tonumber(ARGV[2])) do
  local id = redis.call('ZPOPMIN', KEYS[1])[1]
  redis.call('HDEL', KEYS[2], id)
  redis.call('DECRBY', KEYS[4], tonumber(redis.call('HGET', KEYS[3], id) or '0'))
  redis.call('HDEL', KEYS[3], id)
end
return 0
"""


class StoredEntry:
    """A journal entry read back from Redis: its two JSON shapes, and what the filters look at."""

    __slots__ = ("_summary", "_view", "endpoint", "id", "mer_order_id", "mid", "scenario", "verdict")

    def __init__(self, data: dict[str, Any]) -> None:
        self._view: dict[str, object] = data["v"]
        self._summary: dict[str, object] = data["s"]
        self.id = int(data["v"]["id"])
        self.mer_order_id, self.mid, self.endpoint, self.verdict, self.scenario = data["f"]

    def view(self) -> dict[str, object]:
        return dict(self._view)

    def summary(self) -> dict[str, object]:
        return dict(self._summary)


def _stored(entry: Entry) -> bytes:
    trace = entry.trace
    facts = [trace.mer_order_id, trace.mid, entry.endpoint, entry.verdict, trace.scenario]
    return json.dumps({"v": entry.view(), "s": entry.summary(), "f": facts}, ensure_ascii=False,
                      separators=(",", ":"), default=str).encode()


class RedisJournal:
    """The `JournalRepository` in Redis."""

    def __init__(self, link: Link, capacity: int = 1000, max_bytes: int = 8 * 1024 * 1024, replica: str = "") -> None:
        self.capacity = capacity
        self.max_bytes = max_bytes
        self.replica = replica  # the name this process's entries carry
        self._link = link
        self._ids = link.key("journal", "ids")
        self._order = link.key("journal", "order")
        self._entries = link.key("journal", "entries")
        self._costs = link.key("journal", "costs")
        self._bytes = link.key("journal", "bytes")
        self._evict = link.client.register_script(_EVICT)

    def record(self, at: float, method: str, endpoint: str, reply: Reply, duration_ms: float) -> Entry:
        number = int(self._link.run(lambda client: client.incr(self._ids)))
        entry = kept_entry(at, number, method, endpoint, reply, duration_ms, self.replica)
        data = _stored(entry)

        def write(pipe: Any) -> None:
            pipe.hset(self._entries, str(number), data)
            pipe.hset(self._costs, str(number), entry.cost)
            pipe.zadd(self._order, {str(number): number})
            pipe.incrby(self._bytes, entry.cost)
            pipe.zcard(self._order)

        *_, size, count = self._link.pipeline(write)
        if count > self.capacity or size > self.max_bytes:
            self._link.run(lambda _: self._evict(keys=[self._order, self._entries, self._costs, self._bytes],
                                                 args=[self.capacity, self.max_bytes]))
        return entry

    def _read(self, ids: list[bytes]) -> list[StoredEntry]:
        if not ids:
            return []
        found = self._link.run(lambda client: client.hmget(self._entries, ids))
        return [StoredEntry(json.loads(data)) for data in found if data is not None]

    def query(self, *, mer_order_id: str | None = None, endpoint: str | None = None, since: int = 0,
              limit: int | None = None, verdict: str | None = None, scenario: str | None = None) -> list[StoredEntry]:
        ids = self._link.run(lambda client: client.zrangebyscore(self._order, f"({since}", "+inf"))
        found = [
            entry for entry in self._read(ids)
            if (mer_order_id is None or entry.mer_order_id == mer_order_id)
            and (endpoint is None or entry.endpoint == endpoint)
            and (verdict is None or verdict_matches(entry.verdict, verdict))
            and (scenario is None or entry.scenario == scenario)
        ]
        return found[-limit:] if limit else found

    def get(self, entry_id: int) -> StoredEntry | None:
        data = self._link.run(lambda client: client.hget(self._entries, str(entry_id)))
        return None if data is None else StoredEntry(json.loads(data))

    @property
    def last_id(self) -> int:
        return int(self._link.run(lambda client: client.get(self._ids)) or 0)

    @property
    def size(self) -> int:
        return int(self._link.run(lambda client: client.get(self._bytes)) or 0)

    def forget_order(self, mid: str, mer_order_id: str) -> None:
        ids = self._link.run(lambda client: client.zrange(self._order, 0, -1))
        gone = [str(entry.id) for entry in self._read(ids) if entry.mer_order_id == mer_order_id and entry.mid == mid]
        if not gone:
            return
        costs = self._link.run(lambda client: client.hmget(self._costs, gone))

        def write(pipe: Any) -> None:
            pipe.hdel(self._entries, *gone)
            pipe.hdel(self._costs, *gone)
            pipe.zrem(self._order, *gone)
            pipe.incrby(self._bytes, -sum(int(cost or 0) for cost in costs))

        self._link.pipeline(write)

    def clear(self) -> None:
        self._link.run(lambda client: client.delete(self._order, self._entries, self._costs, self._bytes))

    def __len__(self) -> int:
        return int(self._link.run(lambda client: client.zcard(self._order)))

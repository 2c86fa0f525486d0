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

# Record an entry (ARGV[3], its cost ARGV[4]) under the next id, then drop the oldest entries while more than
# ARGV[1] are kept or they cost more than ARGV[2] bytes (the newest stays). KEYS: order, entries, costs, bytes,
# ids. Returns the id.
_RECORD = """
local id = redis.call('INCR', KEYS[5])
redis.call('HSET', KEYS[2], id, ARGV[3])
redis.call('HSET', KEYS[3], id, ARGV[4])
redis.call('ZADD', KEYS[1], id, id)
redis.call('INCRBY', KEYS[4], ARGV[4])
while redis.call('ZCARD', KEYS[1]) > 1 and (redis.call('ZCARD', KEYS[1]) > tonumber(ARGV[1])
      or tonumber(redis.call('GET', KEYS[4]) or '0') > tonumber(ARGV[2])) do
  local old = redis.call('ZPOPMIN', KEYS[1])[1]
  redis.call('HDEL', KEYS[2], old)
  redis.call('DECRBY', KEYS[4], tonumber(redis.call('HGET', KEYS[3], old) or '0'))
  redis.call('HDEL', KEYS[3], old)
end
return id
"""


# Forget the entries ARGV[...] that are still kept, and their costs, in one step. KEYS: order, entries, costs, bytes.
_FORGET = """
local freed = 0
for _, id in ipairs(ARGV) do
  local cost = redis.call('HGET', KEYS[3], id)
  if cost then
    freed = freed + tonumber(cost)
    redis.call('HDEL', KEYS[2], id)
    redis.call('HDEL', KEYS[3], id)
    redis.call('ZREM', KEYS[1], id)
  end
end
if freed > 0 then redis.call('DECRBY', KEYS[4], freed) end
return freed
"""


class StoredEntry:
    """A journal entry read back from Redis: its two JSON shapes, and what the filters look at."""

    __slots__ = ("_summary", "_view", "endpoint", "id", "mer_order_id", "mid", "scenario", "verdict")

    def __init__(self, entry_id: int, data: dict[str, Any]) -> None:
        self.id = entry_id
        self._view: dict[str, object] = data["v"]
        self._summary: dict[str, object] = data["s"]
        self.mer_order_id, self.mid, self.endpoint, self.verdict, self.scenario = data["f"]

    def view(self) -> dict[str, object]:
        return {"id": self.id, **self._view}

    def summary(self) -> dict[str, object]:
        return {"id": self.id, **self._summary}


def _stored(entry: Entry) -> bytes:
    """The entry as kept: its shapes without the id (given by Redis as it is recorded), and its filters' facts."""
    trace = entry.trace
    facts = [trace.mer_order_id, trace.mid, entry.endpoint, entry.verdict, trace.scenario]
    view, summary = entry.view(), entry.summary()
    del view["id"], summary["id"]
    return json.dumps({"v": view, "s": summary, "f": facts}, ensure_ascii=False, separators=(",", ":"),
                      default=str).encode()


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
        self._record = link.client.register_script(_RECORD)
        self._forget = link.client.register_script(_FORGET)

    def record(self, at: float, method: str, endpoint: str, reply: Reply, duration_ms: float) -> Entry:
        entry = kept_entry(at, 0, method, endpoint, reply, duration_ms, self.replica)
        data = _stored(entry)
        entry.id = int(self._link.run(lambda _: self._record(
            keys=[self._order, self._entries, self._costs, self._bytes, self._ids],
            args=[self.capacity, self.max_bytes, data, entry.cost])))
        return entry

    def _read(self, ids: list[bytes]) -> list[StoredEntry]:
        if not ids:
            return []
        found = self._link.run(lambda client: client.hmget(self._entries, ids))
        return [StoredEntry(int(entry_id), json.loads(data)) for entry_id, data in zip(ids, found, strict=True)
                if data is not None]

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
        return None if data is None else StoredEntry(entry_id, json.loads(data))

    @property
    def last_id(self) -> int:
        return int(self._link.run(lambda client: client.get(self._ids)) or 0)

    @property
    def size(self) -> int:
        return int(self._link.run(lambda client: client.get(self._bytes)) or 0)

    def forget_order(self, mid: str, mer_order_id: str) -> None:
        ids = self._link.run(lambda client: client.zrange(self._order, 0, -1))
        gone = [str(entry.id) for entry in self._read(ids) if entry.mer_order_id == mer_order_id and entry.mid == mid]
        if gone:
            self._link.run(lambda _: self._forget(keys=[self._order, self._entries, self._costs, self._bytes],
                                                  args=gone))

    def clear(self) -> None:
        self._link.run(lambda client: client.delete(self._order, self._entries, self._costs, self._bytes))

    def __len__(self) -> int:
        return int(self._link.run(lambda client: client.zcard(self._order)))

"""The request journal: every request, what mockums decided and why, in a capped ring.

Pure: entries are plain data; the HTTP shell records them and the control API queries them.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field

BODY_CAP = 4096  # characters of request/answer text kept per entry


@dataclass(frozen=True)
class Entry:
    id: int
    time: str  # Beijing time, yyyy-MM-dd HH:mm:ss.SSS
    method: str
    endpoint: str
    mer_order_id: str | None
    app_id: str | None
    auth: Mapping[str, object]  # scheme, verdict ("ok" or a gateway error key), reason, diagnosis
    scenario: Mapping[str, object]  # name (or None), reason, near_misses
    status: int
    err_code: str | None
    fault: str | None
    delay_s: float  # a scenario's delay before answering (not part of duration_ms)
    warnings: tuple[str, ...]
    duration_ms: float  # time mockums took to decide the answer
    request: str
    answer: str

    def view(self) -> dict[str, object]:
        """The JSON shape the control API serves (camelCase, like the gateway's own fields)."""
        data = asdict(self)
        return {
            "id": data["id"],
            "time": data["time"],
            "method": data["method"],
            "endpoint": data["endpoint"],
            "merOrderId": data["mer_order_id"],
            "appId": data["app_id"],
            "auth": data["auth"],
            "scenario": data["scenario"],
            "status": data["status"],
            "errCode": data["err_code"],
            "fault": data["fault"],
            "warnings": list(data["warnings"]),
            "durationMs": data["duration_ms"],
            "request": data["request"],
            "answer": data["answer"],
        }


def clip(text: str) -> str:
    return text if len(text) <= BODY_CAP else text[:BODY_CAP] + f"… ({len(text)} characters)"


@dataclass
class Journal:
    capacity: int = 1000
    _entries: deque[Entry] = field(default_factory=deque)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def next_id(self) -> int:
        return next(self._ids)

    def add(self, entry: Entry) -> None:
        self._entries.append(entry)
        while len(self._entries) > self.capacity:
            self._entries.popleft()

    def query(
        self, *, mer_order_id: str | None = None, endpoint: str | None = None, since: int = 0, limit: int | None = None
    ) -> list[Entry]:
        """Entries oldest first, filtered; `since` keeps ids above it, `limit` keeps the newest N."""
        found = [
            entry
            for entry in self._entries
            if entry.id > since
            and (mer_order_id is None or entry.mer_order_id == mer_order_id)
            and (endpoint is None or entry.endpoint == endpoint)
        ]
        return found[-limit:] if limit else found

    def forget_order(self, mer_order_id: str) -> None:
        self._entries = deque(entry for entry in self._entries if entry.mer_order_id != mer_order_id)

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

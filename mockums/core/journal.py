"""The request journal: every request, what mockums decided and why, in a capped ring.

Entries keep what was decided (the trace and the reply); their JSON view, with the request and
answer texts, near misses and the sentence saying why, is built only when someone reads it.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field

from mockums.clock import precise_time
from mockums.core.trace import Reply

BODY_CAP = 4096  # characters of request/answer text shown per entry


def clip(text: str) -> str:
    """At most BODY_CAP characters, saying how long the text was when it was cut."""
    return text if len(text) <= BODY_CAP else text[:BODY_CAP] + f"… ({len(text)} characters)"


def body_text(raw: bytes) -> str:
    """A request body as the journal shows it: UTF-8 text (bad bytes replaced), clipped."""
    if len(raw) > BODY_CAP * 4:  # decode only what can be shown
        return raw[:BODY_CAP].decode("utf-8", "replace") + f"… ({len(raw)} bytes)"
    return clip(raw.decode("utf-8", "replace"))


@dataclass(frozen=True, slots=True)
class Entry:
    """One request as it was decided; `view()` is its JSON shape."""

    id: int
    at: float  # sandbox time when the request arrived
    method: str
    endpoint: str
    reply: Reply
    duration_ms: float  # time mockums took to decide the answer (a scripted delay is not part of it)

    @property
    def mer_order_id(self) -> str | None:
        return self.reply.trace.mer_order_id

    @property
    def verdict(self) -> str:
        """`ok`, or the gateway error key that refused the request."""
        return self.reply.trace.auth_failure or "ok"

    def summary(self) -> dict[str, object]:
        """A list row: what a live list needs, without texts, diagnosis or near misses (cheap to build)."""
        reply, trace = self.reply, self.reply.trace
        return {
            "id": self.id,
            "time": precise_time(self.at),
            "method": self.method,
            "endpoint": self.endpoint,
            "merOrderId": trace.mer_order_id,
            "verdict": self.verdict,
            "scenario": trace.scenario,
            "status": reply.status if reply.fault is None else 0,
            "errCode": reply.err_code or None,
            "fault": str(reply.fault) if reply.fault else None,
            "durationMs": self.duration_ms,
        }

    def view(self) -> dict[str, object]:
        """The JSON shape the control API serves (camelCase, like the gateway's own fields)."""
        reply, trace = self.reply, self.reply.trace
        return {
            "id": self.id,
            "time": precise_time(self.at),
            "method": self.method,
            "endpoint": self.endpoint,
            "merOrderId": trace.mer_order_id,
            "appId": trace.app_id,
            "auth": trace.auth_view(),
            "scenario": trace.scenario_view(),
            "why": trace.why(reply.err_code or None),
            "status": reply.status if reply.fault is None else 0,
            "errCode": reply.err_code or None,
            "fault": str(reply.fault) if reply.fault else None,
            "delaySeconds": reply.delay,
            "warnings": list(trace.warnings),
            "durationMs": self.duration_ms,
            "request": body_text(trace.request),
            "answer": "" if reply.fault is not None else clip(reply.payload().decode()),
        }


@dataclass
class Journal:
    """The newest `capacity` entries, oldest first."""

    capacity: int = 1000
    _entries: deque[Entry] = field(default_factory=deque)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _last_id: int = 0

    def record(self, at: float, method: str, endpoint: str, reply: Reply, duration_ms: float) -> Entry:
        """Add an entry for a decided request; the oldest is dropped beyond capacity."""
        entry = Entry(next(self._ids), at, method, endpoint, reply, duration_ms)
        self._last_id = entry.id
        self._entries.append(entry)
        while len(self._entries) > self.capacity:
            self._entries.popleft()
        return entry

    def query(
        self, *, mer_order_id: str | None = None, endpoint: str | None = None, since: int = 0, limit: int | None = None,
        verdict: str | None = None, scenario: str | None = None,
    ) -> list[Entry]:
        """Entries oldest first, filtered; `since` keeps ids above it, `limit` keeps the newest N.

        `verdict` is `ok`, `refused` (any refusal) or one gateway error key; `scenario` a scenario's name.
        """
        found = [
            entry
            for entry in self._entries
            if entry.id > since
            and (mer_order_id is None or entry.mer_order_id == mer_order_id)
            and (endpoint is None or entry.endpoint == endpoint)
            and (verdict is None or _verdict_matches(entry.verdict, verdict))
            and (scenario is None or entry.reply.trace.scenario == scenario)
        ]
        return found[-limit:] if limit else found

    def get(self, entry_id: int) -> Entry | None:
        """The entry with this id, if it is still kept."""
        if self._entries and self._entries[0].id <= entry_id <= self._entries[-1].id:
            # Ids are consecutive until an order is forgotten: look where the id should be, then search.
            guess = entry_id - self._entries[0].id
            if guess < len(self._entries) and self._entries[guess].id == entry_id:
                return self._entries[guess]
            return next((entry for entry in self._entries if entry.id == entry_id), None)
        return None

    @property
    def last_id(self) -> int:
        """The id of the newest entry ever recorded (0 before the first), kept across clear()."""
        return self._last_id

    def forget_order(self, mer_order_id: str) -> None:
        """Drop every entry about one merOrderId."""
        self._entries = deque(entry for entry in self._entries if entry.mer_order_id != mer_order_id)

    def clear(self) -> None:
        """Drop every entry (ids keep counting up)."""
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


def _verdict_matches(verdict: str, wanted: str) -> bool:
    return verdict != "ok" if wanted == "refused" else verdict == wanted

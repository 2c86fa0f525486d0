"""The request journal: every request, what mockums decided and why, in a ring capped by count and
by size.

Entries keep what was decided (the trace and the answer's facts and text); their JSON view, with the request and
answer texts, near misses and the sentence saying why, is built only when someone reads it. A request
body is kept only as far as the view can show it, and an outsized answer is kept as its clipped text,
so one entry costs at most a few tens of kilobytes whatever a client sends.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from mockums.clock import precise_time
from mockums.core.trace import Reply, Trace
from mockums.scenarios import Fault

BODY_CAP = 4096  # characters of request/answer text shown per entry
KEPT_BYTES = BODY_CAP * 4  # bytes of a request body kept (the most that can decode to BODY_CAP characters)
ENTRY_OVERHEAD = 2048  # bytes an entry costs besides its texts (objects, trace, timings): measured, rounded up


def clip(text: str) -> str:
    """At most BODY_CAP characters, saying how long the text was when it was cut."""
    return text if len(text) <= BODY_CAP else text[:BODY_CAP] + f"… ({len(text)} characters)"


def body_text(raw: bytes, size: int | None = None) -> str:
    """A request body as the journal shows it: UTF-8 text (bad bytes replaced), clipped; `size` is the
    length of the whole body when `raw` is only its start."""
    size = len(raw) if size is None else size
    if size > KEPT_BYTES:  # decode only what can be shown
        return raw[:BODY_CAP].decode("utf-8", "replace") + f"… ({size} bytes)"
    return clip(raw.decode("utf-8", "replace"))


def size_of(value: object, depth: int = 0) -> int:
    """About how many characters `value` takes as JSON: cheap, walked a few levels deep."""
    if isinstance(value, str):
        return len(value) + 2
    if isinstance(value, (Mapping, list, tuple)):
        if depth >= 4:
            return 64 * len(value)
        items = value.items() if isinstance(value, Mapping) else enumerate(value)
        return 2 + sum(len(str(key)) + 4 + size_of(item, depth + 1) for key, item in items)
    return 16


@dataclass(slots=True)  # one per request: not frozen, which would make it cost about twice as much
class Entry:
    """One request as it was decided; `view()` is its JSON shape. Not changed once made.

    It keeps the facts of the answer (status, errCode, fault, delay) and its encoded text, not the
    answer's body: the view shows the text, and nothing else reads the body.
    """

    id: int
    at: float  # sandbox time when the request arrived
    method: str
    endpoint: str
    trace: Trace
    status: int  # 0 when a fault answered
    err_code: str | None
    fault: Fault | None
    delay: float
    answer: bytes | str  # the encoded answer, or its clipped text when it was too large to keep whole
    duration_ms: float  # time mockums took to decide the answer (a scripted delay is not part of it), unrounded
    request_size: int = 0  # bytes of the whole request body (the trace keeps at most KEPT_BYTES)
    cost: int = 0  # bytes this entry counts against the journal's size cap
    replica: str = ""  # the process that answered (the `replica` setting): several share one journal in Redis

    @property
    def mer_order_id(self) -> str | None:
        return self.trace.mer_order_id

    @property
    def verdict(self) -> str:
        """`ok`, or the gateway error key that refused the request."""
        return self.trace.auth_failure or "ok"

    def _outcome(self) -> dict[str, object]:
        """What both shapes say of the answer: its status (0 when a fault answered), errCode and fault."""
        return {"status": self.status, "errCode": self.err_code, "fault": str(self.fault) if self.fault else None}

    def summary(self) -> dict[str, object]:
        """A list row: what a live list needs, without texts, diagnosis or near misses (cheap to build)."""
        trace = self.trace
        return {"id": self.id, "time": precise_time(self.at), "method": self.method, "endpoint": self.endpoint,
                "merOrderId": trace.mer_order_id, "verdict": self.verdict, "scenario": trace.scenario,
                **self._outcome(), "durationMs": round(self.duration_ms, 1), "replica": self.replica}

    def view(self) -> dict[str, object]:
        """The JSON shape the control API serves (camelCase, like the gateway's own fields)."""
        trace = self.trace
        answer = self.answer
        return {
            "id": self.id, "time": precise_time(self.at), "method": self.method, "endpoint": self.endpoint,
            "merOrderId": trace.mer_order_id, "mid": trace.mid, "appId": trace.app_id,
            "auth": trace.auth_view(), "scenario": trace.scenario_view(), "why": trace.why(self.err_code),
            **self._outcome(),
            "delaySeconds": self.delay, "warnings": list(trace.warnings),
            "durationMs": round(self.duration_ms, 1),
            "request": body_text(trace.request, self.request_size),
            "answer": clip(answer.decode()) if isinstance(answer, bytes) else answer, "replica": self.replica,
        }


def kept_entry(at: float, number: int, method: str, endpoint: str, reply: Reply, duration_ms: float,
               replica: str = "") -> Entry:
    """The entry for a decided request, holding no more of its texts than the view can show."""
    trace = reply.trace
    size = len(trace.request)
    if size > KEPT_BYTES:
        trace.request = trace.request[:KEPT_BYTES]
    payload = b"" if reply.fault is not None else reply.payload()  # encoded once, for the wire too
    answer_size = len(payload)
    # An answer echoing an outsized value: only what is shown of it is kept.
    answer: bytes | str = payload if answer_size <= BODY_CAP else clip(payload.decode())
    cost = (ENTRY_OVERHEAD + len(trace.request) + min(answer_size, BODY_CAP + 64) + len(trace.auth_reason)
            + (size_of(trace.diagnosis) if trace.diagnosis else 0) + (size_of(trace.warnings) if trace.warnings else 0)
            + len(endpoint))
    fault = reply.fault
    return Entry(number, at, method, endpoint, trace, reply.status if fault is None else 0, reply.err_code or None,
                 fault, reply.delay, answer, duration_ms, size, cost, replica)


class JournalEntry(Protocol):
    """An entry as a journal gives it back: its id and its two JSON shapes."""

    @property
    def id(self) -> int:
        """Its number: entries are numbered as they are recorded."""

    def view(self) -> dict[str, object]:
        """The JSON shape the control API serves."""

    def summary(self) -> dict[str, object]:
        """A list row, without texts."""


class JournalRepository(Protocol):
    """Where the journal's entries are kept, oldest first, numbered as they are recorded."""

    def record(self, at: float, method: str, endpoint: str, reply: Reply, duration_ms: float) -> Entry:
        """Add an entry for a decided request, numbered after the newest ever recorded."""

    def query(self, *, mer_order_id: str | None = None, endpoint: str | None = None, since: int = 0,
              limit: int | None = None, verdict: str | None = None, scenario: str | None = None,
              ) -> Sequence[JournalEntry]:
        """Entries oldest first, filtered (see `MemoryJournal.query`)."""

    def get(self, entry_id: int) -> JournalEntry | None:
        """The entry with this id, if it is still kept."""

    @property
    def last_id(self) -> int:
        """The id of the newest entry ever recorded (0 before the first)."""

    @property
    def size(self) -> int:
        """The bytes the kept entries count against the cap."""

    def forget_order(self, mid: str, mer_order_id: str) -> None:
        """Drop every entry about one order."""

    def clear(self) -> None:
        """Drop every entry (ids keep counting up)."""

    def __len__(self) -> int:
        """How many entries are kept."""


@dataclass
class MemoryJournal:
    """The newest entries in this process, oldest first: at most `capacity` of them, costing at most
    `max_bytes`."""

    capacity: int = 1000
    max_bytes: int = 8 * 1024 * 1024
    replica: str = ""  # the name each entry carries (this process's)
    _entries: deque[Entry] = field(default_factory=deque)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _last_id: int = 0
    _bytes: int = 0

    def record(self, at: float, method: str, endpoint: str, reply: Reply, duration_ms: float) -> Entry:
        """Add an entry for a decided request; the oldest are dropped beyond either cap (the newest stays)."""
        entry = kept_entry(at, next(self._ids), method, endpoint, reply, duration_ms, self.replica)
        self._last_id = entry.id
        self._entries.append(entry)
        self._bytes += entry.cost
        while len(self._entries) > 1 and (len(self._entries) > self.capacity or self._bytes > self.max_bytes):
            self._bytes -= self._entries.popleft().cost
        return entry

    @property
    def size(self) -> int:
        """The bytes the kept entries count against `max_bytes`."""
        return self._bytes

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
            and (verdict is None or verdict_matches(entry.verdict, verdict))
            and (scenario is None or entry.trace.scenario == scenario)
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

    def forget_order(self, mid: str, mer_order_id: str) -> None:
        """Drop every entry about one order: its merOrderId under its mid."""
        self._entries = deque(entry for entry in self._entries
                               if not (entry.mer_order_id == mer_order_id and entry.trace.mid == mid))
        self._bytes = sum(entry.cost for entry in self._entries)

    def clear(self) -> None:
        """Drop every entry (ids keep counting up)."""
        self._entries.clear()
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)


def verdict_matches(verdict: str, wanted: str) -> bool:
    return verdict != "ok" if wanted == "refused" else verdict == wanted

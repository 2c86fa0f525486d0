"""Log lines for people and for machines: readable text (the default) or one JSON object per line.

Every time carries its zone (ISO 8601 with the UTC offset, in the machine's local time). A record may
carry structured fields as `extra={"mockums": {"event": …, …}}`: the JSON format puts them in its
object (a request's path, merOrderId, appId, verdict, scenario, status and duration), the text format
shows the message alone, which already says the same in words.

`mockums serve` writes a line per request, so its handler is a `BatchedStreamHandler`: a line after a
quiet spell leaves at once, lines under load leave together, one write per `FLUSH_DELAY` seconds. And
when the text line is exactly what logging would write, `request_line_writer` writes it without
building a log record, and formats it only when it is written, together with the lines around it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import sys
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TextIO

FORMATS = ("text", "json")
FIELDS = "mockums"  # the `extra` key that carries a record's structured fields
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
FLUSH_DELAY = 0.05  # seconds a line written under load may wait for the next ones (real time: output's pace)
_HANDLER_NAME = "mockums"  # the handler `configure_logging` installs, known again by its name
_stamp: list[tuple[int, str, str]] = [(-1, "", "")]  # the last second seen: its date and time, its UTC offset
# A line formatted when it is written: the function that formats it and what it takes.
Deferred = tuple[Callable[..., str], tuple[object, ...]]
# What a client sent may hold control characters (a path with %0A, an id with ESC): in the text log each is
# written escaped, so no value can end a line early, forge the next one, or move a terminal's cursor.
_ESCAPES = {code: f"\\x{code:02x}" for code in (*range(0x20), *range(0x7F, 0xA0))} | {
    0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r", 0x2028: "\\u2028", 0x2029: "\\u2029"}


def escape_controls(text: str) -> str:
    """`text` with control characters (C0, DEL, C1) and the Unicode line separators escaped (`\\n`, `\\x1b`);
    text without any is returned as it is, at the cost of one scan."""
    return text if text.isprintable() else text.translate(_ESCAPES)


def zoned_time(created: float) -> str:
    """`2026-12-01T10:00:00.123+08:00`: local time with its offset, to the millisecond (truncated).

    The date, time and offset of a second are worked out once, the first time that second is asked for.
    """
    fraction, whole = math.modf(created)  # rounded to the microsecond as `datetime.fromtimestamp` rounds
    carry, micros = divmod(round(fraction * 1_000_000), 1_000_000)
    second = int(whole) + carry
    last, clock, offset = _stamp[0]
    if second != last:
        iso = datetime.fromtimestamp(second).astimezone().isoformat()  # 2026-12-01T10:00:00+08:00
        clock, offset = iso[:19], iso[19:]
        _stamp[0] = (second, clock, offset)
    return f"{clock}.{micros // 1000:03d}{offset}"


def fields(event: str, **values: Any) -> dict[str, Mapping[str, Any]]:
    """What to pass as `extra=` for a record with structured fields: `log.info(…, extra=fields("request", …))`."""
    return {FIELDS: {"event": event, **values}}


class TextFormatter(logging.Formatter):
    """`2026-12-01T10:00:00.123+08:00 INFO mockums.http: POST /v1/… -> 200 SUCCESS …`"""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return zoned_time(record.created)

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def formatMessage(self, record: logging.LogRecord) -> str:
        """The line without its traceback, control characters escaped (a traceback keeps its own lines)."""
        return escape_controls(super().formatMessage(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (with zone), level, logger, event, message, the record's fields,
    and the traceback as `exception` when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        structured: Mapping[str, Any] = getattr(record, FIELDS, None) or {}
        line: dict[str, Any] = {
            "time": zoned_time(record.created),
            "level": record.levelname,
            "logger": record.name,
            "event": structured.get("event", "message"),
            "message": record.getMessage(),
        }
        line.update((key, value) for key, value in structured.items() if key != "event")
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def say(text: str, log_format: str, event: str, *, stream: TextIO | None = None, level: int = logging.INFO,
        **values: Any) -> None:
    """Print a line mockums writes itself rather than logs (the banner, `mockums stopped`, a refusal to start) on
    `stream` (stdout): as it is, or with the json format one JSON object like every log line, its first line the
    message and any further lines as `lines`, so that every line a log collector reads is JSON."""
    if log_format == "json":
        first, *rest = text.splitlines() or [""]
        record = logging.LogRecord("mockums", level, "", 0, first, None, None)
        setattr(record, FIELDS, {"event": event, **values, **({"lines": rest} if rest else {})})
        text = JsonFormatter().format(record)
    print(text, file=stream or sys.stdout, flush=True)


class BatchedStreamHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A StreamHandler whose lines, under load, leave together: one write per `delay` seconds.

    A line after `delay` seconds without a write is written at once, so a person watching sees each
    request as it happens; the lines that follow within `delay` wait for the same write. Nothing is
    lost or reordered: a line from outside the event loop (another thread, start-up) is written at once
    after whatever is waiting, and `flush` (which `logging.shutdown` calls at exit) writes the rest.
    """

    def __init__(self, stream: TextIO | None = None, delay: float = FLUSH_DELAY) -> None:
        super().__init__(stream)
        self.delay = delay
        self._waiting: list[str | Deferred] = []
        self._due: asyncio.AbstractEventLoop | None = None  # the loop a write of the waiting lines is scheduled on
        self._last_write = -delay
        self._lock = self.lock or threading.RLock()  # logging's own handler lock (createLock made it)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record)
        except Exception:  # a record that cannot be formatted is reported as logging always reports it
            self.handleError(record)
            return
        self.write_line(line)

    def write_line(self, line: str, loop: asyncio.AbstractEventLoop | None = None) -> None:
        """Write `line` (without its newline) now, or with the next lines when others were just written.

        `loop` is the running loop when the caller knows it: asking for it costs a system call (getpid)
        on every call in Python 3.11.
        """
        self.add_line(line + self.terminator, loop)

    def add_line(self, text: str | Deferred, loop: asyncio.AbstractEventLoop | None = None) -> None:
        """`write_line` for a line that already ends with the terminator, or for a line to format (with
        its terminator) when it is written: under load, many lines together, rather than one per request."""
        with self._lock:  # another thread may be writing what waits: this line must not slip between
            self._waiting.append(text)
        if loop is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:  # not on the loop's thread: nothing would schedule the write
                self.write_waiting()
                return
        if self._due is loop:
            return  # a write is scheduled on this loop
        wait = self._last_write + self.delay - time.monotonic()
        if wait <= 0 or self._due is not None:  # due on a loop that has ended (or another one): write now
            self.write_waiting()
        else:
            self._due = loop
            loop.call_later(wait, self.write_waiting)

    def write_waiting(self) -> None:
        """Write the waiting lines, in one write."""
        with self._lock:
            self._due = None
            if not self._waiting:
                return
            waiting, self._waiting = self._waiting, []
            self._last_write = time.monotonic()
            lines = [line if isinstance(line, str) else line[0](*line[1]) for line in waiting]
            try:
                self.stream.write("".join(lines))
                self.stream.flush()
            except (OSError, ValueError):  # a line the stream refuses (or a closed stream): line by line
                self._write_each(lines)

    def _write_each(self, lines: list[str]) -> None:
        """Write lines one at a time, so a line the stream refuses loses only itself, reported on stderr
        as logging reports its own handler errors (when `logging.raiseExceptions` is on)."""
        for line in lines:
            try:
                self.stream.write(line)
            except (OSError, ValueError) as error:
                if logging.raiseExceptions and sys.stderr is not None and sys.stderr is not self.stream:
                    with contextlib.suppress(OSError, ValueError):
                        sys.stderr.write(f"--- Logging error: {type(error).__name__}: {error}; a line was dropped\n")
        with contextlib.suppress(OSError, ValueError):
            self.stream.flush()

    def flush(self) -> None:
        self.write_waiting()
        super().flush()


def request_line_writer(logger: logging.Logger) -> Callable[..., None] | None:
    """A writer of INFO lines for `logger` that skips logging's record machinery, when what it writes is
    exactly what logging would: INFO is enabled, neither the logger nor its ancestors filter, and the one
    handler they reach is a `BatchedStreamHandler` in the text format, without a filter. None otherwise
    (the JSON format, a second handler such as a test runner's capture, a filter): then the line goes
    through logging. Asked once, on the loop that serves (the writer must be called on it); a configuration
    changed later is not seen."""
    if not logger.isEnabledFor(logging.INFO):
        return None
    handlers: list[logging.Handler] = []
    current: logging.Logger | None = logger
    while current is not None:
        if current.filters:
            return None
        handlers.extend(current.handlers)
        current = current.parent if current.propagate else None
    if len(handlers) != 1 or type(handlers[0]) is not BatchedStreamHandler:
        return None
    handler = handlers[0]
    if handler.filters or handler.level > logging.INFO or type(handler.formatter) is not TextFormatter:
        return None
    prefix = f" INFO {logger.name}: "
    terminator = handler.terminator
    loop = asyncio.get_running_loop()

    def line(created: float, message: str, args: tuple[object, ...]) -> str:
        return f"{zoned_time(created)}{prefix}{escape_controls(message % args)}{terminator}"

    def write(message: str, *args: object) -> None:
        """`logger.info(message, *args)`, formatted when written."""
        handler.add_line((line, (time.time(), message, args)), loop)

    return write


def configure_logging(level: str = "INFO", log_format: str = "text", stream: TextIO | None = None,
                      *, batched: bool = False) -> logging.Handler:
    """Send mockums' log records (and any other library's) to `stream` (stderr) in `log_format`; the handler.

    Replaces the handler an earlier call installed, so calling it twice does not print lines twice; other
    handlers (a test runner's log capture, say) stay. `batched` (what `mockums serve` asks for) writes
    lines under load together (see `BatchedStreamHandler`).
    """
    if log_format not in FORMATS:
        raise ValueError(f"log format must be one of {', '.join(FORMATS)}, got {log_format!r}")
    handler = BatchedStreamHandler(stream or sys.stderr) if batched else logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    handler.set_name(_HANDLER_NAME)
    root = logging.getLogger()
    root.handlers[:] = [*(other for other in root.handlers if other.get_name() != _HANDLER_NAME), handler]
    root.setLevel(level)
    return handler

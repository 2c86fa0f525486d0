"""Log lines for people and for machines: readable text (the default) or one JSON object per line.

Every time carries its zone (ISO 8601 with the UTC offset, in the machine's local time). A record may
carry structured fields as `extra={"mockums": {"event": …, …}}`: the JSON format puts them in its
object (a request's path, merOrderId, appId, verdict, scenario, status and duration), the text format
shows the message alone, which already says the same in words.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Mapping
from datetime import datetime
from typing import Any, TextIO

FORMATS = ("text", "json")
FIELDS = "mockums"  # the `extra` key that carries a record's structured fields
_HANDLER_NAME = "mockums"  # the handler `configure_logging` installs, known again by its name


def zoned_time(created: float) -> str:
    """`2026-12-01T10:00:00.123+08:00`: local time with its offset, to the millisecond."""
    return datetime.fromtimestamp(created).astimezone().isoformat(timespec="milliseconds")


def fields(event: str, **values: Any) -> dict[str, Mapping[str, Any]]:
    """What to pass as `extra=` for a record with structured fields: `log.info(…, extra=fields("request", …))`."""
    return {FIELDS: {"event": event, **values}}


class TextFormatter(logging.Formatter):
    """`2026-12-01T10:00:00.123+08:00 INFO mockums.http: POST /v1/… -> 200 SUCCESS …`"""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return zoned_time(record.created)

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")


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


def configure_logging(level: str = "INFO", log_format: str = "text", stream: TextIO | None = None) -> logging.Handler:
    """Send mockums' log records (and any other library's) to `stream` (stderr) in `log_format`; the handler.

    Replaces the handler an earlier call installed, so calling it twice does not print lines twice; other
    handlers (a test runner's log capture, say) stay.
    """
    if log_format not in FORMATS:
        raise ValueError(f"log format must be one of {', '.join(FORMATS)}, got {log_format!r}")
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    handler.set_name(_HANDLER_NAME)
    root = logging.getLogger()
    root.handlers[:] = [*(other for other in root.handlers if other.get_name() != _HANDLER_NAME), handler]
    root.setLevel(level)
    return handler

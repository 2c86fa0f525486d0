"""How text a client sent is shown back in messages, log lines and the journal: clipped, saying how
long it was, so a hostile value costs a few dozen characters wherever it is repeated."""

from __future__ import annotations

ID_CHARS = 64  # an id (merOrderId, appId) or a value quoted inside a sentence
LINE_CHARS = 512  # a whole reason, warning or path


def clip(text: str, limit: int = LINE_CHARS) -> str:
    """`text` when it is at most `limit` characters, else its start and its length."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters)"


def clip_id(value: str | None) -> str | None:
    """An id as the journal and the log show it (None stays None)."""
    return None if value is None else clip(value, ID_CHARS)


def quoted(value: object, limit: int = ID_CHARS) -> str:
    """A sent value as an error message quotes it: its repr, clipped (a 20,000-character value is not echoed whole)."""
    return clip(repr(value), limit)

"""JSON as the gateway writes it: compact, raw UTF-8; through orjson when it is installed.

orjson is a default dependency on CPython (left out elsewhere, such as PyPy). Without it the standard
library does the same work more slowly. Either way answers read the same: strings, integers, ordinary
floats, objects and arrays come out byte for byte alike, and whatever orjson refuses (integers beyond
64 bits, NaN, non-string keys, datetimes…) is handed to the standard library, which writes it, or
raises, exactly as it would alone.

Requests are read by orjson only when it reads them as the standard library would (`read_exactly`):
orjson reads an integer beyond 64 bits as a float, which would change what a request says, so a body
with a number of 19 digits or more is left to the standard library, as is anything orjson refuses (NaN,
an exponent beyond a float, a lone surrogate, invalid UTF-8, deep nesting), whose error the standard
library words.
"""

from __future__ import annotations

import json
from collections.abc import Callable

_std_encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _std_dumps(data: object) -> bytes:
    return _std_encoder.encode(data).encode()


def _not_read(raw: bytes) -> object:
    return NOT_READ


NOT_READ = object()  # what `read_exactly` gives when the standard library must read the body
dumps: Callable[[object], bytes] = _std_dumps
read_exactly: Callable[[bytes], object] = _not_read
LIBRARY = "json"

try:
    import orjson
except ImportError:  # the standard library alone
    pass
else:
    _PASSTHROUGH = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS

    def _fast_dumps(data: object) -> bytes:
        try:
            encoded = orjson.dumps(data, option=_PASSTHROUGH)
        except TypeError:  # orjson.JSONEncodeError: let the standard library decide (and say why)
            return _std_dumps(data)
        # orjson's bytes keep the memory of its whole working buffer (measured: about 8 KB of RSS for a
        # 700-byte answer), which the journal would hold for each of its entries: kept as an exact copy.
        return bytes(memoryview(encoded))

    # A body may hold an integer orjson reads inexactly where 19 digits in a row follow a byte a JSON number's
    # digits can follow (`:`, `[`, `,`, white space, a sign, `.`, `e`) or open the body. Each byte becomes "0"
    # (a digit), "n" (may come before a number's digits) or " ", so one search finds such a run. A run inside a
    # string follows its quote or another character: merOrderIds of 20-30 digits ("3194" and a time in
    # milliseconds) are common, and with them every request went to the standard library.
    _NUMBER_BEFORE = b":[,+-.eE \t\r\n"
    _CLASSES = bytes(48 if 48 <= byte <= 57 else 110 if byte in _NUMBER_BEFORE else 32 for byte in range(256))
    _LONG_NUMBER = b"n" + b"0" * 19

    def _fast_read(raw: bytes) -> object:
        """The JSON value of `raw`, or NOT_READ when the standard library must read it (see the module)."""
        if _LONG_NUMBER in b"n" + raw.translate(_CLASSES):
            return NOT_READ
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            return NOT_READ

    dumps, read_exactly, LIBRARY = _fast_dumps, _fast_read, "orjson"


def text(data: object) -> str:
    """`dumps` as text (the journal shows answers as text)."""
    return dumps(data).decode()


def as_text(value: object) -> str:
    """A value as forms and links carry it: text as is, booleans as true/false, objects and lists as compact
    JSON, anything else as `str` writes it."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return text(value)
    return str(value)

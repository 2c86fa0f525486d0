"""JSON as the gateway writes it: compact, raw UTF-8; through orjson when it is installed.

orjson is a default dependency on CPython (left out elsewhere, such as PyPy). Without it the standard
library does the same work more slowly. Either way answers read the same: strings, integers, ordinary
floats, objects and arrays come out byte for byte alike, and whatever orjson refuses (integers beyond
64 bits, NaN, non-string keys, datetimes…) is handed to the standard library, which writes it, or
raises, exactly as it would alone. Requests are read by the standard library only: orjson reads an
integer beyond 64 bits as a float, which would change what a request says.
"""

from __future__ import annotations

import json
from collections.abc import Callable

_std_encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _std_dumps(data: object) -> bytes:
    return _std_encoder.encode(data).encode()


dumps: Callable[[object], bytes] = _std_dumps
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

    dumps, LIBRARY = _fast_dumps, "orjson"


def text(data: object) -> str:
    """`dumps` as text (the journal shows answers as text)."""
    return dumps(data).decode()

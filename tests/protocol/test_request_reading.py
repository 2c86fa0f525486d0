"""Requests are read by orjson only where it reads them exactly as the standard library does: the same
values (an integer stays an integer, -0.0 stays -0.0), and every refusal worded by the standard library."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockums.core.answering import BodyError, read_json_body
from mockums.protocol import wire

SCALARS = st.one_of(
    st.none(), st.booleans(), st.text(max_size=20),
    st.integers(min_value=-(10**30), max_value=10**30),  # beyond 64 bits too: orjson would read those as floats
    st.floats(allow_nan=False, allow_infinity=False),
    # Ids of many digits: strings, not numbers. The strings of r"[0-9:,.e -]{0,3}[0-9]{17,30}", each part drawn whole
    # (from_regex drew them a character at a time: a third of the test's 3 s).
    st.builds(str.__add__, st.text("0123456789:,.e -", max_size=3), st.text("0123456789", min_size=17, max_size=30)),
)
DOCUMENTS = st.dictionaries(
    st.text(max_size=8),
    st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                                      max_size=4), max_leaves=12),
    max_size=8,
)


def same(left: Any, right: Any) -> bool:
    """Equal, and of the same types all the way down (1 is not 1.0, -0.0 is not 0.0)."""
    if type(left) is not type(right):
        return False
    if isinstance(left, dict):
        return list(left) == list(right) and all(same(left[key], right[key]) for key in left)
    if isinstance(left, list):
        return len(left) == len(right) and all(same(a, b) for a, b in zip(left, right, strict=True))
    if isinstance(left, float):
        equal = left == right or (math.isnan(left) and math.isnan(right))
        return equal and math.copysign(1, left) == math.copysign(1, right)
    return bool(left == right)


def test_orjson_reads_the_requests_here() -> None:
    """Installed with mockums, so the suite runs the fast path (a body it reads is not handed back)."""
    assert wire.LIBRARY == "orjson"
    assert wire.read_exactly(b'{"merOrderId":"3194A1","totalAmount":1}') == {"merOrderId": "3194A1", "totalAmount": 1}


def test_ids_of_many_digits_are_read_by_orjson_and_numbers_of_many_by_the_standard_library() -> None:
    """A 28-digit merOrderId ("3194", a time in milliseconds, 7 more digits) is a string: orjson reads it. A number
    of 19 digits or more, wherever a number can start, goes to the standard library."""
    assert wire.read_exactly(b'{"merOrderId":"3194202612071800000001234567","mid":"898340149000005"}') == {
        "merOrderId": "3194202612071800000001234567", "mid": "898340149000005"}
    for raw in (b'{"a":1234567890123456789}', b'{"a": [1, 1234567890123456789]}', b'{"a":-1234567890123456789}',
                b'{"a":1.1234567890123456789}', b'{"a":1e-1234567890123456789}', b"1234567890123456789",
                b'{"a":"x 1234567890123456789"}'):  # the last a string, sent on all the same (no telling from here)
        assert wire.read_exactly(raw) is wire.NOT_READ, raw


@settings(max_examples=150, deadline=None)
@given(DOCUMENTS, st.sampled_from([{}, {"ensure_ascii": False}, {"separators": (",", ":")}]))
def test_a_body_reads_as_the_standard_library_reads_it(document: dict[str, object], style: dict[str, Any]) -> None:
    raw = json.dumps(document, **style).encode()
    read = wire.read_exactly(raw)
    assert read is wire.NOT_READ or same(read, json.loads(raw))
    assert same(read_json_body(raw)[0], json.loads(raw)) or document == {"data": document.get("data")}


@pytest.mark.parametrize("raw", [
    b'{"totalAmount":123456789012345678901234567890}',  # orjson: 1.2345678901234568e+29
    b'{"totalAmount":18446744073709551616}',
    b'{"totalAmount":-9223372036854775809}',
    b'{"a":NaN}', b'{"a":Infinity}', b'{"a":1E400}',
    b'{"a":"\\ud800"}',  # a lone surrogate: the standard library reads it
])
def test_what_orjson_reads_otherwise_or_refuses_is_read_by_the_standard_library(raw: bytes) -> None:
    assert wire.read_exactly(raw) is wire.NOT_READ
    assert same(read_json_body(raw)[0], json.loads(raw))


@pytest.mark.parametrize(("raw", "message"), [
    (b"", "the body is empty; expected a JSON object"),
    (b"  \n", "the body is empty; expected a JSON object"),
    (b'{"a":"\xff"}', "the body is not UTF-8 (byte 6)"),
    (b"\xef\xbb\xbf{}", "the body is not valid JSON (Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0))"),
    (b'{"a":1}x', "the body is not valid JSON (Extra data: line 1 column 8 (char 7))"),
    (b"[" * 5000 + b"]" * 5000, "the JSON is nested too deeply (more than 100 levels)"),
    (b"[" * 600 + b"]" * 600, "the JSON is nested too deeply (more than 100 levels)"),  # read by every parser, refused the same way
    (b'{"a":' * 600 + b"1" + b"}" * 600, "the JSON is nested too deeply (more than 100 levels)"),
    (b"[1]", "the body is a JSON list, expected an object"),
])
def test_refusals_are_worded_by_the_standard_library(raw: bytes, message: str) -> None:
    with pytest.raises(BodyError) as refused:
        read_json_body(raw)
    assert str(refused.value) == message

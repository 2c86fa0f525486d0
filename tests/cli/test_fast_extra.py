"""orjson (a default dependency on CPython) changes speed, not behaviour: without it the same bytes."""

from __future__ import annotations

import importlib
import sys

import pytest

from mockums.protocol import wire

ANSWER = {"errCode": "SUCCESS", "errMsg": "", "merName": "测试商户", "totalAmount": 360, "big": 10**20,
          "nested": {"list": [1, 2.5, None, True], "1": "x"}}


def test_answers_are_the_same_bytes_with_and_without_orjson(monkeypatch: pytest.MonkeyPatch) -> None:
    fast = wire.dumps(ANSWER)
    monkeypatch.setitem(sys.modules, "orjson", None)  # as if not installed
    try:
        plain = importlib.reload(wire)
        assert (plain.LIBRARY, plain.dumps(ANSWER)) == ("json", fast)
    finally:
        monkeypatch.undo()
        importlib.reload(wire)
    assert wire.LIBRARY == "orjson"  # installed with mockums, so the suite runs the fast path too


def test_an_encoded_answer_holds_no_more_memory_than_its_bytes() -> None:
    """orjson's own bytes keep its ~8 KB working buffer; the journal keeps an answer per entry, so `dumps`
    hands out an exact copy (measured by tracemalloc: what 200 kept answers cost, per answer)."""
    import tracemalloc

    answer = {key: value for key, value in ANSWER.items() if key != "big"} | {"orderDesc": "商品" * 200}  # orjson's
    size = len(wire.dumps(answer))
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = [wire.dumps(answer) for _ in range(200)]
        per_answer = (tracemalloc.get_traced_memory()[0] - before) / len(kept)
    finally:
        tracemalloc.stop()
    assert size < per_answer < size + 256, (size, per_answer)

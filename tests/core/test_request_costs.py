"""Nothing per request that nobody reads: one log line, one hash of the body, one encoding of the
answer, no strptime, no near misses until the journal asks. Counted, not timed."""

from __future__ import annotations

import _strptime
import hashlib
import logging
from typing import Any

import chinaums_client
import pytest
from conftest import sandbox_for

from mockums.config import DEMO_APP, Settings
from mockums.core.trace import Reply
from mockums.protocol import wire
from mockums.scenarios import ScenarioRegistry

CLOSE = "/v1/netpay/wx/app-pre-close"


def signed(order_id: str, **fields: object) -> tuple[str, bytes]:
    body = chinaums_client.go_json(chinaums_client.close_request(order_id, **fields))
    return chinaums_client.open_body_sig(DEMO_APP.app_id, DEMO_APP.app_key, body), body


def counter(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> list[object]:
    calls: list[object] = []
    real = getattr(owner, name)

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, counting)
    return calls


def test_one_log_line_per_request_and_warnings_on_it(caplog: pytest.LogCaptureFixture) -> None:
    sandbox = sandbox_for(Settings(seed=1))
    caplog.set_level(logging.INFO, logger="mockums")
    header, body = signed("3194COST0001")
    sandbox.handle_api(CLOSE, header, body)
    assert len(caplog.records) == 1 and caplog.records[0].levelno == logging.INFO
    caplog.clear()
    header, body = signed("3194COST0002", requestTimestamp="20240101120000")  # compact: a warning
    sandbox.handle_api(CLOSE, header, body, content_type="text/plain")  # and another
    [record] = caplog.records
    assert record.levelno == logging.WARNING
    assert "yyyyMMddHHmmss" in record.getMessage() and "Content-Type is 'text/plain'" in record.getMessage()
    caplog.clear()
    sandbox.handle_api(CLOSE, header.replace("Signature=\"", "Signature=\"x"), body)
    [record] = caplog.records
    assert "refused (bad_signature): Signature does not match" in record.getMessage()


def test_the_body_is_hashed_once_and_the_answer_encoded_once(monkeypatch: pytest.MonkeyPatch) -> None:
    sandbox = sandbox_for(Settings(seed=1))
    header, body = signed("3194COST0003")
    hashes = counter(monkeypatch, hashlib, "sha256")
    dumps = counter(monkeypatch, wire, "dumps")
    reply = sandbox.handle_api(CLOSE, header, body)
    assert [args for args in hashes if args and args[0] == body] == [(body,)]
    assert reply.payload() == reply.payload() and len(dumps) == 1  # the wire and the journal share it
    [entry] = sandbox.journal("3194COST0003")
    assert entry["answer"] == reply.payload().decode() and len(dumps) == 1


def test_no_strptime_and_no_near_misses_on_the_way(monkeypatch: pytest.MonkeyPatch) -> None:
    sandbox = sandbox_for(Settings(seed=1))
    strptime = counter(monkeypatch, _strptime, "_strptime")
    near = counter(monkeypatch, ScenarioRegistry, "_near_misses")
    header, body = signed("3194COST0004")
    sandbox.handle_api(CLOSE, header, body)
    assert (strptime, near) == ([], [])
    [entry] = sandbox.journal("3194COST0004")
    assert entry["scenario"]["nearMisses"] and len(near) == 1  # type: ignore[index]


def test_a_reply_encodes_what_the_standard_library_would() -> None:
    body = {"errCode": "SUCCESS", "merName": "测试商户", "totalAmount": 360, "nested": {"a": [1, 2.5, None]}}
    assert Reply(200, body).payload() == wire._std_dumps(body)
    assert Reply(200, {"big": 10**30, 1: "key"}).payload() == b'{"big":1000000000000000000000000000000,"1":"key"}'

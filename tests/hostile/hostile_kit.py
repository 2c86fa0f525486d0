"""What the hostile property tests share: a sandbox served in a background thread, a log sink, one HTTP
exchange, and the checks every answer must pass (its layer's shape, no traceback, no key in sight).

The Hypothesis profile is derandomized and bounded (`HYPOTHESIS_PROFILE=thorough` for a longer, random
run by hand), so the suite stays fast and repeatable in CI.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from scenario_terms import terms

from mockums.config import DEMO_APP, App, Settings
from mockums.logs import TextFormatter
from mockums.scenarios import load_text
from mockums.testing import BackgroundServer

settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True, database=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.register_profile("thorough", max_examples=2000, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# Values a hostile client puts where a field, a body or a document goes (both property modules use them).
JSON_LEAVES = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=50))
JSON_VALUES = st.recursive(JSON_LEAVES, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                               st.dictionaries(st.text(max_size=10), inner, max_size=4)),
                           max_leaves=20)
DEEP_TEXT = st.sampled_from([5000, 1500, 800, 50]).map(lambda n: "[" * n + "]" * n)  # JSON text, deep
LONG_TEXT = st.sampled_from([100_000, 5000, 300, 33]).map(lambda n: "9" * n)  # past every field's length
HOSTILE_VALUES = st.one_of(
    st.sampled_from(["", " ", "0", "-1", "1e309", "NaN", "²", "١٠٠", "\x00", "{{ request.mid }}", "{{",
                     "http://127.0.0.1:1/", "2099-13-45 25:61:61", "20991345256161", "MKTIMEOUT", "3194SEQ"]),
    DEEP_TEXT,
    LONG_TEXT,
    JSON_VALUES,
    st.text(max_size=300),
)

OTHER_APP = App("mockums0hostile0app00000000000003", "hostile-app-key-never-shown", "other",
                "hostile-notify-key-never-shown")
SECRETS = (DEMO_APP.app_key, DEMO_APP.notify_key, OTHER_APP.app_key, OTHER_APP.notify_key)
LOG_LINE_LIMIT = 3000  # characters: a clipped log line is far shorter; an echoed hostile value is not
TEXT = TextFormatter()  # how `mockums serve` writes a line
CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")  # what a written line must not hold raw

# Scenarios that read the request (templates, body conditions, sequences) but never hold or break a
# connection: hostile values must not make matching or templating fail.
SCENARIOS = """\
scenarios:
  - name: echoing
    match: {merOrderIdPrefix: "3194ECHO"}
    respond:
      fields: {errMsg: "{{ request.merOrderId }} {{ request.srcReserve }}", merName: "{{ request.mid }}",
               attachedData: "{{ request.attachedData }}"}
  - name: by-body
    match: {merOrderIdPrefix: "3194BODY", body: {tid: "88880001", srcReserve: "x"}}
    respond: {fields: {errCode: TARGET_FAIL}}
  - name: counting
    match: {merOrderIdPattern: "3194SEQ.*"}
    sequence:
      - fields: {errCode: ORDER_PROCESSING}
      - fields: {errCode: SUCCESS}
    then: cycle
"""


@dataclass
class Exchange:
    """One request and its answer, as bytes and text."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class LogSink(logging.Handler):
    """Every record of the mockums and aiohttp loggers, from any thread."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self._lock = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        with self._lock:
            self.records.append(record)

    def since(self, start: int) -> list[logging.LogRecord]:
        with self._lock:
            return self.records[start:]


@dataclass
class Hostile:
    """The served sandbox and its log."""

    url: str
    sink: LogSink

    def send(self, method: str, target: str, body: bytes = b"", headers: dict[str, str] | None = None) -> Exchange:
        """One exchange on a fresh connection (a hostile request may end the one before it)."""
        parts = urlsplit(self.url)
        connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=15)
        try:
            own_host = any(name.lower() == "host" for name in headers or {})
            connection.putrequest(method, target, skip_host=own_host, skip_accept_encoding=True)
            for name, value in (headers or {}).items():
                connection.putheader(name, value)
            connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body)
            response = connection.getresponse()
            return Exchange(response.status, response.getheaders(), response.read())
        finally:
            connection.close()

    def check_logs(self, start: int) -> None:
        """No traceback, no key, no unclipped line, and no line the text log would write with a raw control
        character (a forged line, a terminal escape) in what was logged since `start`."""
        for record in self.sink.since(start):
            message = record.getMessage()
            assert record.exc_info is None and "Traceback" not in message, message[:500]
            assert len(message) <= LOG_LINE_LIMIT, message[:500]
            assert not any(secret in message for secret in SECRETS), message[:500]
            written = TEXT.format(record)
            assert len(written.splitlines()) == 1 and not CONTROLS.search(written), written[:500]


def no_secret_in(exchange: Exchange) -> None:
    """No appKey or communication key in the answer or its headers."""
    shown = exchange.text + json.dumps(exchange.headers)
    assert not any(secret in shown for secret in SECRETS)


def gateway_or_business(exchange: Exchange) -> dict[str, object]:
    """A /v1 answer: JSON with errCode and either errInfo (the gateway's) or errMsg (the business
    layer's, HTTP 200); never mockums' own INTERNAL_ERROR nor a 5xx."""
    assert exchange.status < 500, exchange.text[:500]
    answer = json.loads(exchange.body)
    assert isinstance(answer, dict), exchange.text[:500]
    assert isinstance(answer.get("errCode"), str) and answer["errCode"] != "INTERNAL_ERROR", exchange.text[:500]
    if "errInfo" in answer:
        assert isinstance(answer["errInfo"], str) and "errMsg" not in answer
    else:
        assert exchange.status == 200 and isinstance(answer.get("errMsg", ""), str), exchange.text[:500]
    no_secret_in(exchange)
    return answer


def control_shape(exchange: Exchange) -> object:
    """A control-API answer: JSON; a problem (4xx) is an object with an `error` sentence."""
    assert exchange.status in (200, 201, 400, 401, 403, 404, 405, 409, 413, 415), (exchange.status, exchange.text[:500])
    answer = json.loads(exchange.body)
    if exchange.status >= 400:
        assert isinstance(answer, dict) and isinstance(answer.get("error"), str), exchange.text[:500]
    no_secret_in(exchange)
    return answer


@pytest.fixture(scope="module")
def hostile() -> Iterator[Hostile]:
    """A sandbox with two apps and request-reading scenarios, served for the module, its logs collected."""
    loaded = load_text(SCENARIOS, "<hostile>", allowed=terms(None, None))
    assert loaded.ok, loaded.errors
    configured = Settings(apps=(DEMO_APP, OTHER_APP), seed=8, watch=False, bundled_scenarios=False,
                          no_answer_hold=0.5, max_body_bytes=64 * 1024, max_scenario_upload_bytes=16 * 1024,
                          max_runtime_scenario_bytes=40 * 1024)
    sink = LogSink()
    loggers = [logging.getLogger(name) for name in ("mockums", "aiohttp")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.INFO)
        logger.addHandler(sink)
    try:
        with BackgroundServer(configured, loaded.scenarios) as url:
            yield Hostile(url, sink)
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(sink)
            logger.setLevel(level)

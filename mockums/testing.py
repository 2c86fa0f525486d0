"""Test helpers: a handle on a running sandbox (sync and async), readable assertions, a background server.

The handles talk to the control API under /__mockums over HTTP, exactly as a test written in another
language would, so what they exercise is what everyone uses. The pytest plugin (`mockums.pytest_plugin`)
is a thin layer of fixtures over this module; nothing here needs pytest.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import textwrap
import threading
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar
from urllib.parse import quote, urlencode

from aiohttp import ClientSession, ClientTimeout, web

from mockums.auth.signing import authorization_header
from mockums.clock import BEIJING, format_compact
from mockums.config import DEMO_APP, App, Settings
from mockums.core.sandbox import load_scenarios
from mockums.scenarios import Scenario
from mockums.server.app import create_app

__all__ = [
    "AsyncMockums",
    "BackgroundServer",
    "MockumsError",
    "MockumsServer",
    "ScenarioError",
    "bundled_and_configured_scenarios",
]

CONTROL = "/__mockums"
TABLE_ROWS = 30  # journal rows shown in a failure message (the newest)
T = TypeVar("T")
Entry = dict[str, Any]
ScenarioData = str | Mapping[str, Any]


class MockumsError(Exception):
    """A control call failed; `status` and `answer` are what the sandbox said."""

    def __init__(self, message: str, status: int = 0, answer: object = None) -> None:
        super().__init__(message)
        self.status = status
        self.answer = answer


class ScenarioError(MockumsError):
    """Scenarios that do not validate; `errors` lists each problem as `path:line: reason`."""

    def __init__(self, errors: Sequence[str], status: int = 400, answer: object = None) -> None:
        self.errors = list(errors)
        lines = "\n".join(f"  {error}" for error in self.errors)
        super().__init__(f"the scenarios do not validate; nothing was added:\n{lines}", status, answer)


def bundled_and_configured_scenarios(settings: Settings) -> tuple[Scenario, ...]:
    """The scenarios `mockums serve` would load for these settings; MockumsError listing every problem."""
    scenarios, errors = load_scenarios(settings)
    if errors:
        listed = "\n".join(f"  {error}" for error in errors)
        raise MockumsError(f"mockums: the scenario files do not validate:\n{listed}")
    return scenarios


# -- control calls, described once and sent by either handle ----------------------------------------


@dataclass(frozen=True)
class _Call(Generic[T]):
    method: str
    path: str
    finish: Callable[[int, Any], T]
    query: Mapping[str, str] = field(default_factory=dict)
    body: bytes | None = None
    content_type: str = "application/json"

    def target(self) -> str:
        return CONTROL + self.path + (f"?{urlencode(self.query)}" if self.query else "")


def _expect(what: str, *ok: int) -> Callable[[int, Any], Any]:
    def finish(status: int, answer: Any) -> Any:
        __tracebackhide__ = True  # pytest shows the test's line, not these frames
        if status not in (ok or (200,)):
            reason = answer.get("error") if isinstance(answer, dict) else answer
            raise MockumsError(f"{what}: HTTP {status}: {reason}", status, answer)
        return answer

    return finish


def _json_call(method: str, path: str, what: str, body: object = None, **query: str | None) -> _Call[Any]:
    data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
    return _Call(method, path, _expect(what), {k: v for k, v in query.items() if v is not None}, data)


def _scenario_call(data: ScenarioData) -> _Call[list[str]]:
    def finish(status: int, answer: Any) -> list[str]:
        __tracebackhide__ = True
        if status == 400 and isinstance(answer, dict) and answer.get("errors"):
            raise ScenarioError([str(error) for error in answer["errors"]], status, answer)
        added = _expect("add_scenario", 201)(status, answer)
        return [str(view["name"]) for view in added]

    if isinstance(data, str):
        # Dedented, so a triple-quoted string in a test works; line numbers in errors stay the string's.
        return _Call("POST", "/scenarios", finish, body=textwrap.dedent(data).encode(), content_type="application/yaml")
    return _Call("POST", "/scenarios", finish, body=json.dumps(dict(data), ensure_ascii=False).encode())


def _order_path(mid: str, mer_order_id: str) -> str:
    return f"/orders/{quote(mid, safe='')}/{quote(mer_order_id, safe='')}"


# -- readable failures ---------------------------------------------------------------------------------


def _plural(count: int, word: str, plural: str = "") -> str:
    return f"{count} {word}" if count == 1 else f"{count} {plural or word + 's'}"


def _where(endpoint: str | None, mer_order_id: str | None, err_code: str | None = None,
           status: int | None = None) -> str:
    parts = [f" to {endpoint}" if endpoint else "", f" for merOrderId {mer_order_id}" if mer_order_id else ""]
    conditions = [f"errCode {err_code}" if err_code is not None else "", f"HTTP {status}" if status is not None else ""]
    wanted = " and ".join(c for c in conditions if c)
    return "".join(parts) + (f" answered with {wanted}" if wanted else "")


def format_journal(entries: Sequence[Entry], marked: Sequence[Entry] = ()) -> str:
    """A compact table of journal entries; rows in `marked` start with `>`."""
    marked_ids = {entry["id"] for entry in marked}
    hidden = max(0, len(entries) - TABLE_ROWS)
    entries = entries[hidden:]
    header = ("", "time", "endpoint", "merOrderId", "auth", "scenario", "status", "errCode")
    rows = [header]
    for entry in entries:
        scenario = entry.get("scenario") or {}
        auth = entry.get("auth") or {}
        rows.append((
            ">" if entry["id"] in marked_ids else "",
            str(entry.get("time", "")).partition(" ")[2] or str(entry.get("time", "")),
            str(entry.get("endpoint")),
            str(entry.get("merOrderId") or "-"),
            str(auth.get("verdict") or "-"),
            str(scenario.get("name") or "-"),
            str(entry.get("fault") or entry.get("status")),
            str(entry.get("errCode") or "-"),
        ))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows]
    if hidden:
        lines.insert(1, f"  … {_plural(hidden, 'earlier request')} not shown")
    return "\n".join(f"  {line}".rstrip() for line in lines)


def format_deliveries(deliveries: Sequence[Entry]) -> str:
    lines = []
    for delivery in deliveries:
        params = delivery.get("params") or {}
        lines.append(f"  notifyId {delivery.get('notify_id')}  {delivery.get('kind')}  status={params.get('status')}"
                     f"  {delivery.get('state')}  -> {delivery.get('url')}")
        attempts = delivery.get("attempts") or []
        for attempt in attempts:
            answer = f"HTTP {attempt['status']} {attempt.get('body', '')!r}" if attempt.get("status") else (
                f"no answer ({attempt.get('error')})")
            verdict = "accepted" if attempt.get("accepted") else "refused"
            lines.append(f"      attempt {attempt.get('number')}: {answer} {verdict}")
        if not attempts:
            lines.append("      no attempt yet")
        if delivery.get("reason"):
            lines.append(f"      gave up: {delivery['reason']}")
    return "\n".join(lines)


def _matching_requests(entries: Sequence[Entry], endpoint: str | None, err_code: str | None,
                       status: int | None) -> list[Entry]:
    return [e for e in entries
            if (endpoint is None or e.get("endpoint") == endpoint)
            and (err_code is None or e.get("errCode") == err_code)
            and (status is None or e.get("status") == status)]


def _context_query(endpoint: str | None, mer_order_id: str | None) -> tuple[str | None, str | None]:
    """What to show when an expectation fails: the order's every request, else the endpoint's, else all."""
    return mer_order_id, None if mer_order_id else endpoint


def _requested_failure(context: Sequence[Entry], matching: Sequence[Entry], recent: Sequence[Entry] | None,
                       endpoint: str | None, mer_order_id: str | None, times: int | None,
                       err_code: str | None, status: int | None) -> str:
    if times is None:
        expected = "at least one request"
    elif times == 0:
        expected = "no request"
    else:
        expected = _plural(times, "request")
    shown_order, shown_endpoint = _context_query(endpoint, mer_order_id)
    scope = _where(shown_endpoint, shown_order) or " in all"
    lines = [f"expected {expected}{_where(endpoint, mer_order_id, err_code, status)}, got {len(matching)}:"]
    if context:
        note = " (> marks the matching ones)" if matching and len(matching) < len(context) else ""
        held = _plural(len(context), "request")
        lines += [f"the journal holds {held}{scope}{note}:", format_journal(context, matching)]
    elif recent:
        lines += [f"the journal holds no request{scope}; its last {_plural(len(recent), 'request')}:",
                  format_journal(recent)]
    else:
        lines.append("the journal is empty.")
    return "\n".join(lines)


def _delivery_matches(delivery: Entry, status: str | None, accepted: bool | None) -> bool:
    if status is not None and (delivery.get("params") or {}).get("status") != status:
        return False
    attempts = delivery.get("attempts") or []
    if accepted is True:
        return any(attempt.get("accepted") for attempt in attempts)
    if accepted is False:
        return bool(attempts) and not any(attempt.get("accepted") for attempt in attempts)
    return True


def _notified_check(deliveries: Sequence[Entry], status: str | None, accepted: bool | None,
                    times: int | None) -> tuple[list[Entry], bool]:
    matching = [d for d in deliveries if _delivery_matches(d, status, accepted)]
    return matching, (len(matching) >= 1 if times is None else len(matching) == times)


def _notified_failure(deliveries: Sequence[Entry], matching: Sequence[Entry], mer_order_id: str,
                      times: int | None, status: str | None, accepted: bool | None, waited: float) -> str:
    expected = "at least one notification" if times is None else (
        "no notification" if times == 0 else _plural(times, "notification"))
    conditions = [f"with status {status}" if status else "",
                  {True: "accepted by the receiver", False: "refused by the receiver", None: ""}[accepted]]
    wanted = ", ".join(c for c in conditions if c)
    wanted = f" {wanted}" if wanted else ""
    lines = [f"expected {expected} for merOrderId {mer_order_id}{wanted}, got {len(matching)} (waited {waited:.1f} s):"]
    if deliveries:
        held = _plural(len(deliveries), "delivery", "deliveries")
        lines += [f"mockums holds {held} for merOrderId {mer_order_id}:", format_deliveries(deliveries)]
    else:
        lines.append(f"mockums sent no notification for merOrderId {mer_order_id} "
                     "(one is sent when an order created with a notifyUrl is paid or refunded).")
    return "\n".join(lines)


# -- the handles -----------------------------------------------------------------------------------------


class _Handle:
    """What both handles share: the app's credentials and signing."""

    def __init__(self, url: str, app: App = DEMO_APP, control_token: str | None = None, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.app = app
        self.control_token = control_token
        self.timeout = timeout

    def __repr__(self) -> str:  # the app key stays out of pytest's output
        return f"{type(self).__name__}(url={self.url!r}, app_id={self.app_id!r})"

    @property
    def app_id(self) -> str:
        return self.app.app_id

    @property
    def app_key(self) -> str:
        return self.app.app_key

    @property
    def notify_key(self) -> str:
        return self.app.notify_key

    def sign(self, body: bytes | str, *, timestamp: str | None = None, nonce: str | None = None) -> str:
        """An `OPEN-BODY-SIG` Authorization header for `body`, stamped with the real time in Beijing, as a
        client does (the sandbox measures clock skew against real time, however its own clock was moved)."""
        data = body.encode() if isinstance(body, str) else body
        stamp = timestamp or format_compact(datetime.fromtimestamp(time.time(), BEIJING))
        return authorization_header(self.app_id, self.app_key, stamp, data, nonce)

    def _headers(self, call: _Call[Any]) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if call.body is not None:
            headers["Content-Type"] = call.content_type
        if self.control_token:
            headers["Authorization"] = f"Bearer {self.control_token}"
        return headers

    # calls, shared by both handles
    def _reset(self) -> _Call[Any]:
        return _Call("POST", "/reset", _expect("reset"))

    @staticmethod
    def _journal(merOrderId: str | None, endpoint: str | None, limit: int | None = None) -> _Call[list[Entry]]:
        return _json_call("GET", "/journal", "journal", merOrderId=merOrderId, endpoint=endpoint,
                          limit=None if limit is None else str(limit))

    @staticmethod
    def _remove(name: str) -> _Call[Any]:
        return _json_call("DELETE", f"/scenarios/{quote(name, safe='')}", f"remove_scenario({name!r})")

    def _clock(self, what: str, body: Mapping[str, object]) -> _Call[Any]:
        return _Call("POST", "/clock", _expect(what),
                     body=json.dumps(dict(body)).encode())


class MockumsServer(_Handle):
    """A synchronous handle on a running sandbox: control calls, signing and assertions.

    Every method is a plain blocking call (urllib, no proxy), safe from any thread and from async tests.
    """

    def __init__(self, url: str, app: App = DEMO_APP, control_token: str | None = None, timeout: float = 10.0) -> None:
        super().__init__(url, app, control_token, timeout)
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy

    def _send(self, call: _Call[T]) -> T:
        __tracebackhide__ = True
        request = urllib.request.Request(self.url + call.target(), data=call.body, method=call.method,
                                         headers=self._headers(call))
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        except urllib.error.URLError as error:
            raise MockumsError(f"mockums at {self.url} cannot be reached: {error.reason}") from error
        try:
            answer = json.loads(raw) if raw else None
        except ValueError:
            answer = raw.decode(errors="replace")
        return call.finish(status, answer)

    def health(self) -> dict[str, Any]:
        return self._send(_json_call("GET", "/health", "health"))

    def reset(self) -> None:
        """Orders, sequences, journal, notifications, runtime scenarios and the clock back to a fresh start."""
        self._send(self._reset())

    def add_scenario(self, data: ScenarioData) -> list[str]:
        """Add scenarios (YAML text with `scenarios:`, or a mapping); the names added. ScenarioError if invalid."""
        __tracebackhide__ = True
        return self._send(_scenario_call(data))

    def remove_scenario(self, name: str) -> None:
        self._send(self._remove(name))

    @contextlib.contextmanager
    def scenario(self, data: ScenarioData) -> Iterator[list[str]]:
        """`with mockums.scenario(yaml):` the scenarios are in force inside the block only."""
        names = self.add_scenario(data)
        try:
            yield names
        finally:
            for name in names:
                with contextlib.suppress(MockumsError):
                    self.remove_scenario(name)

    def journal(self, merOrderId: str | None = None, endpoint: str | None = None) -> list[Entry]:
        """Requests the sandbox answered, oldest first."""
        return self._send(self._journal(merOrderId, endpoint))

    def order(self, mid: str, merOrderId: str) -> dict[str, Any]:
        """One order: status, history, refunds and notification attempts."""
        return self._send(_json_call("GET", _order_path(mid, merOrderId), f"order({mid}, {merOrderId})"))

    def pay(self, mid: str, merOrderId: str) -> dict[str, Any]:
        """The customer pays: the order becomes TRADE_SUCCESS and its notification is sent."""
        return self._send(_json_call("POST", _order_path(mid, merOrderId) + "/pay", f"pay({mid}, {merOrderId})"))

    def notifications(self, merOrderId: str | None = None) -> list[Entry]:
        """Notification deliveries (notify_id, url, params, state, attempts), oldest first."""
        return self._send(_json_call("GET", "/notifications", "notifications", merOrderId=merOrderId))

    def clock(self) -> dict[str, Any]:
        """Sandbox time: now (epoch seconds), beijing (yyyy-MM-dd HH:mm:ss), frozen."""
        return self._send(_Call("GET", "/clock", _expect("clock")))

    def advance_clock(self, seconds: float) -> dict[str, Any]:
        return self._send(self._clock("advance_clock", {"advance": seconds}))

    def freeze_clock(self) -> dict[str, Any]:
        return self._send(self._clock("freeze_clock", {"freeze": True}))

    def set_clock(self, moment: float | str) -> dict[str, Any]:
        """Epoch seconds, `yyyy-MM-dd HH:mm:ss` (Beijing) or ISO 8601."""
        return self._send(self._clock("set_clock", {"set": moment}))

    def assert_requested(self, endpoint: str | None = None, merOrderId: str | None = None, times: int | None = None,
                         errCode: str | None = None, status: int | None = None) -> list[Entry]:
        """The matching journal entries; AssertionError with the journal's table when they are not as expected."""
        __tracebackhide__ = True
        context = self.journal(*_context_query(endpoint, merOrderId))
        matching = _matching_requests(context, endpoint, errCode, status)
        if len(matching) >= 1 if times is None else len(matching) == times:
            return matching
        recent = None if context else self._send(self._journal(None, None, 10))
        raise AssertionError(
            _requested_failure(context, matching, recent, endpoint, merOrderId, times, errCode, status))

    def assert_not_requested(self, endpoint: str | None = None, merOrderId: str | None = None,
                             errCode: str | None = None, status: int | None = None) -> None:
        __tracebackhide__ = True
        self.assert_requested(endpoint, merOrderId, 0, errCode, status)

    def assert_notified(self, merOrderId: str, times: int | None = None, status: str | None = None,
                        accepted: bool | None = None, timeout: float = 5.0) -> list[Entry]:
        """The matching deliveries, waiting up to `timeout` s for them (delivery runs in the background)."""
        __tracebackhide__ = True
        started = time.monotonic()
        while True:
            deliveries = self.notifications(merOrderId)
            matching, ok = _notified_check(deliveries, status, accepted, times)
            waited = time.monotonic() - started
            if ok or waited >= timeout:
                break
            time.sleep(0.05)
        if not ok:
            raise AssertionError(_notified_failure(deliveries, matching, merOrderId, times, status, accepted, waited))
        return matching


class AsyncMockums(_Handle):
    """The same handle for async tests: every control call and assertion is a coroutine."""

    def __init__(self, url: str, session: ClientSession, app: App = DEMO_APP, control_token: str | None = None,
                 timeout: float = 10.0) -> None:
        super().__init__(url, app, control_token, timeout)
        self.session = session

    async def _send(self, call: _Call[T]) -> T:
        __tracebackhide__ = True
        async with self.session.request(call.method, self.url + call.target(), data=call.body,
                                        headers=self._headers(call), timeout=ClientTimeout(total=self.timeout)) as r:
            raw = await r.read()
            status = r.status
        try:
            answer = json.loads(raw) if raw else None
        except ValueError:
            answer = raw.decode(errors="replace")
        return call.finish(status, answer)

    async def health(self) -> dict[str, Any]:
        return await self._send(_json_call("GET", "/health", "health"))

    async def reset(self) -> None:
        await self._send(self._reset())

    async def add_scenario(self, data: ScenarioData) -> list[str]:
        __tracebackhide__ = True
        return await self._send(_scenario_call(data))

    async def remove_scenario(self, name: str) -> None:
        await self._send(self._remove(name))

    @contextlib.asynccontextmanager
    async def scenario(self, data: ScenarioData) -> AsyncIterator[list[str]]:
        names = await self.add_scenario(data)
        try:
            yield names
        finally:
            for name in names:
                with contextlib.suppress(MockumsError):
                    await self.remove_scenario(name)

    async def journal(self, merOrderId: str | None = None, endpoint: str | None = None) -> list[Entry]:
        return await self._send(self._journal(merOrderId, endpoint))

    async def order(self, mid: str, merOrderId: str) -> dict[str, Any]:
        return await self._send(_json_call("GET", _order_path(mid, merOrderId), f"order({mid}, {merOrderId})"))

    async def pay(self, mid: str, merOrderId: str) -> dict[str, Any]:
        return await self._send(_json_call("POST", _order_path(mid, merOrderId) + "/pay", f"pay({mid}, {merOrderId})"))

    async def notifications(self, merOrderId: str | None = None) -> list[Entry]:
        return await self._send(_json_call("GET", "/notifications", "notifications", merOrderId=merOrderId))

    async def clock(self) -> dict[str, Any]:
        return await self._send(_Call("GET", "/clock", _expect("clock")))

    async def advance_clock(self, seconds: float) -> dict[str, Any]:
        return await self._send(self._clock("advance_clock", {"advance": seconds}))

    async def freeze_clock(self) -> dict[str, Any]:
        return await self._send(self._clock("freeze_clock", {"freeze": True}))

    async def set_clock(self, moment: float | str) -> dict[str, Any]:
        return await self._send(self._clock("set_clock", {"set": moment}))

    async def assert_requested(self, endpoint: str | None = None, merOrderId: str | None = None,
                               times: int | None = None, errCode: str | None = None,
                               status: int | None = None) -> list[Entry]:
        __tracebackhide__ = True
        context = await self.journal(*_context_query(endpoint, merOrderId))
        matching = _matching_requests(context, endpoint, errCode, status)
        if len(matching) >= 1 if times is None else len(matching) == times:
            return matching
        recent: list[Entry] | None = None
        if not context:
            recent = await self._send(self._journal(None, None, 10))
        raise AssertionError(
            _requested_failure(context, matching, recent, endpoint, merOrderId, times, errCode, status))

    async def assert_not_requested(self, endpoint: str | None = None, merOrderId: str | None = None,
                                   errCode: str | None = None, status: int | None = None) -> None:
        __tracebackhide__ = True
        await self.assert_requested(endpoint, merOrderId, 0, errCode, status)

    async def assert_notified(self, merOrderId: str, times: int | None = None, status: str | None = None,
                              accepted: bool | None = None, timeout: float = 5.0) -> list[Entry]:
        __tracebackhide__ = True
        started = time.monotonic()
        while True:
            deliveries = await self.notifications(merOrderId)
            matching, ok = _notified_check(deliveries, status, accepted, times)
            waited = time.monotonic() - started
            if ok or waited >= timeout:
                break
            await asyncio.sleep(0.05)
        if not ok:
            raise AssertionError(_notified_failure(deliveries, matching, merOrderId, times, status, accepted, waited))
        return matching


# -- a real server in a background thread ----------------------------------------------------------------


class BackgroundServer:
    """The real app on 127.0.0.1 (a free port), served by its own event loop in a daemon thread.

    `start()` returns once `/__mockums/health` answers; `stop()` runs the app's cleanup (notifier, ticker,
    file watcher) and ends the thread. Both are bounded by `timeout`. Usable as a context manager.
    """

    HOST = "127.0.0.1"

    def __init__(self, settings: Settings, scenarios: tuple[Scenario, ...] | None = None,
                 timeout: float = 10.0) -> None:
        self.settings = settings
        self.scenarios = bundled_and_configured_scenarios(settings) if scenarios is None else scenarios
        self.timeout = timeout
        self.url = ""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None

    async def _serve(self) -> int:
        app = create_app(self.settings, self.scenarios)
        # A short graceful shutdown: a test may leave a connection held open (the no_answer fault).
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.HOST, 0).start()
        return int(self._runner.addresses[0][1])

    def start(self) -> str:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="mockums-server", daemon=True)
        self._thread.start()
        try:
            port = asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(self.timeout)
            self.url = f"http://{self.HOST}:{port}"
            self._wait_healthy()
        except BaseException:
            self.stop()
            raise
        return self.url

    def _wait_healthy(self) -> None:
        handle = MockumsServer(self.url, timeout=1.0)
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                handle.health()
                return
            except MockumsError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def stop(self) -> None:
        loop, thread, runner = self._loop, self._thread, self._runner
        self._loop = self._thread = self._runner = None
        if loop is None or thread is None:
            return
        try:
            if runner is not None and loop.is_running():
                asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(self.timeout)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(self.timeout)
            if not thread.is_alive():
                leftovers = asyncio.all_tasks(loop)
                for task in leftovers:
                    task.cancel()
                if leftovers:
                    loop.run_until_complete(asyncio.gather(*leftovers, return_exceptions=True))
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.run_until_complete(loop.shutdown_default_executor())
                loop.close()

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


"""What both handles do, written once: credentials and signing, then every control call and assertion as a
shared method (see `conversation.py`): blocking on `Mockums`, a coroutine on `AsyncMockums`."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from mockums.auth.signing import authorization_header
from mockums.clock import BEIJING, format_compact
from mockums.config import DEMO_APP, App
from mockums.testing import calls
from mockums.testing.calls import Entry, ScenarioData
from mockums.testing.conversation import Conversation, Pause, SharedMethod, ask
from mockums.testing.expectations import context_query, count_met, matching_deliveries, matching_requests
from mockums.testing.failures import notified_failure, requested_failure, unnotifiable_failure

__tracebackhide__ = True  # pytest shows the test's line, not this module's frames (--fulltrace does)

RECENT_ROWS = 10  # journal entries shown when none concerns the order or endpoint asserted on
POLL_SECONDS = 0.05  # between two looks at the deliveries in assert_notified


class HandleMethods:
    """The base of `Mockums` and `AsyncMockums`: everything but the transport, which each adds as `_run`.

    `url` is the sandbox's base URL; `app` the credentials `sign` uses (default: the demo app);
    `control_token` the bearer token, when the sandbox was started with `--control-token`; `timeout`
    bounds each control call, in seconds.
    """

    def __init__(self, url: str, app: App = DEMO_APP, control_token: str | None = None, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.app = app
        self.control_token = control_token
        self.timeout = timeout

    def __repr__(self) -> str:  # the app key stays out of pytest's output
        return f"{type(self).__name__}(url={self.url!r}, app_id={self.app_id!r})"

    @property
    def app_id(self) -> str:
        """The appId of the handle's app: what your client sends in its Authorization header."""
        return self.app.app_id

    @property
    def app_key(self) -> str:
        """The appKey your client signs requests with."""
        return self.app.app_key

    @property
    def notify_key(self) -> str:
        """The key the sandbox signs this app's payment notifications with: verify them with it."""
        return self.app.notify_key

    def sign(self, body: bytes | str, *, timestamp: str | None = None, nonce: str | None = None) -> str:
        """An `OPEN-BODY-SIG` Authorization header for `body`, stamped with the real time in Beijing, as a
        client does (the sandbox measures clock skew against real time, however its own clock was moved).

        `timestamp` (yyyyMMddHHmmss) and `nonce` replace the generated ones, for a reproducible header.
        """
        data = body.encode() if isinstance(body, str) else body
        stamp = timestamp or format_compact(datetime.fromtimestamp(time.time(), BEIJING))
        return authorization_header(self.app_id, self.app_key, stamp, data, nonce)

    # -- control calls ---------------------------------------------------------------------------------

    @SharedMethod
    def health(self) -> Conversation[dict[str, Any]]:
        """The sandbox's health answer: status, version, how many scenarios are loaded…"""
        return (yield from ask(calls.health()))

    @SharedMethod
    def reset(self) -> Conversation[None]:
        """Orders, sequences, journal, notifications, runtime scenarios and the clock back to a fresh start."""
        yield from ask(calls.reset())

    @SharedMethod
    def add_scenario(self, data: ScenarioData) -> Conversation[list[str]]:
        """Add scenarios at runtime; returns the names added. ScenarioError, listing every problem, if they do
        not validate (then none is added).

        `data` is YAML text (with `scenarios:`, or one scenario; dedented, so a triple-quoted string works)
        or one scenario as a mapping.
        """
        return (yield from ask(calls.add_scenarios(data)))

    @SharedMethod
    def remove_scenario(self, name: str) -> Conversation[None]:
        """Remove a scenario added at runtime, by name. MockumsError (HTTP 404) if there is none."""
        yield from ask(calls.remove_scenario(name))

    @SharedMethod
    def journal(self, merOrderId: str | None = None, endpoint: str | None = None) -> Conversation[list[Entry]]:
        """The requests the sandbox answered, oldest first; only those of one order and/or endpoint if given."""
        return (yield from ask(calls.journal(merOrderId, endpoint)))

    @SharedMethod
    def order(self, mid: str, merOrderId: str) -> Conversation[dict[str, Any]]:
        """One order: status, history, refunds and notification attempts. MockumsError (HTTP 404) if unknown."""
        return (yield from ask(calls.order(mid, merOrderId)))

    @SharedMethod
    def pay(self, mid: str, merOrderId: str) -> Conversation[dict[str, Any]]:
        """The customer pays: the order becomes TRADE_SUCCESS and its notification is sent."""
        return (yield from ask(calls.pay(mid, merOrderId)))

    @SharedMethod
    def notifications(self, merOrderId: str | None = None) -> Conversation[list[Entry]]:
        """Notification deliveries (notifyId, url, params, state, attempts), oldest first."""
        return (yield from ask(calls.notifications(merOrderId)))

    @SharedMethod
    def clock(self) -> Conversation[dict[str, Any]]:
        """Sandbox time: now (epoch seconds), beijing (yyyy-MM-dd HH:mm:ss), frozen."""
        return (yield from ask(calls.clock()))

    @SharedMethod
    def advance_clock(self, seconds: float) -> Conversation[dict[str, Any]]:
        """Move the sandbox clock forward by `seconds` (what falls due meanwhile happens now); the new time."""
        return (yield from ask(calls.change_clock("advance_clock", {"advance": seconds})))

    @SharedMethod
    def freeze_clock(self) -> Conversation[dict[str, Any]]:
        """Stop the sandbox clock (until it is moved, or reset); the time it stopped at."""
        return (yield from ask(calls.change_clock("freeze_clock", {"freeze": True})))

    @SharedMethod
    def set_clock(self, moment: float | str) -> Conversation[dict[str, Any]]:
        """Set the sandbox clock to `moment`: epoch seconds, `yyyy-MM-dd HH:mm:ss` (Beijing) or ISO 8601."""
        return (yield from ask(calls.change_clock("set_clock", {"set": moment})))

    # -- assertions ------------------------------------------------------------------------------------

    @SharedMethod
    def assert_requested(self, endpoint: str | None = None, merOrderId: str | None = None, times: int | None = None,
                         errCode: str | None = None, status: int | None = None) -> Conversation[list[Entry]]:
        """The journal entries to `endpoint` for `merOrderId` answered with `errCode` and HTTP `status` (each
        only if given): at least one, or exactly `times`. Else AssertionError with the journal's table.
        """
        context = yield from ask(calls.journal(*context_query(endpoint, merOrderId)))
        matching = matching_requests(context, endpoint, errCode, status)
        if count_met(len(matching), times):
            return matching
        recent = None if context else (yield from ask(calls.journal(limit=RECENT_ROWS)))
        raise AssertionError(requested_failure(context, matching, recent, endpoint, merOrderId, times, errCode, status))

    @SharedMethod
    def assert_not_requested(self, endpoint: str | None = None, merOrderId: str | None = None,
                             errCode: str | None = None, status: int | None = None) -> Conversation[None]:
        """`assert_requested(..., times=0)`: no such request, else AssertionError with the journal's table."""
        yield from HandleMethods.assert_requested(self, endpoint, merOrderId, 0, errCode, status)

    @SharedMethod
    def assert_notified(self, merOrderId: str, times: int | None = None, status: str | None = None,
                        accepted: bool | None = None, timeout: float = 5.0) -> Conversation[list[Entry]]:
        """The order's notification deliveries with order `status`, accepted by the receiver or refused (each
        only if given): at least one, or exactly `times`.

        Delivery runs in the background, so this looks again until they are there, for `timeout` seconds at
        most; then AssertionError listing every delivery of the order and its attempts. When the order was
        created without a notifyUrl, no notification can come: AssertionError at once, saying so.
        """
        started = time.monotonic()
        while True:
            deliveries = yield from ask(calls.notifications(merOrderId))
            matching = matching_deliveries(deliveries, status, accepted)
            waited = time.monotonic() - started
            if count_met(len(matching), times):
                return matching
            if not deliveries:
                orders = yield from ask(calls.orders(merOrderId))
                if orders and not any(order.get("notifyUrl") for order in orders):
                    raise AssertionError(unnotifiable_failure(merOrderId, times))
            if waited >= timeout:
                raise AssertionError(notified_failure(deliveries, matching, merOrderId, times, status, accepted,
                                                      waited))
            yield Pause(POLL_SECONDS)

"""The core facade: the one way into the sandbox for the HTTP shell, the control API, the pytest
plugin and the CLI.

Requests go in through `handle_api` / `handle_token` and come out as a `Reply` the shell performs;
every control operation (pay, notify, redeliver, reset, clock, seed, scenarios, journal, orders) is
one method here that returns JSON-ready data or raises a `ControlError`. The core records its own
journal. Nothing here knows about HTTP servers.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from mockums import __version__
from mockums.auth.tokens import TokenStore
from mockums.clock import Clock, parse_moment
from mockums.config import Settings
from mockums.core import views
from mockums.core.answering import Answerer
from mockums.core.notifying import Notifications
from mockums.core.order_control import OrderControl
from mockums.core.samples import SignedRequest, check_fields, endpoint_spec, signed_request
from mockums.core.scenario_control import ScenarioControl
from mockums.core.scenario_files import ScenarioFilesError, allowed_names, load_scenarios, scenario_sources
from mockums.core.store import Store, replica_name, shown_store
from mockums.core.store_url import open_store
from mockums.core.trace import Reply, Trace
from mockums.core.unavailable import unavailable_reply
from mockums.errors import Invalid, NotFound, StoreUnavailable
from mockums.ledger.calls import Event
from mockums.ledger.generate import Generator
from mockums.ledger.ledger import Ledger
from mockums.limits import TOKEN_PATH
from mockums.lines import DEFAULT_REGISTRY, CashierRedirect, CashierView, Page, Registry, Services
from mockums.lines.openapi import gateway_openapi_document
from mockums.logs import fields as log_fields
from mockums.notify.sender import SHARED_POLL, Notifier, NotifyPolicy
from mockums.protocol.clipping import ID_CHARS, clip
from mockums.protocol.gateway_errors import gateway_error_table
from mockums.scenarios import Allowed, Scenario, SequenceTracker
from mockums.scenarios.active import ScenarioSet
from mockums.scenarios.json_schema import scenario_json_schema

__all__ = ["CashierRedirect", "CashierView", "Reply", "Sandbox", "ScenarioFilesError", "Trace", "load_scenarios"]

log = logging.getLogger("mockums.http")

EPOCH_MAX = 4102444800.0  # 2100-01-01: the sandbox clock stays between 1970 and this
REQUEST_LINE = "%s %s -> %s %s merOrderId=%s scenario=%s %.1f ms"  # a request's INFO line


class Sandbox(OrderControl, ScenarioControl):
    """One sandbox: its settings, clock, orders, scenarios, journal and notifications."""

    def __init__(self, settings: Settings, scenarios: tuple[Scenario, ...] | None = None,
                 clock: Clock | None = None, lines: Registry = DEFAULT_REGISTRY, store: Store | None = None) -> None:
        """`scenarios` None loads them from the settings' folders (the lines' bundled ones included); an empty
        tuple means none. `lines` are the product lines served; `store` keeps the state (in memory when not
        given).

        Raises ScenarioFilesError when the files do not validate.
        """
        if scenarios is None:
            scenarios, errors = load_scenarios(settings, lines)
            if errors:
                raise ScenarioFilesError(errors)
        self.settings = settings
        self.lines = lines
        self._owns_store = store is None
        self.store = store = store or open_store(settings)
        self.replica = replica_name(settings)  # the name its journal entries carry
        self.clock = clock or Clock(store.clock)
        if store.shared:
            self.clock.poll = SHARED_POLL
        gateway_errors = gateway_error_table(settings.gateway_errors)
        self._tokens = TokenStore(settings.app_keys, self.clock, settings.token_lifetime, settings.max_live_tokens,
                                  store.tokens)
        self._generator = Generator(cell=store.seed)
        self._ledger = Ledger(store.orders, store.order_timers, self._generator, settings.refunds_per_order)
        services = Services(settings, self.clock, self._ledger, self._generator, self._dispatch, store.records)
        self._books = {line.name: line.open(services) for line in lines.lines}
        self._pages: dict[str, Page] = {path: page for book in self._books.values()
                                        for path, page in book.pages.items()}
        self._scenarios = ScenarioSet(scenario_sources(settings, lines), allowed_names(settings, lines),
                                      self.clock.now, from_files=scenarios, changes=store.scenario_changes,
                                      max_bytes=settings.max_runtime_scenario_bytes)
        self._sequences = SequenceTracker(counters=store.sequences)
        self._journal = store.journal
        self._notifier = Notifier(self.clock, NotifyPolicy(settings.notify_schedule, settings.notify_timeout,
                                                             hosts=settings.notify_hosts),
                                  deliveries=store.deliveries, timers=store.delivery_timers, shared=store.shared)
        self._notifications = Notifications(settings, self.clock, self._books, self._ledger, self._notifier)
        self._answerer = Answerer(settings, self.clock, gateway_errors, self._tokens, lines, self._books,
                                  self._generator, self._sequences, lambda: self._scenarios.registry, self._dispatch)
        self._request_lines: Callable[..., None] | None = None

    def write_request_lines(self, writer: Callable[..., None] | None) -> None:
        """Write each request's INFO line through `writer` (called as `logger.info` is) rather than the
        `mockums.http` logger; only for a writer that writes exactly the line logging would (see
        `mockums.logs.request_line_writer`)."""
        self._request_lines = writer

    # -- running ------------------------------------------------------------------------------

    async def start(self) -> None:
        """Open what notifications need (call from the event loop that will serve requests)."""
        await self._notifier.start()

    async def stop(self) -> None:
        """Abandon pending notifications (saying how many) and close what `start` opened."""
        try:
            if not self.store.shared and self._notifier.pending:  # a shared store keeps them for the others
                log.warning("stopping: %d pending notification(s) abandoned", self._notifier.pending)
            await self._notifier.stop()
        finally:
            if self._owns_store:
                self.store.close()

    def _dispatch(self, events: Sequence[Event]) -> None:
        if events:
            self._notifications.send(events)

    def tick(self) -> None:
        """Fire what has fallen due by sandbox time (timed payments, refund settlements)."""
        with self.store.turn() if self.store.turn is not None else contextlib.nullcontext():
            self._dispatch(self._ledger.tick(self.clock.now()))

    # -- requests -----------------------------------------------------------------------------

    def handle_api(self, path: str, authorization: str | None, body: bytes,
                   content_type: str = "application/json", method: str = "POST", request_base: str = "") -> Reply:
        """One request to a /v1 path (the token endpoint included): its reply, journaled. `request_base` is
        scheme://host as the client reached us (a QR code's billQRCode uses it unless a public URL is set)."""
        if self.store.turn is not None:
            with self.store.turn():
                return self._api(path, authorization, body, content_type, method, request_base)
        return self._api(path, authorization, body, content_type, method, request_base)

    def _api(self, path: str, authorization: str | None, body: bytes, content_type: str, method: str,
             request_base: str) -> Reply:
        started = time.perf_counter()
        if path == TOKEN_PATH:
            reply = self._answerer.token(body)
        else:
            reply = self._answerer.api(path, authorization, body, content_type, self.public_base(request_base))
        return self._record(method, path, reply, started)

    def handle_form(self, path: str, raw_query: str, request_base: str) -> Reply:
        """One GET to a /v1 path (OPEN-FORM-PARAM, the H5 paths): its reply, journaled. `request_base` is
        scheme://host as the client reached us; the cashier link uses it unless a public URL is configured."""
        started = time.perf_counter()
        reply = self._answerer.form(path, raw_query, self.public_base(request_base))
        return self._record("GET", path, reply, started)

    def public_base(self, request_base: str) -> str:
        """The base URL of links the buyer's browser opens: the configured public URL, else the request's."""
        return (self.settings.public_url or request_base).rstrip("/")

    def cashier_paths(self) -> tuple[str, ...]:
        """Where cashier pages are served (the pages the lines' buyers see)."""
        return tuple(self._pages)

    def _page(self, path: str) -> Page:
        page = self._pages.get(path)
        if page is None:
            raise NotFound(f"no cashier page at {path}")
        return page

    def cashier_page(self, path: str, raw_query: str) -> CashierView:
        """The cashier page a link opens (NotFound: nothing there; Invalid: a link this sandbox did not issue)."""
        return self._page(path).view(raw_query)

    def cashier_act(self, path: str, raw_query: str, form: Mapping[str, str]) -> CashierView | CashierRedirect:
        """The buyer's choice on a cashier page (`form["action"]`: pay, cancel or leave)."""
        return self._page(path).act(raw_query, form)

    def unavailable(self, method: str, path: str, body: bytes, error: StoreUnavailable) -> Reply:
        """The answer to a request the store failed in the middle of (`handle_api` or `handle_form` raised
        `error`): the line's system error, saying why (see `core.unavailable`). Not journaled (the journal is
        in the store); logged as a warning."""
        try:
            now = self.clock.now()
        except StoreUnavailable:  # the clock's setting is kept in the store too
            now = time.time()
        reply = unavailable_reply(self._answerer, path, body, error.message, now)
        log.warning("%s %s -> %s %s (not journaled): the store is unavailable: %s", clip(method, ID_CHARS),
                    clip(path), reply.status, reply.err_code, error.message)
        return reply

    def refuse(self, key: str, reason: str, method: str, path: str, *, journal: bool = True) -> Reply:
        """The gateway's refusal of a request it will not read (too large, wrong method, unknown path)."""
        reply = self._answerer.gateway_reply(key, reason, {"reason": reason} if journal else None)
        return self._record(method, path, reply, time.perf_counter()) if journal else reply

    def _record(self, method: str, path: str, reply: Reply, started: float) -> Reply:
        """One journal entry and at most one log line per request, as soon as its answer is decided.

        The line is INFO; WARNING when the request drew warnings, which it then lists. Its text is
        formatted only when a handler takes it (not at all above INFO).
        """
        duration = (time.perf_counter() - started) * 1000  # rounded where shown (round(x, 1): 3,200 instructions)
        method, path = clip(method, ID_CHARS), clip(path)  # a path is whatever the client asked for
        try:
            self._journal.record(self.clock.now(), method, path, reply, duration)
        except StoreUnavailable as error:  # what was done is answered; only its entry is lost
            log.warning("%s %s: journal entry lost, the store is unavailable: %s", method, path, error.message)
        trace: Trace = reply.trace
        if not (trace.warnings or log.isEnabledFor(logging.INFO)):
            return reply
        status = reply.status if reply.fault is None else 0
        outcome = reply.err_code or reply.fault or ("redirect" if 300 <= reply.status < 400 else "-")
        # The structured fields only the JSON format shows: not built for the text format's lines.
        extra = log_fields("request", method=method, path=path, merOrderId=trace.mer_order_id, appId=trace.app_id,
                           verdict=trace.auth_failure or "ok", scenario=trace.scenario, status=status,
                           errCode=reply.err_code or None, fault=str(reply.fault) if reply.fault else None,
                           durationMs=round(duration, 1)) if self.settings.log_format == "json" else None
        if trace.warnings:
            log.warning("%s %s -> %s %s merOrderId=%s scenario=%s %.1f ms; warnings: %s", method, path, status,
                        outcome, trace.mer_order_id, trace.scenario, duration, " | ".join(trace.warnings), extra=extra)
        elif trace.auth_failure is not None:
            log.info("%s %s -> %s %s refused (%s): %s (appId=%s) %.1f ms", method, path, status,
                     reply.err_code, trace.auth_failure, clip(trace.auth_reason), clip(trace.app_id or "", ID_CHARS),
                     duration, extra=extra)
        elif self._request_lines is not None:  # the same line, without a log record
            self._request_lines(REQUEST_LINE, method, path, status, outcome, trace.mer_order_id, trace.scenario,
                                duration)
        else:
            log.info(REQUEST_LINE, method, path, status, outcome, trace.mer_order_id, trace.scenario, duration,
                     extra=extra)
        return reply

    # -- reading ------------------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        """Liveness, version and counts, this process's replica name and its store; StoreUnavailable (with
        `status: unhealthy` among its details) when the store does not answer."""
        about = {"version": __version__, "replica": self.replica, "store": shown_store(self.settings.store)}
        try:
            problem = self.store.health()
            if problem is None:
                return {"status": "ok", **about, "scenarios": len(self._scenarios.registry),
                        "orders": len(self._ledger.orders), "journal": len(self._journal)}
        except StoreUnavailable as error:
            problem = error.message
        raise StoreUnavailable(problem, status="unhealthy", **about)

    def journal(self, mer_order_id: str | None = None, endpoint: str | None = None, since: int = 0,
                limit: int | None = None, *, verdict: str | None = None, scenario: str | None = None,
                summary: bool = False) -> list[dict[str, Any]]:
        """Journal entries, oldest first, filtered (see `MemoryJournal.query`); `summary` gives list rows only."""
        entries = self._journal.query(mer_order_id=mer_order_id, endpoint=endpoint, since=since, limit=limit,
                                      verdict=verdict, scenario=scenario)
        return [entry.summary() if summary else entry.view() for entry in entries]

    def journal_entry(self, entry_id: int) -> dict[str, Any]:
        """One journal entry in full; NotFound when it is not (or no longer) kept."""
        entry = self._journal.get(entry_id)
        if entry is None:
            raise NotFound(f"no journal entry {entry_id} is kept (the journal keeps the newest "
                           f"{self.settings.journal_size})")
        return entry.view()

    def journal_head(self) -> int:
        """The id of the newest journal entry ever recorded (0 before the first request)."""
        return self._journal.last_id

    def scenarios(self) -> list[dict[str, Any]]:
        """Every scenario in force, with its origin (file or runtime)."""
        return [views.scenario_view(s, self._scenarios.origin(s)) for s in self._scenarios.all]

    def endpoints(self) -> list[dict[str, Any]]:
        """The endpoints mockums answers: path, title, action, wallet, method (GET: a browser link), and the
        product line with its success code."""
        lines = self.lines
        return [{"path": spec.path, "title": spec.title, "action": spec.action, "channel": spec.channel,
                 "method": spec.method, "line": lines.line_of[path].name,
                 "success": lines.line_of[path].vocabulary.success} for path, spec in lines.endpoints.items()]

    @property
    def allowed(self) -> Allowed:
        """What scenario files may name in this sandbox (its lines' endpoints and values, its gateway errors)."""
        return self._scenarios.allowed

    def scenario_schema(self) -> dict[str, Any]:
        """The JSON Schema of scenario files for this sandbox, for editors."""
        return scenario_json_schema(self._scenarios.allowed)

    def gateway_openapi(self) -> dict[str, Any]:
        """The OpenAPI document of the endpoints this sandbox's lines serve."""
        return gateway_openapi_document(__version__, self.lines)

    def signed_request(self, endpoint: object, mer_order_id: object, mid: object = None,
                       fields: object = None) -> SignedRequest:
        """A complete request for `endpoint` about `mer_order_id`, signed as its app's client would sign it.

        A known order lends its mid, instMid and app; otherwise the sample mid and the first configured
        app. `fields` override the sample's (None leaves one out). Invalid for an unknown endpoint or bad input.
        """
        spec = endpoint_spec(self.lines.endpoints, endpoint)
        if not isinstance(mer_order_id, str) or not mer_order_id:
            raise Invalid("merOrderId: send the merOrderId the request is about")
        if mid is not None and not isinstance(mid, str):
            raise Invalid("mid: send a string")
        order = (self._ledger.order(mid, mer_order_id) if mid
                 else next((o for o in self._ledger.orders.all() if o.mer_order_id == mer_order_id), None))
        base: dict[str, object] = {spec.merchant_field: mid} if mid else {}
        if order is not None:
            base = {spec.merchant_field: order.mid, **({"instMid": order.inst_mid} if order.inst_mid else {})}
        app = self.settings.app(order.app_id if order else None)
        return signed_request(app, spec, mer_order_id, base, check_fields(fields), self.clock.wall())

    # -- state --------------------------------------------------------------------------------

    def reset(self) -> dict[str, Any]:
        """Everything back to a fresh start, except files on disk; every access token issued so far is revoked
        (before the clock is set back: a token issued while it was ahead goes too)."""
        self._tokens.revoke_all()
        self._ledger.clear()
        for book in self._books.values():
            book.clear()
        self._sequences.reset()
        self._journal.clear()
        self._scenarios.reset()
        self._notifier.reset()
        self.clock.reset()
        return {"reset": "everything"}

    def clear_journal(self) -> dict[str, Any]:
        """Clear the journal only."""
        self._journal.clear()
        return {"cleared": "journal"}

    def clock_state(self) -> dict[str, Any]:
        """Sandbox time."""
        return views.clock_view(self.clock)

    def move_clock(self, *, freeze: bool | None = None, at: object = None, advance: object = None) -> dict[str, Any]:
        """Freeze or unfreeze, then set, then advance sandbox time; what falls due happens now.

        `at` is epoch seconds, `yyyy-MM-dd HH:mm:ss` or `yyyyMMddHHmmss` (Beijing), or ISO 8601;
        `advance` is seconds. The clock stays between 1970 and 2100: Invalid otherwise, and unchanged.
        """
        try:
            target = self.clock.now() if at is None else parse_moment(at)
        except ValueError as error:
            raise Invalid(f"set: {error}") from None
        if not 0 <= target <= EPOCH_MAX:
            raise Invalid(f"set: {at!r} is not a moment between 1970 and 2100")
        if advance is not None:
            if not isinstance(advance, (int, float)) or isinstance(advance, bool):
                raise Invalid(f"advance: {advance!r} is not a number of seconds")
            target += float(advance)
            if not 0 <= target <= EPOCH_MAX:
                raise Invalid(f"advance: {advance!r} s would move the sandbox clock outside 1970..2100")
        if freeze is True:
            self.clock.freeze()
        elif freeze is False:
            self.clock.unfreeze()
        if at is not None or advance is not None:
            self.clock.set(target)
        self.tick()
        return views.clock_view(self.clock)

    def seed(self) -> dict[str, Any]:
        """The seed of generated values in force."""
        return {"seed": self._generator.seed}

    def set_seed(self, seed: int) -> dict[str, Any]:
        """Seed generated ids and names from now on."""
        self._generator.seed = seed
        return {"seed": seed}

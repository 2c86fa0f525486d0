"""The core facade: the one way into the sandbox for the HTTP shell, the control API, the pytest
plugin and the CLI.

Requests go in through `handle_api` / `handle_token` and come out as a `Reply` the shell performs;
every control operation (pay, notify, redeliver, reset, clock, seed, scenarios, journal, orders) is
one method here that returns JSON-ready data or raises a `ControlError`. The core records its own
journal. Nothing here knows about HTTP servers.
"""

from __future__ import annotations

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
from mockums.core.cashier import PORTALS, Cashier, CashierRedirect, CashierView
from mockums.core.errors import Conflict, Invalid, NotFound
from mockums.core.journal import Journal
from mockums.core.links import CashierLinks
from mockums.core.notifying import Notifications
from mockums.core.samples import SignedRequest, check_fields, endpoint_spec, signed_request
from mockums.core.scenario_control import ScenarioControl
from mockums.core.scenario_files import ScenarioFilesError, load_scenarios, scenario_sources
from mockums.core.trace import Reply, Trace
from mockums.ledger.bill_model import QrCode
from mockums.ledger.bills import BillBook
from mockums.ledger.generate import Generator
from mockums.ledger.model import Order
from mockums.ledger.rules import Event, Ledger
from mockums.ledger.store import OrderStore
from mockums.logs import fields as log_fields
from mockums.notify import Notifier, NotifyPolicy
from mockums.protocol.bills import BILL_CODE_PATH
from mockums.protocol.clipping import ID_CHARS, clip
from mockums.protocol.endpoints import ENDPOINTS
from mockums.protocol.gateway_errors import gateway_error_table
from mockums.protocol.limits import TOKEN_PATH
from mockums.scenarios import Scenario, SequenceTracker
from mockums.scenarios.active import ScenarioSet
from mockums.scenarios.script import sequence_key

__all__ = ["CashierRedirect", "CashierView", "Reply", "Sandbox", "ScenarioFilesError", "Trace", "load_scenarios"]

log = logging.getLogger("mockums.http")

MAX_LISTED = 1000  # orders listed at most by one call
EPOCH_MAX = 4102444800.0  # 2100-01-01: the sandbox clock stays between 1970 and this
REQUEST_LINE = "%s %s -> %s %s merOrderId=%s scenario=%s %.1f ms"  # a request's INFO line
NO_ORDER = "no such order: create it, or call any endpoint with this merOrderId first"


class Sandbox(ScenarioControl):
    """One sandbox: its settings, clock, orders, scenarios, journal and notifications."""

    def __init__(self, settings: Settings, scenarios: tuple[Scenario, ...] | None = None,
                 clock: Clock | None = None) -> None:
        """`scenarios` None loads them from the settings' folders (bundled included); an empty tuple means none.

        Raises ScenarioFilesError when the files do not validate.
        """
        if scenarios is None:
            scenarios, errors = load_scenarios(settings)
            if errors:
                raise ScenarioFilesError(errors)
        self.settings = settings
        self.clock = clock or Clock()
        gateway_errors = gateway_error_table(settings.gateway_errors)
        self._tokens = TokenStore(settings.app_keys, self.clock, settings.token_lifetime, settings.max_live_tokens)
        self._orders = OrderStore(settings.max_orders, settings.max_refunds)
        self._generator = Generator(settings.seed)
        self._ledger = Ledger(self._orders, self._generator, settings.refunds_per_order)
        self._bills = BillBook(self._ledger, self._generator)
        self._scenarios = ScenarioSet(scenario_sources(settings), gateway_errors.keys(), ENDPOINTS.keys(),
                                      self.clock.now, from_files=scenarios)
        self._sequences = SequenceTracker(settings.max_sequences)
        self._journal = Journal(settings.journal_size, settings.journal_bytes)
        self._notifier = Notifier(self.clock, NotifyPolicy(settings.notify_schedule, settings.notify_timeout),
                                  settings.max_notifications)
        self._notifications = Notifications(settings, self.clock, self._generator, self._notifier, self._bills)
        self._links = CashierLinks(settings.seed)
        self._answerer = Answerer(settings, self.clock, gateway_errors, self._tokens, self._ledger, self._generator,
                                  self._sequences, lambda: self._scenarios.registry, self._dispatch, self._links,
                                  self._bills)
        self._cashier = Cashier(settings, self.clock, self._ledger, self._bills, self._generator, self._links,
                                self._dispatch)
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
        if self._notifier.pending:
            log.warning("stopping: %d pending notification(s) abandoned", self._notifier.pending)
        await self._notifier.stop()

    def _dispatch(self, events: Sequence[Event]) -> None:
        if events:
            self._notifications.send(events)

    def tick(self) -> None:
        """Fire what has fallen due by sandbox time (timed payments, refund settlements)."""
        self._dispatch(self._ledger.tick(self.clock.now()))

    # -- requests -----------------------------------------------------------------------------

    def handle_api(self, path: str, authorization: str | None, body: bytes,
                   content_type: str = "application/json", method: str = "POST", request_base: str = "") -> Reply:
        """One request to a /v1 path (the token endpoint included): its reply, journaled. `request_base` is
        scheme://host as the client reached us (a QR code's billQRCode uses it unless a public URL is set)."""
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

    @staticmethod
    def cashier_paths() -> tuple[str, ...]:
        """Where cashier pages are served (every H5 cashier and the QR-code page)."""
        return (*PORTALS, BILL_CODE_PATH)

    def cashier_page(self, path: str, raw_query: str) -> CashierView:
        """The cashier page a link opens (NotFound: nothing there; Invalid: a link this sandbox did not issue)."""
        return self._cashier.page(path, raw_query)

    def cashier_act(self, path: str, raw_query: str, form: Mapping[str, str]) -> CashierView | CashierRedirect:
        """The buyer's choice on a cashier page (`form["action"]`: pay, cancel or leave)."""
        return self._cashier.act(path, raw_query, form)

    def handle_token(self, body: bytes) -> Reply:
        """POST /v1/token/access: its reply, journaled."""
        return self.handle_api(TOKEN_PATH, None, body)

    def refuse(self, key: str, reason: str, method: str, path: str, *, journal: bool = True) -> Reply:
        """The gateway's refusal of a request it will not read (too large, wrong method, unknown path)."""
        reply = self._answerer.gateway_reply(key, reason, {"reason": reason} if journal else None)
        return self._record(method, path, reply, time.perf_counter()) if journal else reply

    def _record(self, method: str, path: str, reply: Reply, started: float) -> Reply:
        """One journal entry and at most one log line per request, as soon as its answer is decided.

        The line is INFO; WARNING when the request drew warnings, which it then lists. Its text is
        formatted only when a handler takes it (not at all above INFO).
        """
        duration = round((time.perf_counter() - started) * 1000, 1)
        method, path = clip(method, ID_CHARS), clip(path)  # a path is whatever the client asked for
        self._journal.record(self.clock.now(), method, path, reply, duration)
        trace: Trace = reply.trace
        if not (trace.warnings or log.isEnabledFor(logging.INFO)):
            return reply
        status = reply.status if reply.fault is None else 0
        outcome = reply.err_code or reply.fault or ("redirect" if 300 <= reply.status < 400 else "-")
        # The structured fields only the JSON format shows: not built for the text format's lines.
        extra = log_fields("request", method=method, path=path, merOrderId=trace.mer_order_id, appId=trace.app_id,
                           verdict=trace.auth_failure or "ok", scenario=trace.scenario, status=status,
                           errCode=reply.err_code or None, fault=str(reply.fault) if reply.fault else None,
                           durationMs=duration) if self.settings.log_format == "json" else None
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
        """Liveness, version and counts."""
        return {"status": "ok", "version": __version__, "scenarios": len(self._scenarios.registry),
                "orders": len(self._orders), "journal": len(self._journal)}

    def journal(self, mer_order_id: str | None = None, endpoint: str | None = None, since: int = 0,
                limit: int | None = None, *, verdict: str | None = None, scenario: str | None = None,
                summary: bool = False) -> list[dict[str, Any]]:
        """Journal entries, oldest first, filtered (see `Journal.query`); `summary` gives list rows only."""
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

    def orders(self, mid: str | None = None, mer_order_id: str | None = None,
               limit: int | None = None) -> list[dict[str, Any]]:
        """Orders, oldest first (at most `limit` or MAX_LISTED, the newest), filtered by mid and merOrderId."""
        count = min(limit or MAX_LISTED, MAX_LISTED)
        if mid is None and mer_order_id is None:  # a list that does not read every kept order
            found = self._orders.newest(count)
        else:
            found = [o for o in self._orders if mid in (None, o.mid) and mer_order_id in (None, o.mer_order_id)]
        return [views.order_summary(o) for o in found[-count:]]

    def order(self, mid: str, mer_order_id: str) -> dict[str, Any]:
        """One order in full, with its notification deliveries; NotFound if unknown."""
        return self._order_view(self._order(mid, mer_order_id))

    def notifications(self, mid: str | None = None, mer_order_id: str | None = None) -> list[dict[str, Any]]:
        """Notification deliveries and their attempts, oldest first."""
        return [views.delivery_view(d) for d in self._notifier.deliveries(mid, mer_order_id)]

    def scenarios(self) -> list[dict[str, Any]]:
        """Every scenario in force, with its origin (file or runtime)."""
        return [views.scenario_view(s, self._scenarios.origin(s)) for s in self._scenarios.all]

    def endpoints(self) -> list[dict[str, Any]]:
        """The endpoints mockums answers: path, title, action, wallet and method (GET: an H5 link)."""
        return [{"path": spec.path, "title": spec.title, "action": spec.action, "channel": spec.channel,
                 "method": spec.method} for spec in ENDPOINTS.values()]

    def scenario_count(self) -> int:
        """How many scenarios are in force."""
        return len(self._scenarios.registry)

    def _order(self, mid: str, mer_order_id: str) -> Order:
        order = self._orders.get(mid, mer_order_id)
        if order is None:
            raise NotFound(NO_ORDER)
        return order

    def _order_view(self, order: Order) -> dict[str, Any]:
        return views.order_view(order, self._notifier.deliveries(order.mid, order.mer_order_id))

    # -- orders and notifications -------------------------------------------------------------

    def pay(self, mid: str, mer_order_id: str) -> dict[str, Any]:
        """The customer pays: TRADE_SUCCESS, and the notification is sent. Conflict if not payable.

        A QR-code bill is paid by its billNo (or its code by qrCodeId), as if its code were scanned and paid.
        """
        if self._orders.get(mid, mer_order_id) is None and (code := self._bills.code_for(mid, mer_order_id)):
            return self._pay_code(code)
        order = self._order(mid, mer_order_id)
        events, paid = self._ledger.pay_now(order, self.clock.now(), "paid by control call")
        self._dispatch(events)
        if not paid:
            raise Conflict(f"order is {order.status}; only NEW_ORDER or WAIT_BUYER_PAY orders can be paid")
        return self._order_view(order)

    def _pay_code(self, code: QrCode) -> dict[str, Any]:
        bill = self._bills.current(code)
        if bill is not None and self._bills.status(code, bill, self.clock.now()) in ("PAID", "REFUND"):
            raise Conflict(f"bill {bill.bill_no} is paid already (a second payment happens only at its cashier page)")
        events, problem = self._bills.pay_code(code, self.clock.now(), None, None, "paid by control call")
        self._dispatch(events)
        if problem is not None:
            raise Conflict(problem)
        return self._order_view(next(event.order for event in reversed(events) if event.kind == "payment"))

    def notify(self, mid: str, mer_order_id: str) -> dict[str, Any]:
        """Send the order's notification again for its current state (payment, or its latest refund)."""
        order = self._order(mid, mer_order_id)
        event = self._ledger.latest_event(order)
        if event is None:
            raise Conflict(f"order is {order.status}: there is no payment to notify about yet")
        if not order.notify_url:
            raise Conflict("the order has no notifyUrl")
        self._dispatch([event])
        return self._order_view(order)

    def redeliver(self, notify_id: str) -> dict[str, Any]:
        """Deliver a kept notification again, same notifyId and signature; NotFound if not kept."""
        delivery = self._notifier.redeliver(notify_id)
        if delivery is None:
            raise NotFound("no notification with this notifyId is kept")
        return views.delivery_view(delivery)

    def forget_order(self, mid: str, mer_order_id: str) -> dict[str, Any]:
        """Forget one order: its state, its scenario sequences and its journal entries."""
        found = self._orders.remove(mid, mer_order_id)
        self._sequences.reset(sequence_key({"mid": mid, "merOrderId": mer_order_id}))
        self._journal.forget_order(mer_order_id)
        return {"reset": found}

    def signed_request(self, endpoint: object, mer_order_id: object, mid: object = None,
                       fields: object = None) -> SignedRequest:
        """A complete request for `endpoint` about `mer_order_id`, signed as its app's client would sign it.

        A known order lends its mid, instMid and app; otherwise the sample mid and the first configured
        app. `fields` override the sample's (None leaves one out). Invalid for an unknown endpoint or bad input.
        """
        spec = endpoint_spec(endpoint)
        if not isinstance(mer_order_id, str) or not mer_order_id:
            raise Invalid("merOrderId: send the merOrderId the request is about")
        if mid is not None and not isinstance(mid, str):
            raise Invalid("mid: send a string")
        order = (self._orders.get(mid, mer_order_id) if mid
                 else next((o for o in self._orders if o.mer_order_id == mer_order_id), None))
        base: dict[str, object] = {"mid": mid} if mid else {}
        if order is not None:
            base = {"mid": order.mid, **({"instMid": order.inst_mid} if order.inst_mid else {})}
        app = self.settings.app(order.app_id if order else None)
        return signed_request(app, spec, mer_order_id, base, check_fields(fields), self.clock.wall())

    # -- state --------------------------------------------------------------------------------

    def reset(self) -> dict[str, Any]:
        """Everything back to a fresh start, except tokens (clients keep them) and files on disk."""
        self._orders.reset()
        self._bills.reset()
        self._ledger.forget_timers()
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

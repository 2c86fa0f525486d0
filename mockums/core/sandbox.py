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
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from mockums import __version__
from mockums.auth.tokens import TokenStore
from mockums.clock import BEIJING, Clock, parse_body_time, parse_compact
from mockums.config import Settings
from mockums.core import views
from mockums.core.answering import Answerer
from mockums.core.errors import Conflict, Invalid, NotFound
from mockums.core.journal import Journal
from mockums.core.notifying import Notifications
from mockums.core.scenario_files import ScenarioFilesError, load_scenarios, scenario_sources
from mockums.core.trace import Reply, Trace
from mockums.ledger.generate import Generator
from mockums.ledger.model import Order
from mockums.ledger.rules import Event, Ledger
from mockums.ledger.store import OrderStore
from mockums.logs import fields as log_fields
from mockums.notify import Notifier, NotifyPolicy
from mockums.protocol.endpoints import ENDPOINTS
from mockums.protocol.gateway_errors import gateway_error_table
from mockums.protocol.limits import TOKEN_PATH
from mockums.scenarios import LoadError, Scenario, SequenceTracker
from mockums.scenarios.active import ScenarioSet
from mockums.scenarios.script import sequence_key

__all__ = ["Reply", "Sandbox", "ScenarioFilesError", "Trace", "load_scenarios"]

log = logging.getLogger("mockums.http")

MAX_LISTED = 1000  # orders listed at most by one call
EPOCH_MAX = 4102444800.0  # 2100-01-01: the sandbox clock stays between 1970 and this
NO_ORDER = "no such order: create it, or call any endpoint with this merOrderId first"


def _errors(errors: Sequence[LoadError]) -> list[str]:
    return [str(error) for error in errors]


class Sandbox:
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
        self._orders = OrderStore()
        self._generator = Generator(settings.seed)
        self._ledger = Ledger(self._orders, self._generator)
        self._scenarios = ScenarioSet(scenario_sources(settings), gateway_errors.keys(), ENDPOINTS.keys(),
                                      self.clock.now, from_files=scenarios)
        self._sequences = SequenceTracker()
        self._journal = Journal(settings.journal_size)
        self._notifier = Notifier(self.clock, NotifyPolicy(settings.notify_schedule, settings.notify_timeout))
        self._notifications = Notifications(settings, self.clock, self._generator, self._notifier)
        self._answerer = Answerer(settings, self.clock, gateway_errors, self._tokens, self._ledger, self._generator,
                                  self._sequences, lambda: self._scenarios.registry, self._dispatch)

    # -- running ------------------------------------------------------------------------------

    async def start(self) -> None:
        """Open what notifications need (call from the event loop that will serve requests)."""
        await self._notifier.start()

    async def stop(self) -> None:
        """Abandon pending notifications and close what `start` opened."""
        await self._notifier.stop()

    def _dispatch(self, events: Sequence[Event]) -> None:
        if events:
            self._notifications.send(events)

    def tick(self) -> None:
        """Fire what has fallen due by sandbox time (timed payments, refund settlements)."""
        self._dispatch(self._ledger.tick(self.clock.now()))

    # -- requests -----------------------------------------------------------------------------

    def handle_api(self, path: str, authorization: str | None, body: bytes,
                   content_type: str = "application/json", method: str = "POST") -> Reply:
        """One request to a /v1 path (the token endpoint included): its reply, journaled."""
        started = time.perf_counter()
        if path == TOKEN_PATH:
            reply = self._answerer.token(body)
        else:
            reply = self._answerer.api(path, authorization, body, content_type)
        return self._record(method, path, reply, started)

    def handle_token(self, body: bytes) -> Reply:
        """POST /v1/token/access: its reply, journaled."""
        return self.handle_api(TOKEN_PATH, None, body)

    def refuse(self, key: str, reason: str, method: str, path: str, *, journal: bool = True) -> Reply:
        """The gateway's refusal of a request it will not read (too large, wrong method, unknown path)."""
        reply = self._answerer.gateway_reply(key, reason, {"reason": reason} if journal else None)
        return self._record(method, path, reply, time.perf_counter()) if journal else reply

    def _record(self, method: str, path: str, reply: Reply, started: float) -> Reply:
        """One journal entry and one log line per request, as soon as its answer is decided."""
        duration = round((time.perf_counter() - started) * 1000, 1)
        self._journal.record(self.clock.now(), method, path, reply, duration)
        if log.isEnabledFor(logging.INFO):
            trace: Trace = reply.trace
            status = reply.status if reply.fault is None else 0
            log.info("%s %s -> %s %s merOrderId=%s scenario=%s %.1f ms", method, path, status,
                     reply.err_code or reply.fault, trace.mer_order_id, trace.scenario, duration,
                     extra=log_fields("request", method=method, path=path, merOrderId=trace.mer_order_id,
                                       appId=trace.app_id, verdict=trace.auth_failure or "ok",
                                       scenario=trace.scenario, status=status, errCode=reply.err_code or None,
                                       fault=str(reply.fault) if reply.fault else None, durationMs=duration))
        return reply

    # -- reading ------------------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        """Liveness, version and counts."""
        return {"status": "ok", "version": __version__, "scenarios": len(self._scenarios.registry),
                "orders": len(self._orders), "journal": len(self._journal)}

    def journal(self, mer_order_id: str | None = None, endpoint: str | None = None, since: int = 0,
                limit: int | None = None) -> list[dict[str, Any]]:
        """Journal entries, oldest first, filtered (see `Journal.query`)."""
        entries = self._journal.query(mer_order_id=mer_order_id, endpoint=endpoint, since=since, limit=limit)
        return [entry.view() for entry in entries]

    def orders(self, mid: str | None = None, mer_order_id: str | None = None) -> list[dict[str, Any]]:
        """Orders, oldest first (at most MAX_LISTED, the newest), filtered by mid and merOrderId."""
        found = [o for o in self._orders if mid in (None, o.mid) and mer_order_id in (None, o.mer_order_id)]
        return [views.order_summary(o) for o in found[-MAX_LISTED:]]

    def order(self, mid: str, mer_order_id: str) -> dict[str, Any]:
        """One order in full, with its notification deliveries; NotFound if unknown."""
        return self._order_view(self._order(mid, mer_order_id))

    def notifications(self, mid: str | None = None, mer_order_id: str | None = None) -> list[dict[str, Any]]:
        """Notification deliveries and their attempts, oldest first."""
        return [views.delivery_view(d) for d in self._notifier.deliveries(mid, mer_order_id)]

    def scenarios(self) -> list[dict[str, Any]]:
        """Every scenario in force, with its origin (file or runtime)."""
        return [views.scenario_view(s, self._scenarios.origin(s)) for s in self._scenarios.all]

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
        """The customer pays: TRADE_SUCCESS, and the notification is sent. Conflict if not payable."""
        order = self._order(mid, mer_order_id)
        events, paid = self._ledger.pay_now(order, self.clock.now(), "paid by control call")
        self._dispatch(events)
        if not paid:
            raise Conflict(f"order is {order.status}; only NEW_ORDER or WAIT_BUYER_PAY orders can be paid")
        return self._order_view(order)

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

    # -- state --------------------------------------------------------------------------------

    def reset(self) -> dict[str, Any]:
        """Everything back to a fresh start, except tokens (clients keep them) and files on disk."""
        self._orders.reset()
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
        target = self.clock.now() if at is None else _moment(at)
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

    def set_seed(self, seed: int) -> dict[str, Any]:
        """Seed generated ids and names from now on."""
        self._generator.seed = seed
        return {"seed": seed}

    # -- scenarios ----------------------------------------------------------------------------

    def add_scenarios(self, data: object) -> list[dict[str, Any]]:
        """Add scenarios (YAML text, a mapping with `scenarios:`, or one scenario); Invalid lists errors."""
        added, errors = self._scenarios.add(data)
        if errors:
            raise Invalid("the scenarios do not validate; nothing was added", errors=_errors(errors))
        return [views.scenario_view(s, "runtime") for s in added]

    def replace_scenario(self, name: str, data: object) -> dict[str, Any]:
        """Replace (or add) the scenario called `name`; its sequences start again."""
        replacement, errors = self._scenarios.replace(name, data)
        if replacement is None:
            raise Invalid("the scenario does not validate; the previous one is kept", errors=_errors(errors))
        self._sequences.reset_scenario(name)
        return views.scenario_view(replacement, "runtime")

    def remove_scenario(self, name: str) -> dict[str, Any]:
        """Remove a scenario (a file's comes back at the next reload); NotFound if there is none."""
        if not self._scenarios.remove(name):
            raise NotFound(f"no scenario named {name}")
        self._sequences.reset_scenario(name)
        return {"removed": name}

    def reload_scenarios(self) -> dict[str, Any]:
        """Read the scenario files again; when they do not validate the previous set is kept (Invalid)."""
        status = self._scenarios.reload()
        body = {"ok": status.ok, "at": status.at, "errors": list(status.errors), "loaded": status.loaded}
        if not status.ok:
            raise Invalid("the files do not validate; the previous set is kept", **body)
        return body

    def reload_status(self) -> dict[str, Any]:
        """The last reload from disk: ok, errors, time (all empty when none happened)."""
        status = self._scenarios.last_reload
        if status is None:
            return {"ok": True, "at": None, "errors": [], "loaded": None}
        return {"ok": status.ok, "at": status.at, "errors": list(status.errors), "loaded": status.loaded}

    def scenario_files_state(self) -> object:
        """A fingerprint of the scenario files on disk (compare two to see a change)."""
        return self._scenarios.fingerprint()

    def scenario_files_changed(self) -> bool:
        """Whether the scenario files on disk differ from when they were last read."""
        return self._scenarios.fingerprint() != self._scenarios.seen


def _moment(value: object) -> float:
    """A moment in time from a control call, as epoch seconds; Invalid with the accepted forms."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        moment = parse_body_time(value) or parse_compact(value)
        if moment is not None:
            return moment.timestamp()
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:  # an ISO time without an offset is read as Beijing time, like every time in this API
            try:
                return (parsed if parsed.tzinfo else parsed.replace(tzinfo=BEIJING)).timestamp()
            except (OverflowError, ValueError) as error:
                raise Invalid(f"set: {value!r} is out of range ({error})") from None
    raise Invalid(f"set: {value!r} is not epoch seconds, yyyy-MM-dd HH:mm:ss (Beijing) or ISO 8601")

"""The control API under /__mockums: what a test needs to drive and inspect the sandbox from outside.

JSON in and out, described by the OpenAPI document it serves at /__mockums/openapi.json.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from aiohttp import web

from mockums import __version__
from mockums.clock import BEIJING, format_time, parse_body_time, parse_compact
from mockums.core.sandbox import Sandbox
from mockums.ledger.orders import Order
from mockums.notify import Delivery, Notifier
from mockums.scenarios import LoadError, Scenario
from mockums.server.openapi import Route, openapi_document

CONTROL_PREFIX = "/__mockums"
SANDBOX = web.AppKey("sandbox", Sandbox)
NOTIFIER = web.AppKey("notifier", Notifier)
MAX_LISTED = 1000


def problem(status: int, message: str, **extra: object) -> web.Response:
    return web.json_response({"error": message, **extra}, status=status, dumps=_dumps)


def ok(data: object, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=_dumps)


def _dumps(data: object) -> str:
    return json.dumps(data, ensure_ascii=False)


# -- views -----------------------------------------------------------------------------------------


def scenario_view(scenario: Scenario, origin: str) -> dict[str, Any]:
    rule = scenario.match
    return {
        "name": scenario.name,
        "description": scenario.description,
        "magicId": scenario.magic_id,
        "match": {
            "kind": rule.kind.value,
            "value": rule.value,
            "endpoints": sorted(rule.endpoints),
            "body": dict(rule.body),
        },
        "steps": len(scenario.steps),
        "lifecycle": dataclasses.asdict(scenario.lifecycle) if scenario.lifecycle else None,
        "source": str(scenario.source),
        "origin": origin,
    }


def delivery_view(delivery: Delivery) -> dict[str, Any]:
    view = dataclasses.asdict(delivery)
    view["attempts"] = [dataclasses.asdict(attempt) for attempt in delivery.attempts]
    return view


def order_summary(order: Order) -> dict[str, Any]:
    return {
        "mid": order.mid,
        "merOrderId": order.mer_order_id,
        "status": order.status,
        "totalAmount": order.total_amount,
        "refunded": order.refunded,
        "targetSys": order.target_sys,
        "createTime": format_time(order.created_at),
    }


def order_view(order: Order, notifier: Notifier) -> dict[str, Any]:
    return {
        **order_summary(order),
        "notifyUrl": order.notify_url,
        "assumed": order.assumed,
        "expireTime": format_time(order.expire_at),
        "payTime": format_time(order.paid_at) if order.paid_at else None,
        "queries": order.queries,
        "refunds": [dataclasses.asdict(refund) for refund in order.refunds.values()],
        "history": [{"time": format_time(at), "event": event} for at, event in order.history],
        "notifications": [delivery_view(d) for d in notifier.deliveries(order.mid, order.mer_order_id)],
    }


def clock_view(sandbox: Sandbox) -> dict[str, Any]:
    now = sandbox.clock.now()
    return {"now": now, "beijing": format_time(now), "frozen": sandbox.clock.frozen}


def errors_view(errors: tuple[LoadError, ...]) -> list[str]:
    return [str(error) for error in errors]


# -- guard -----------------------------------------------------------------------------------------


def _is_loopback(peer: str | None) -> bool:
    if not peer:
        return False
    try:
        return ipaddress.ip_address(peer.split("%")[0]).is_loopback
    except ValueError:
        return False


@web.middleware
async def guard(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Control calls: off, loopback-only, or token-protected, as configured. Health is always open."""
    path = request.path
    if not path.startswith(CONTROL_PREFIX + "/") or path == f"{CONTROL_PREFIX}/health":
        return await handler(request)
    settings = request.app[SANDBOX].settings
    if not settings.control:
        return problem(404, "the control API is switched off (--no-control)")
    if not settings.control_remote and not _is_loopback(request.remote):
        return problem(
            403,
            f"control calls are accepted from loopback only, not {request.remote} "
            "(start with --control-remote to allow them)",
        )
    if settings.control_token and request.headers.get("Authorization") != f"Bearer {settings.control_token}":
        return problem(401, "this control API needs `Authorization: Bearer <token>` (--control-token)")
    return await handler(request)


# -- handlers --------------------------------------------------------------------------------------


async def _json(request: web.Request) -> Any:
    """The body as JSON, or YAML text for scenario calls; ValueError with a readable message."""
    text = await request.text()
    if not text.strip():
        return {}
    if request.content_type in ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"):
        return text
    try:
        return json.loads(text)
    except ValueError as error:
        raise ValueError(f"the body is not JSON ({error}); send YAML with Content-Type: application/yaml") from None


def _sandbox(request: web.Request) -> Sandbox:
    return request.app[SANDBOX]


async def health(request: web.Request) -> web.Response:
    sandbox = _sandbox(request)
    return ok(
        {
            "status": "ok",
            "version": __version__,
            "scenarios": len(sandbox.registry),
            "orders": len(sandbox.orders),
            "journal": len(sandbox.journal),
        }
    )


async def openapi(request: web.Request) -> web.Response:
    return ok(openapi_document(ROUTES, CONTROL_PREFIX, __version__))


async def list_scenarios(request: web.Request) -> web.Response:
    scenarios = _sandbox(request).scenarios
    return ok([scenario_view(s, scenarios.origin(s)) for s in scenarios.all])


async def add_scenarios(request: web.Request) -> web.Response:
    try:
        data = await _json(request)
    except ValueError as error:
        return problem(400, str(error))
    sandbox = _sandbox(request)
    added, errors = sandbox.scenarios.add(data)
    if errors:
        return problem(400, "the scenarios do not validate; nothing was added", errors=errors_view(errors))
    return ok([scenario_view(s, "runtime") for s in added], status=201)


async def put_scenario(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    try:
        data = await _json(request)
    except ValueError as error:
        return problem(400, str(error))
    sandbox = _sandbox(request)
    replacement, errors = sandbox.scenarios.replace(name, data)
    if replacement is None:
        return problem(400, "the scenario does not validate; the previous one is kept", errors=errors_view(errors))
    sandbox.sequences.reset_scenario(name)
    return ok(scenario_view(replacement, "runtime"))


async def delete_scenario(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    sandbox = _sandbox(request)
    if not sandbox.scenarios.remove(name):
        return problem(404, f"no scenario named {name}")
    sandbox.sequences.reset_scenario(name)
    return ok({"removed": name})


async def reload_scenarios(request: web.Request) -> web.Response:
    status = _sandbox(request).scenarios.reload()
    body = dataclasses.asdict(status)
    return ok(body) if status.ok else problem(400, "the files do not validate; the previous set is kept", **body)


async def reload_status(request: web.Request) -> web.Response:
    status = _sandbox(request).scenarios.last_reload
    return ok(dataclasses.asdict(status) if status else {"ok": True, "at": None, "errors": [], "loaded": None})


async def list_orders(request: web.Request) -> web.Response:
    query = request.query
    orders = [
        o
        for o in _sandbox(request).orders
        if query.get("mid") in (None, o.mid) and query.get("merOrderId") in (None, o.mer_order_id)
    ]
    return ok([order_summary(o) for o in orders[-MAX_LISTED:]])


def _order(request: web.Request) -> Order | None:
    return _sandbox(request).orders.get(request.match_info["mid"], request.match_info["merOrderId"])


NO_ORDER = "no such order: create it, or call any endpoint with this merOrderId first"


async def get_order(request: web.Request) -> web.Response:
    order = _order(request)
    return ok(order_view(order, request.app[NOTIFIER])) if order else problem(404, NO_ORDER)


async def delete_order(request: web.Request) -> web.Response:
    found = _sandbox(request).reset_order(request.match_info["mid"], request.match_info["merOrderId"])
    return ok({"reset": found})


async def pay_order(request: web.Request) -> web.Response:
    sandbox = _sandbox(request)
    order = _order(request)
    if order is None:
        return problem(404, NO_ORDER)
    events, paid = sandbox.ledger.pay_now(order, sandbox.clock.now(), "paid by control call")
    sandbox.dispatch(events)
    if not paid:
        return problem(409, f"order is {order.status}; only NEW_ORDER or WAIT_BUYER_PAY orders can be paid")
    return ok(order_view(order, request.app[NOTIFIER]))


async def notify_order(request: web.Request) -> web.Response:
    """Fire the order's notification for its current state (payment, or its latest refund)."""
    sandbox = _sandbox(request)
    order = _order(request)
    if order is None:
        return problem(404, NO_ORDER)
    event = sandbox.ledger.latest_event(order)
    if event is None:
        return problem(409, f"order is {order.status}: there is no payment to notify about yet")
    if not order.notify_url:
        return problem(409, "the order has no notifyUrl")
    sandbox.dispatch([event])
    return ok(order_view(order, request.app[NOTIFIER]))


async def list_notifications(request: web.Request) -> web.Response:
    query = request.query
    deliveries = request.app[NOTIFIER].deliveries(query.get("mid"), query.get("merOrderId"))
    return ok([delivery_view(d) for d in deliveries])


async def redeliver(request: web.Request) -> web.Response:
    delivery = request.app[NOTIFIER].redeliver(request.match_info["notifyId"])
    return ok(delivery_view(delivery)) if delivery else problem(404, "no notification with this notifyId is kept")


async def get_journal(request: web.Request) -> web.Response:
    query = request.query
    try:
        since = int(query.get("since", "0"))
        limit = int(query["limit"]) if "limit" in query else None
    except ValueError:
        return problem(400, "since and limit must be whole numbers")
    entries = _sandbox(request).journal.query(
        mer_order_id=query.get("merOrderId"), endpoint=query.get("endpoint"), since=since, limit=limit
    )
    return ok([entry.view() for entry in entries])


async def clear_journal(request: web.Request) -> web.Response:
    _sandbox(request).journal.clear()
    return ok({"cleared": "journal"})


async def reset(request: web.Request) -> web.Response:
    sandbox = _sandbox(request)
    sandbox.reset()
    request.app[NOTIFIER].reset()
    return ok({"reset": "everything"})


async def get_clock(request: web.Request) -> web.Response:
    return ok(clock_view(_sandbox(request)))


MAX_SHIFT = 100 * 366 * 86400.0  # a century: far enough for any test, near enough for datetime


def _moment(value: object) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 0 <= value <= 4102444800:  # up to 2100-01-01
            return float(value)
        raise ValueError(f"set: {value!r} is not epoch seconds between 1970 and 2100")
    if isinstance(value, str):
        moment = parse_body_time(value) or parse_compact(value)
        if moment is not None:
            return moment.timestamp()
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:  # an ISO time without an offset is read as Beijing time, like every time in this API
            return (parsed if parsed.tzinfo else parsed.replace(tzinfo=BEIJING)).timestamp()
    raise ValueError(f"set: {value!r} is not epoch seconds, yyyy-MM-dd HH:mm:ss (Beijing) or ISO 8601")


async def post_clock(request: web.Request) -> web.Response:
    """{"freeze": true|false}, {"set": moment}, {"advance": seconds}; in that order when combined."""
    sandbox = _sandbox(request)
    try:
        body = await _json(request)
        if not isinstance(body, dict) or not body or set(body) - {"freeze", "set", "advance"}:
            raise ValueError("send a JSON object with freeze (true/false), set (a moment) and/or advance (seconds)")
        if body.get("freeze") is True:
            sandbox.clock.freeze()
        elif body.get("freeze") is False:
            sandbox.clock.unfreeze()
        if "set" in body:
            sandbox.clock.set(_moment(body["set"]))
        if "advance" in body:
            seconds = body["advance"]
            if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or not abs(seconds) <= MAX_SHIFT:
                raise ValueError(f"advance: {seconds!r} is not a number of seconds within ±{MAX_SHIFT:.0f}")
            sandbox.clock.advance(float(seconds))
    except ValueError as error:
        return problem(400, str(error))
    sandbox.tick()  # what the new time makes due happens now, not at the next background tick
    return ok(clock_view(sandbox))


async def post_seed(request: web.Request) -> web.Response:
    try:
        body = await _json(request)
    except ValueError as error:
        return problem(400, str(error))
    seed = body.get("seed") if isinstance(body, dict) else None
    if not isinstance(seed, int) or isinstance(seed, bool):
        return problem(400, 'send {"seed": <integer>}')
    _sandbox(request).generator.seed = seed
    return ok({"seed": seed})


async def not_found(request: web.Request) -> web.Response:
    return problem(404, f"no control call {request.method} {request.path}; see {CONTROL_PREFIX}/openapi.json")


_ORDER = "/orders/{mid}/{merOrderId}"
_SCENARIO_BODY = "YAML text (Content-Type: application/yaml) or JSON: a mapping with `scenarios:`, or one scenario"

ROUTES = (
    Route("GET", "/health", health, "Liveness, version and counts (always served, never guarded)"),
    Route("GET", "/openapi.json", openapi, "This document"),
    Route("GET", "/scenarios", list_scenarios, "Scenarios in force, with source file:line, origin and magic id"),
    Route("POST", "/scenarios", add_scenarios, "Add scenarios at runtime (kept until reset)", body=_SCENARIO_BODY),
    Route("GET", "/scenarios/reload", reload_status, "The last reload from disk: ok, errors, time"),
    Route(
        "POST",
        "/scenarios/reload",
        reload_scenarios,
        "Reload scenario files now; when they do not validate the previous set is kept and errors answered",
    ),
    Route("PUT", "/scenarios/{name}", put_scenario, "Replace (or add) one scenario", body=_SCENARIO_BODY),
    Route("DELETE", "/scenarios/{name}", delete_scenario, "Remove one scenario (a file's comes back on reload)"),
    Route("GET", "/orders", list_orders, "Orders, oldest first (at most 1000)", query=("mid", "merOrderId")),
    Route("GET", _ORDER, get_order, "One order: state, refunds, history and notification attempts"),
    Route("DELETE", _ORDER, delete_order, "Forget one order, its scenario sequences and its journal entries"),
    Route("POST", f"{_ORDER}/pay", pay_order, "The customer pays: TRADE_SUCCESS, and the notification is sent"),
    Route("POST", f"{_ORDER}/notify", notify_order, "Send the order's notification again for its current state"),
    Route(
        "GET",
        "/notifications",
        list_notifications,
        "Notification deliveries and their attempts",
        query=("mid", "merOrderId"),
    ),
    Route("POST", "/notifications/{notifyId}/redeliver", redeliver, "Deliver a notification again, same notifyId"),
    Route(
        "GET",
        "/journal",
        get_journal,
        "Requests, oldest first: auth verdict, scenario and why, answer",
        query=("merOrderId", "endpoint", "since", "limit"),
    ),
    Route("DELETE", "/journal", clear_journal, "Clear the journal only"),
    Route(
        "POST", "/reset", reset, "Reset everything: orders, sequences, journal, notifications, runtime scenarios, clock"
    ),
    Route("GET", "/clock", get_clock, "Sandbox time"),
    Route(
        "POST",
        "/clock",
        post_clock,
        "Freeze, set or advance sandbox time",
        body='{"freeze": true|false, "set": epoch | "yyyy-MM-dd HH:mm:ss", "advance": seconds}',
    ),
    Route("POST", "/seed", post_seed, "Set the seed of generated values", body='{"seed": <integer>}'),
)


def add_routes(app: web.Application) -> None:
    for route in ROUTES:
        app.router.add_route(route.method, CONTROL_PREFIX + route.path, route.handler)
    app.router.add_route("*", f"{CONTROL_PREFIX}/{{tail:.*}}", not_found)

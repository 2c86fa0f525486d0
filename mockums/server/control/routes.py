"""The control API under /__mockums: each call parses its input, makes one call to the core facade,
and renders the result as JSON. Described once, as the `ROUTES` table."""

from __future__ import annotations

import asyncio
import inspect
import json
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from mockums import __version__
from mockums.core.errors import Conflict, ControlError, Invalid, NotFound
from mockums.core.sandbox import Sandbox
from mockums.protocol.clipping import clip
from mockums.protocol.limits import CONTROL_PREFIX
from mockums.scenarios import compose_yaml
from mockums.server.connections import BodyTooLarge, ClientGone, gone, read_body, too_large
from mockums.server.control.guard import problem
from mockums.server.control.openapi import QUERY_SCHEMAS, Route, openapi_document
from mockums.server.control.sending import loopback_base, send
from mockums.server.shield import ANY_TAIL, guarded

SANDBOX = web.AppKey("sandbox", Sandbox)
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")
_STATUS = {Invalid: 400, NotFound: 404, Conflict: 409}


@dataclass(frozen=True)
class ControlRequest:
    """What a control call was given: path parameters, query parameters and the parsed body."""

    match: Mapping[str, str]
    query: Mapping[str, str]
    body: Any  # parsed JSON, YAML text (sent as application/yaml), or {} when empty
    loopback: str = ""  # this server on loopback (`http://127.0.0.1:PORT`), where `send` sends


def _dumps(data: object) -> str:
    return json.dumps(data, ensure_ascii=False)


async def _parse(request: web.Request) -> ControlRequest:
    settings = request.app[SANDBOX].settings
    raw = await read_body(request, settings.max_body_bytes, settings.idle_timeout)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Invalid(f"the body is not UTF-8 text ({error.reason} at byte {error.start})") from None
    body: Any = {}
    if text.strip():
        if request.content_type in YAML_TYPES:
            # Composed in a worker thread: a large upload costs the event loop nothing while it is read.
            body = await asyncio.to_thread(compose_yaml, text)
        else:
            try:
                body = json.loads(text)
            except RecursionError:
                raise Invalid("the body is JSON nested too deeply") from None
            except ValueError as error:
                message = f"the body is not JSON ({error}); send YAML with Content-Type: application/yaml"
                raise Invalid(message) from None
    return ControlRequest(request.match_info, request.query, body, loopback_base(request))


def _handler(route: Route) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handle(request: web.Request) -> web.StreamResponse:
        try:
            result = route.call(request.app[SANDBOX], await _parse(request))
            if inspect.isawaitable(result):  # a call that waits on I/O (send)
                result = await result
        except BodyTooLarge as error:
            return too_large(problem(413, str(error)))
        except ClientGone as error:
            return gone(request, error)
        except ControlError as error:
            return problem(_STATUS.get(type(error), 400), error.message, **error.details)
        return web.json_response(result, status=route.status, dumps=_dumps)

    handle.__name__ = route.call.__name__
    return handle


# -- parsing helpers ---------------------------------------------------------------------------


def _whole(query: Mapping[str, str], name: str) -> int | None:
    """A whole-number query parameter, at least its documented minimum (since >= 0, limit >= 1)."""
    if name not in query:
        return None
    lowest = QUERY_SCHEMAS[name]["minimum"]
    try:
        value = int(query[name])
    except ValueError:
        raise Invalid(f"{name} must be a whole number (at least {lowest}), got {query[name]!r}") from None
    if value < lowest:
        raise Invalid(f"{name} must be at least {lowest}, got {value}")
    return value


def _order_key(request: ControlRequest) -> tuple[str, str]:
    return request.match["mid"], request.match["merOrderId"]


def _clock_body(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict) or not body or set(body) - {"freeze", "set", "advance"}:
        raise Invalid("send a JSON object with freeze (true/false), set (a moment) and/or advance (seconds)")
    given_null = sorted(key for key, value in body.items() if value is None)
    if given_null:
        raise Invalid(f"{', '.join(given_null)}: null is not a value here; leave the key out instead")
    return body


# -- the calls ---------------------------------------------------------------------------------


def health(sandbox: Sandbox, _: ControlRequest) -> object:
    return sandbox.health()


def openapi(sandbox: Sandbox, _: ControlRequest) -> object:
    return openapi_document(ROUTES, CONTROL_PREFIX, __version__, sandbox.allowed)


def list_endpoints(sandbox: Sandbox, _: ControlRequest) -> object:
    return sandbox.endpoints()


def scenario_schema(sandbox: Sandbox, _: ControlRequest) -> object:
    return sandbox.scenario_schema()


def gateway_openapi(sandbox: Sandbox, _: ControlRequest) -> object:
    return sandbox.gateway_openapi()


def list_scenarios(sandbox: Sandbox, _: ControlRequest) -> object:
    return sandbox.scenarios()


def add_scenarios(sandbox: Sandbox, request: ControlRequest) -> object:
    return sandbox.add_scenarios(request.body)


def put_scenario(sandbox: Sandbox, request: ControlRequest) -> object:
    return sandbox.replace_scenario(request.match["name"], request.body)


def delete_scenario(sandbox: Sandbox, request: ControlRequest) -> object:
    return sandbox.remove_scenario(request.match["name"])


def reload_scenarios(sandbox: Sandbox, _: ControlRequest) -> object:
    return sandbox.reload_scenarios()


def reload_status(sandbox: Sandbox, _: ControlRequest) -> object:
    return sandbox.reload_status()


def list_orders(sandbox: Sandbox, request: ControlRequest) -> object:
    limit = _whole(request.query, "limit")
    return sandbox.orders(request.query.get("mid"), request.query.get("merOrderId"), limit)


def get_order(sandbox: Sandbox, request: ControlRequest) -> object:
    return sandbox.order(*_order_key(request))


def delete_order(sandbox: Sandbox, request: ControlRequest) -> object:
    return sandbox.forget_order(*_order_key(request))


def pay_order(sandbox: Sandbox, request: ControlRequest) -> object:
    return sandbox.pay(*_order_key(request))


def notify_order(sandbox: Sandbox, request: ControlRequest) -> object:
    return sandbox.notify(*_order_key(request))


def list_notifications(sandbox: Sandbox, request: ControlRequest) -> object:
    return sandbox.notifications(request.query.get("mid"), request.query.get("merOrderId"))


def redeliver(sandbox: Sandbox, request: ControlRequest) -> object:
    return sandbox.redeliver(request.match["notifyId"])


def get_journal(sandbox: Sandbox, request: ControlRequest) -> object:
    query = request.query
    view = query.get("view", "full")
    if view not in ("full", "summary"):
        raise Invalid("view must be full or summary")
    return sandbox.journal(query.get("merOrderId"), query.get("endpoint"), _whole(query, "since") or 0,
                           _whole(query, "limit"), verdict=query.get("verdict"), scenario=query.get("scenario"),
                           summary=view == "summary")


def get_journal_entry(sandbox: Sandbox, request: ControlRequest) -> object:
    try:
        entry_id = int(request.match["id"])
    except ValueError:
        raise Invalid("a journal entry id is a whole number") from None
    return sandbox.journal_entry(entry_id)


def clear_journal(sandbox: Sandbox, _: ControlRequest) -> object:
    return sandbox.clear_journal()


def reset(sandbox: Sandbox, _: ControlRequest) -> object:
    return sandbox.reset()


def get_clock(sandbox: Sandbox, _: ControlRequest) -> object:
    return sandbox.clock_state()


def post_clock(sandbox: Sandbox, request: ControlRequest) -> object:
    body = _clock_body(request.body)
    freeze = body.get("freeze")
    if freeze is not None and not isinstance(freeze, bool):  # 0 == False in Python, not in JSON
        raise Invalid(f"freeze: {freeze!r} is not true or false")
    return sandbox.move_clock(freeze=freeze, at=body.get("set"), advance=body.get("advance"))


def get_seed(sandbox: Sandbox, _: ControlRequest) -> object:
    return sandbox.seed()


async def send_request(sandbox: Sandbox, request: ControlRequest) -> object:
    body = request.body if isinstance(request.body, dict) else None
    if body is None or set(body) - {"endpoint", "merOrderId", "mid", "fields"}:
        raise Invalid('send {"endpoint": "/v1/…", "merOrderId": "…", "mid"?: "…", "fields"?: {…}}')
    signed = sandbox.signed_request(body.get("endpoint"), body.get("merOrderId"), body.get("mid"),
                                    body.get("fields"))
    before = sandbox.journal_head()
    result = await send(request.loopback, signed)
    entries = sandbox.journal(signed.mer_order_id, signed.endpoint, since=before, summary=True)
    return {"request": signed.view(), **result, "journalId": entries[-1]["id"] if entries else None}


def post_seed(sandbox: Sandbox, request: ControlRequest) -> object:
    body = request.body if isinstance(request.body, dict) and set(request.body) == {"seed"} else {}
    seed = body.get("seed")
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise Invalid('send {"seed": <integer>}')
    return sandbox.set_seed(seed)


_ORDER = "/orders/{mid}/{merOrderId}"
_SCENARIO_BODY = "YAML text (Content-Type: application/yaml) or JSON: a mapping with `scenarios:`, or one scenario"

ROUTES = (
    Route("GET", "/health", health, "Liveness, version and counts (always served, never guarded)", answer="Health"),
    Route("GET", "/openapi.json", openapi, "This document"),
    Route("GET", "/scenario-schema.json", scenario_schema,
          "The JSON Schema of scenario files, for editors (`# yaml-language-server: $schema=<this URL>`)"),
    Route("GET", "/gateway-openapi.json", gateway_openapi,
          "An OpenAPI document of the mocked ChinaUMS endpoints, for Postman, Prism or code generators"),
    Route("GET", "/endpoints", list_endpoints, "The endpoints mockums answers: path, title, action, wallet, method",
          answer="Endpoints"),
    Route("GET", "/scenarios", list_scenarios, "Scenarios in force, with source file:line, origin and magic id",
          answer="ScenarioList"),
    Route("POST", "/scenarios", add_scenarios, "Add scenarios at runtime (kept until reset)", body=_SCENARIO_BODY,
          status=201, answer="ScenarioList", takes="ScenarioBody"),
    Route("GET", "/scenarios/reload", reload_status, "The last reload from disk: ok, errors, time", answer="Reload"),
    Route("POST", "/scenarios/reload", reload_scenarios,
          "Reload scenario files now; when they do not validate the previous set is kept and errors answered",
          answer="Reload"),
    Route("PUT", "/scenarios/{name}", put_scenario, "Replace (or add) one scenario", body=_SCENARIO_BODY,
          answer="ScenarioView", takes="ScenarioReplacement"),
    Route("DELETE", "/scenarios/{name}", delete_scenario, "Remove one scenario (a file's comes back on reload)",
          answer="Removed"),
    Route("GET", "/orders", list_orders, "Orders, oldest first (at most 1000, or the newest `limit`)",
          query=("mid", "merOrderId", "limit"), answer="OrderList"),
    Route("GET", _ORDER, get_order, "One order: state, refunds, history and notification attempts", answer="Order"),
    Route("DELETE", _ORDER, delete_order, "Forget one order, its scenario sequences and its journal entries",
          answer="Forgotten"),
    Route("POST", f"{_ORDER}/pay", pay_order, "The customer pays: TRADE_SUCCESS, and the notification is sent",
          answer="Order"),
    Route("POST", f"{_ORDER}/notify", notify_order, "Send the order's notification again for its current state",
          answer="Order"),
    Route("GET", "/notifications", list_notifications, "Notification deliveries and their attempts",
          query=("mid", "merOrderId"), answer="DeliveryList"),
    Route("POST", "/notifications/{notifyId}/redeliver", redeliver, "Deliver a notification again, same notifyId",
          answer="Delivery"),
    Route("GET", "/journal", get_journal,
          "Requests, oldest first: auth verdict, scenario and why, answer; `verdict` is ok, refused or an "
          "error key; `view=summary` gives list rows only",
          query=("merOrderId", "endpoint", "verdict", "scenario", "since", "limit", "view"), answer="JournalList"),
    Route("GET", "/journal/{id}", get_journal_entry, "One journal entry in full", answer="JournalEntry"),
    Route("DELETE", "/journal", clear_journal, "Clear the journal only", answer="Cleared"),
    Route("POST", "/reset", reset,
          "Reset everything: orders, sequences, journal, notifications, runtime scenarios, clock", answer="ResetDone"),
    Route("GET", "/clock", get_clock, "Sandbox time", answer="Clock"),
    Route("POST", "/clock", post_clock, "Freeze, set or advance sandbox time",
          body='{"freeze": true|false, "set": epoch | "yyyy-MM-dd HH:mm:ss", "advance": seconds}', answer="Clock",
          takes="ClockChange"),
    Route("POST", "/seed", post_seed, "Set the seed of generated values", body='{"seed": <integer>}', answer="Seed",
          takes="Seed"),
    Route("GET", "/seed", get_seed, "The seed of generated values", answer="Seed"),
    Route("POST", "/send", send_request,
          "Sign a complete sample request for an endpoint and merOrderId with a configured app's key and send "
          "it to this mockums over loopback: what was sent, the answer, and its journal entry id",
          body='{"endpoint": "/v1/…", "merOrderId": "…", "mid"?: "…", "fields"?: {"name": value or null}}',
          answer="Sent"),
)


def _pattern(path: str) -> re.Pattern[str]:
    return re.compile(re.escape(CONTROL_PREFIX) + re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(path)))


_PATTERNS = tuple((_pattern(route.path), route.method, "{" in route.path) for route in ROUTES)
_LITERAL = {CONTROL_PREFIX + route.path for route in ROUTES if "{" not in route.path}


async def _unknown_call(request: web.Request) -> web.StreamResponse:
    """A JSON 405 with `Allow` for a control path asked with another method (TRACE included), else a 404."""
    # A literal path (`/scenarios/reload`) is its own call, not a value of a parameter (`/scenarios/{name}`).
    literal = request.path in _LITERAL
    allowed = sorted({method for pattern, method, parametrised in _PATTERNS
                      if pattern.fullmatch(request.path) and not (literal and parametrised)})
    shown = f"{clip(request.method, 32)} {clip(request.path, 200)}"
    if allowed:
        response = problem(405, f"{shown}: this control call takes {', '.join(allowed)}")
        response.headers["Allow"] = ", ".join(allowed)
        return response
    return problem(404, f"no control call {shown}; see {CONTROL_PREFIX}/openapi.json")


def add_routes(app: web.Application) -> None:
    """Register every control call, and a JSON 405 or 404 for anything else under the prefix."""
    for route in ROUTES:
        app.router.add_route(route.method, CONTROL_PREFIX + route.path, guarded(_handler(route)))
    app.router.add_route("*", f"{CONTROL_PREFIX}/{{tail:{ANY_TAIL}}}", guarded(_unknown_call))

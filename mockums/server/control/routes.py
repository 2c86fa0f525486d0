"""The control API under /__mockums as one table, `ROUTES`: each call's method, path and documentation,
and the operation (`calls`) it runs. The handlers parse the request, run the operation, and render its
result as JSON or its failure as a problem with the status the failure carries."""

from __future__ import annotations

import asyncio
import inspect
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from mockums import __version__
from mockums.core.answering import too_deep
from mockums.core.sandbox import Sandbox
from mockums.core.scenario_control import upload_problem
from mockums.errors import ControlError, Invalid, OverCap
from mockums.limits import CONTROL_PREFIX, MAX_JSON_DEPTH
from mockums.scenarios import compose_yaml
from mockums.server.connections import BodyTooLarge, ClientGone, gone, read_body
from mockums.server.control import calls
from mockums.server.control.calls import ControlRequest
from mockums.server.control.openapi import Route, openapi_document
from mockums.server.control.problems import TooLarge, readable_json, refusal
from mockums.server.control.sending import loopback_base
from mockums.server.shield import guarded

SANDBOX = web.AppKey("sandbox", Sandbox)
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")
UPLOADS = ("ScenarioBody", "ScenarioReplacement")  # the calls that take scenarios (capped by size)


async def _parse(request: web.Request, upload: bool = False) -> ControlRequest:
    """The request's parameters and body; an `upload` (of scenarios) over its cap is refused unread."""
    settings = request.config_dict[SANDBOX].settings
    try:
        raw = await read_body(request, settings.max_body_bytes, settings.idle_timeout)
    except BodyTooLarge as error:
        raise TooLarge(str(error)) from None
    too_large = upload_problem(len(raw), settings) if upload else None
    if too_large is not None:  # before composing it: a refused upload costs its bytes only
        raise OverCap(too_large)
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
            if too_deep(body):
                raise Invalid(f"the body is JSON nested more than {MAX_JSON_DEPTH} levels deep")
    return ControlRequest(request.match_info, request.query, body, loopback_base(request), len(raw))


def _handler(route: Route) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    upload = route.takes in UPLOADS

    async def handle(request: web.Request) -> web.StreamResponse:
        try:
            result = route.call(request.config_dict[SANDBOX], await _parse(request, upload))
            if inspect.isawaitable(result):  # a call that waits on I/O (send)
                result = await result
        except ClientGone as error:
            return gone(request, error)
        except ControlError as error:
            return refusal(error)
        return web.json_response(result, status=route.status, dumps=readable_json)

    handle.__name__ = route.call.__name__
    return handle


def openapi(sandbox: Sandbox, _: ControlRequest) -> object:
    """The OpenAPI document of the control API, built from `ROUTES` (its scenario shapes from the sandbox's lines)."""
    return openapi_document(ROUTES, CONTROL_PREFIX, __version__, sandbox.allowed)


_ORDER = "/orders/{mid}/{merOrderId}"
_SCENARIO_BODY = "YAML text (Content-Type: application/yaml) or JSON: a mapping with `scenarios:`, or one scenario"

ROUTES = (
    Route("GET", "/health", calls.health, "Liveness, version and counts (always served, never guarded)",
          answer="Health"),
    Route("GET", "/openapi.json", openapi, "This document"),
    Route("GET", "/scenario-schema.json", calls.scenario_schema,
          "The JSON Schema of scenario files, for editors (`# yaml-language-server: $schema=<this URL>`)"),
    Route("GET", "/gateway-openapi.json", calls.gateway_openapi,
          "An OpenAPI document of the mocked ChinaUMS endpoints, for Postman, Prism or code generators"),
    Route("GET", "/endpoints", calls.list_endpoints,
          "The endpoints mockums answers: path, title, action, wallet, method", answer="Endpoints"),
    Route("GET", "/scenarios", calls.list_scenarios, "Scenarios in force, with source file:line, origin and magic id",
          answer="ScenarioList"),
    Route("POST", "/scenarios", calls.add_scenarios, "Add scenarios at runtime (kept until reset)", body=_SCENARIO_BODY,
          status=201, answer="ScenarioList", takes="ScenarioBody"),
    Route("GET", "/scenarios/reload", calls.reload_status, "The last reload from disk: ok, errors, time",
          answer="Reload"),
    Route("POST", "/scenarios/reload", calls.reload_scenarios,
          "Reload scenario files now; when they do not validate the previous set is kept and errors answered",
          answer="Reload"),
    Route("PUT", "/scenarios/{name}", calls.put_scenario, "Replace (or add) one scenario", body=_SCENARIO_BODY,
          answer="ScenarioView", takes="ScenarioReplacement"),
    Route("DELETE", "/scenarios/{name}", calls.delete_scenario, "Remove one scenario (a file's comes back on reload)",
          answer="Removed"),
    Route("GET", "/orders", calls.list_orders, "Orders, oldest first (at most 1000, or the newest `limit`)",
          query=("mid", "merOrderId", "limit"), answer="OrderList"),
    Route("GET", _ORDER, calls.get_order, "One order: state, refunds, history and notification attempts",
          answer="Order"),
    Route("DELETE", _ORDER, calls.delete_order, "Forget one order, its scenario sequences and its journal entries",
          answer="Forgotten"),
    Route("POST", f"{_ORDER}/pay", calls.pay_order, "The customer pays: TRADE_SUCCESS, and the notification is sent",
          answer="Order"),
    Route("POST", f"{_ORDER}/notify", calls.notify_order, "Send the order's notification again for its current state",
          answer="Order"),
    Route("GET", "/notifications", calls.list_notifications, "Notification deliveries and their attempts",
          query=("mid", "merOrderId"), answer="DeliveryList"),
    Route("POST", "/notifications/{notifyId}/redeliver", calls.redeliver, "Deliver a notification again, same notifyId",
          answer="Delivery"),
    Route("GET", "/journal", calls.get_journal,
          "Requests, oldest first: auth verdict, scenario and why, answer; `verdict` is ok, refused or an "
          "error key; `view=summary` gives list rows only",
          query=("merOrderId", "endpoint", "verdict", "scenario", "since", "limit", "view"), answer="JournalList"),
    Route("GET", "/journal/{id}", calls.get_journal_entry, "One journal entry in full", answer="JournalEntry"),
    Route("DELETE", "/journal", calls.clear_journal, "Clear the journal only", answer="Cleared"),
    Route("POST", "/reset", calls.reset,
          "Reset everything: orders, sequences, journal, notifications, runtime scenarios, clock; revokes every "
          "access token", answer="ResetDone"),
    Route("GET", "/clock", calls.get_clock, "Sandbox time", answer="Clock"),
    Route("POST", "/clock", calls.post_clock, "Freeze, set or advance sandbox time",
          body='{"freeze": true|false, "set": epoch | "yyyy-MM-dd HH:mm:ss", "advance": seconds}', answer="Clock",
          takes="ClockChange"),
    Route("POST", "/seed", calls.post_seed, "Set the seed of generated values", body='{"seed": <integer>}',
          answer="Seed", takes="Seed"),
    Route("GET", "/seed", calls.get_seed, "The seed of generated values", answer="Seed"),
    Route("POST", "/send", calls.send_request,
          "Sign a complete sample request for an endpoint and merOrderId with a configured app's key and send "
          "it to this mockums over loopback: what was sent, the answer, and its journal entry id",
          body='{"endpoint": "/v1/…", "merOrderId": "…", "mid"?: "…", "fields"?: {"name": value or null}}',
          answer="Sent"),
)
_LITERALS = [route.path.split("/") for route in ROUTES if "{" not in route.path]


def _beside(literal: list[str], segments: list[str], at: int) -> bool:
    """Whether a literal call's path is `segments` but for the parameter at `at`."""
    return len(literal) == len(segments) and all(
        index == at or mine.startswith("{") or mine == theirs
        for index, (mine, theirs) in enumerate(zip(segments, literal, strict=True)))


def _router_path(path: str) -> str:
    """`path` as the router matches it: a parameter never takes the place of a literal call beside it, so
    `/scenarios/reload` is its own call (405 for a method it does not take), never the scenario "reload" (as
    OpenAPI ranks concrete paths before templated ones)."""
    segments = path.split("/")
    for at, segment in enumerate(segments):
        if not segment.startswith("{"):
            continue
        taken = sorted({literal[at] for literal in _LITERALS if _beside(literal, segments, at)})
        if taken:
            names = "|".join(re.escape(name) for name in taken)
            segments[at] = f"{{{segment[1:-1]}:(?!(?:{names})(?:/|\\Z))[^{{}}/]+}}"
    return "/".join(segments)


def add_routes(app: web.Application) -> None:
    """Register every control call on `app` (the control sub-application: its paths are below the prefix)."""
    for route in ROUTES:
        app.router.add_route(route.method, _router_path(route.path), guarded(_handler(route)))

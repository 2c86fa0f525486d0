"""The application factory: state on typed AppKeys, resources in cleanup_ctx."""

from __future__ import annotations

import asyncio
import json
import logging
import time

from aiohttp import web
from aiohttp.typedefs import Handler

from mockums.clock import precise_time
from mockums.config import Settings
from mockums.core.journal import Entry, clip
from mockums.core.sandbox import TOKEN_PATH, Reply, Sandbox
from mockums.scenarios import Scenario
from mockums.server import control, faults
from mockums.server.background import make_notifier, run_background
from mockums.server.control import CONTROL_PREFIX, NOTIFIER, SANDBOX

log = logging.getLogger("mockums.http")


def _dumps(body: object) -> str:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


async def _read_body(request: web.Request, sandbox: Sandbox) -> bytes | Reply:
    try:
        return await request.read()
    except web.HTTPRequestEntityTooLarge:
        limit = sandbox.settings.max_body_bytes
        return sandbox.gateway_reply("body_too_large", f"body larger than {limit} bytes",
                                     {"reason": f"the body is larger than {limit} bytes"})


async def _perform(request: web.Request, reply: Reply, sandbox: Sandbox) -> web.StreamResponse:
    if reply.delay:
        await asyncio.sleep(reply.delay)
    payload = _dumps(reply.body).encode()
    if reply.fault is not None:
        return await faults.inject(request, reply.fault, payload, sandbox.settings.no_answer_hold)
    return web.Response(status=reply.status, body=payload, headers=reply.headers,
                        content_type="application/json", charset="utf-8")


def _record(request: web.Request, sandbox: Sandbox, reply: Reply, started: float) -> None:
    """One journal entry and one log line per request, whatever happened to the answer."""
    trace = reply.trace
    duration = round((time.perf_counter() - started) * 1000, 1)
    sandbox.journal.add(Entry(
        id=sandbox.journal.next_id(), time=precise_time(sandbox.clock.now()), method=request.method,
        endpoint=request.path, mer_order_id=trace.mer_order_id, app_id=trace.app_id, auth=trace.auth_view(),
        scenario={"name": trace.scenario, "reason": trace.scenario_reason, "nearMisses": list(trace.near_misses)},
        status=reply.status if reply.fault is None else 0, err_code=reply.err_code or None,
        fault=str(reply.fault) if reply.fault else None, delay_s=reply.delay, warnings=tuple(trace.warnings),
        duration_ms=duration,
        request=trace.request, answer=clip(_dumps(reply.body)) if reply.fault is None else "",
    ))
    log.info("%s %s -> %s %s merOrderId=%s scenario=%s %.1f ms", request.method, request.path,
             reply.status, reply.err_code or reply.fault, trace.mer_order_id, trace.scenario, duration)


async def api(request: web.Request) -> web.StreamResponse:
    sandbox = request.app[SANDBOX]
    started = time.perf_counter()
    body = await _read_body(request, sandbox)
    if isinstance(body, Reply):
        reply = body
    elif request.path == TOKEN_PATH:
        reply = sandbox.handle_token(body)
    else:
        reply = sandbox.handle_api(request.path, request.headers.get("Authorization"), body, request.content_type)
    # Journaled as soon as it is decided: a scripted delay or a silent no_answer must not hide the
    # request from a test that looks while the client is still waiting.
    _record(request, sandbox, reply, started)
    return await _perform(request, reply, sandbox)


def _gateway_answer(key: str) -> Handler:
    async def answer(request: web.Request) -> web.StreamResponse:
        reply = request.app[SANDBOX].gateway_reply(key, f"{request.method} {request.path}")
        return web.Response(status=reply.status, text=_dumps(reply.body), content_type="application/json")

    return answer


not_allowed = _gateway_answer("method_not_allowed")
not_found = _gateway_answer("not_found")


@web.middleware
async def never_a_traceback(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Whatever goes wrong inside mockums, the client still gets a gateway-shaped answer."""
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("internal error on %s %s", request.method, request.path)
        if request.path.startswith(CONTROL_PREFIX + "/"):
            return web.json_response({"error": "mockums internal error; see its log"}, status=500)
        body = {"errCode": "INTERNAL_ERROR", "errMsg": "内部错误 (mockums internal error; see its log)"}
        return web.Response(status=200, text=_dumps(body), content_type="application/json")


def create_app(settings: Settings, scenarios: tuple[Scenario, ...] | None = None,
               sandbox: Sandbox | None = None) -> web.Application:
    # Header limits well above the Authorization parser's own 4096, so an oversized header gets the
    # gateway's answer from mockums rather than aiohttp's bare 400.
    app = web.Application(
        client_max_size=settings.max_body_bytes,
        middlewares=[never_a_traceback, control.guard],
        handler_args={"max_field_size": 65536, "max_line_size": 65536},
    )
    sandbox = sandbox or Sandbox(settings, scenarios)
    notifier = make_notifier(sandbox)
    app[SANDBOX] = sandbox
    app[NOTIFIER] = notifier
    control.add_routes(app)
    app.router.add_post(TOKEN_PATH, api)
    app.router.add_post("/v1/{path:.*}", api)
    app.router.add_route("*", "/v1/{path:.*}", not_allowed)
    app.router.add_route("*", "/{path:.*}", not_found)
    app.cleanup_ctx.append(lambda _app: run_background(sandbox, notifier))
    return app

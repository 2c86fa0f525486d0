"""The application factory: state on typed AppKeys, resources in cleanup_ctx, handlers that parse,
call the core facade once, and perform its reply."""

from __future__ import annotations

import asyncio

from aiohttp import web

from mockums.config import Settings
from mockums.core.sandbox import Sandbox
from mockums.core.trace import Reply
from mockums.errors import StoreUnavailable
from mockums.limits import CONTROL_PREFIX, TOKEN_PATH
from mockums.lines import DEFAULT_REGISTRY, Registry
from mockums.scenarios import Scenario
from mockums.server import cashier, faults
from mockums.server.background import run_background
from mockums.server.connections import BodyTooLarge, ClientGone, gone, handler_args, read_body, too_large
from mockums.server.control import SANDBOX, SETTINGS, control_app
from mockums.server.shield import ANY_TAIL, Handler, answers_failures, failed, guarded, shielded

_JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}


async def _perform(request: web.Request, reply: Reply, sandbox: Sandbox) -> web.StreamResponse:
    """Wait the scripted delay (sandbox time), then inject the fault or write the answer."""
    if reply.delay:
        await sandbox.clock.sleep(reply.delay)
    payload = reply.payload()
    if reply.fault is not None:
        return await faults.inject(request, reply.fault, payload, sandbox.settings.no_answer_hold, sandbox.clock)
    headers = {**reply.headers, **_JSON_HEADERS} if reply.headers else _JSON_HEADERS  # set as it is, not parsed
    return web.Response(status=reply.status, body=payload, headers=headers)


async def _form_api(request: web.Request) -> web.StreamResponse:
    """Every GET under a version prefix: OPEN-FORM-PARAM in the query (the H5 paths); the core decides."""
    sandbox = request.app[SANDBOX]
    try:
        reply = sandbox.handle_form(request.path, request.rel_url.raw_query_string,
                                    f"{request.scheme}://{request.host}")
        if 300 <= reply.status < 400:
            if reply.delay:
                await sandbox.clock.sleep(reply.delay)
            return web.Response(status=reply.status, headers=reply.headers)
        return await _perform(request, reply, sandbox)
    except StoreUnavailable as error:  # the line's system error, saying why (no delay, no fault: nothing waits)
        return await _perform(request, sandbox.unavailable(request.method, request.path, b"", error), sandbox)


form_api = shielded(_form_api)


@answers_failures
async def api(request: web.Request) -> web.StreamResponse:
    """Every POST under a version prefix: read the body, let the core decide, perform the reply."""
    try:  # inline rather than a wrapper: the busiest path, one coroutine frame fewer
        sandbox = request.app[SANDBOX]
        try:
            body = await read_body(request, sandbox.settings.max_body_bytes, sandbox.settings.idle_timeout)
        except BodyTooLarge as error:
            reply = sandbox.refuse("body_too_large", str(error), request.method, request.path)
            return too_large(await _perform(request, reply, sandbox))
        except ClientGone as problem:
            return gone(request, problem)
        try:
            reply = sandbox.handle_api(request.path, request.headers.get("Authorization"), body,
                                       request.content_type, request_base=f"{request.scheme}://{request.host}")
            return await _perform(request, reply, sandbox)
        except StoreUnavailable as error:  # the line's system error, saying why (no delay, no fault: nothing waits)
            return await _perform(request, sandbox.unavailable(request.method, request.path, body, error), sandbox)
    except (web.HTTPException, asyncio.CancelledError):
        raise
    except Exception as error:
        return failed(request, error)


def _gateway_answer(key: str) -> Handler:
    async def answer(request: web.Request) -> web.StreamResponse:
        reply = request.app[SANDBOX].refuse(key, f"{request.method} {request.path}", request.method, request.path,
                                            journal=False)
        return web.Response(status=reply.status, body=reply.payload(), content_type="application/json")

    return guarded(answer)  # the guard lets what is not a control path through


not_allowed = _gateway_answer("method_not_allowed")
not_found = _gateway_answer("not_found")


def create_app(settings: Settings, scenarios: tuple[Scenario, ...] | None = None,
               sandbox: Sandbox | None = None, lines: Registry = DEFAULT_REGISTRY) -> web.Application:
    """The aiohttp application serving one sandbox (built from `settings` and `lines` unless one is given)."""
    app = web.Application(
        client_max_size=settings.max_body_bytes,
        handler_args=handler_args(settings.idle_timeout),
    )
    sandbox = sandbox or Sandbox(settings, scenarios, lines=lines)
    app[SANDBOX] = sandbox
    app[SETTINGS] = sandbox.settings
    app.add_subapp(CONTROL_PREFIX, control_app())  # without middlewares, which aiohttp would run for every path
    cashier.add_routes(app, sandbox.cashier_paths())
    # Each known path on its own (found by one lookup, without a pattern to match), then any other path under
    # a version prefix the lines use (/v1, /v2…) for the core to answer as the gateway does.
    for path, spec in sorted(sandbox.lines.endpoints.items()):
        if spec.method == "POST":
            app.router.add_post(path, api)
        else:
            app.router.add_get(path, form_api, allow_head=False)
    app.router.add_post(TOKEN_PATH, api)
    for prefix in sandbox.lines.prefixes:
        app.router.add_post(f"{prefix}/{{path:{ANY_TAIL}}}", api)
        app.router.add_get(f"{prefix}/{{path:{ANY_TAIL}}}", form_api, allow_head=False)  # a HEAD must not create one
        app.router.add_route("*", f"{prefix}/{{path:{ANY_TAIL}}}", not_allowed)
    app.router.add_route("*", f"/{{path:{ANY_TAIL}}}", not_found)
    app.cleanup_ctx.append(lambda _app: run_background(sandbox))
    return app

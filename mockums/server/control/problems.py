"""How the control API says no: a JSON problem `{"error": why, …}` whose HTTP status the failure carries,
whether it is a `ControlError` of the core, a body too large, or a path or method the router found no call for."""

from __future__ import annotations

import json

from aiohttp import web

from mockums.errors import ControlError, StoreUnavailable
from mockums.limits import CONTROL_PREFIX
from mockums.protocol.clipping import clip
from mockums.server.connections import too_large

STORE_UNAVAILABLE = "the store is unavailable"


class TooLarge(ControlError):
    """The body is larger than the limit; the connection closes after the answer (the rest is not read)."""

    status = 413


def problem(status: int, message: str, /, **extra: object) -> web.Response:
    """A control-API error: JSON `{"error": message, …}` with an HTTP error status."""
    return web.json_response({"error": message, **extra}, status=status, dumps=readable_json)


def readable_json(data: object) -> str:
    """The control API's JSON: UTF-8 text as it is (no \\u escapes), with the standard spacing."""
    return json.dumps(data, ensure_ascii=False)


def refusal(error: ControlError) -> web.StreamResponse:
    """The problem answering `error`, with its status and details; a store that cannot be reached says so first
    (503: `the store is unavailable: why`)."""
    message = f"{STORE_UNAVAILABLE}: {error.message}" if isinstance(error, StoreUnavailable) else error.message
    response = problem(error.status, message, **error.details)
    return too_large(response) if isinstance(error, TooLarge) else response


async def unrouted(request: web.Request) -> web.StreamResponse:
    """A request the control application has no call for, as a problem: 405 with `Allow` when its router takes
    the path with other methods (TRACE included; each of its resources asked, as the router asks them), else 404.
    Registered last, on every path and method of the application (`control_app`)."""
    allowed: set[str] = set()
    for resource in request.app.router.resources():
        match, methods = await resource.resolve(request)
        if match is None:
            allowed |= methods
    shown = f"{clip(request.method, 32)} {clip(request.path, 200)}"
    if allowed:
        listed = ", ".join(sorted(allowed))
        response = problem(405, f"{shown}: this control call takes {listed}")
        response.headers["Allow"] = listed
        return response
    return problem(404, f"no control call {shown}; see {CONTROL_PREFIX}/openapi.json")

"""How the control API says no: a JSON problem `{"error": why, …}` whose HTTP status the failure carries,
whether it is a `ControlError` of the core, a body too large, or a path or method the router found no call for."""

from __future__ import annotations

import json

from aiohttp import web
from aiohttp.typedefs import Handler

from mockums.errors import ControlError
from mockums.limits import CONTROL_PREFIX
from mockums.protocol.clipping import clip
from mockums.server.connections import too_large


class TooLarge(ControlError):
    """The body is larger than the limit; the connection closes after the answer (the rest is not read)."""

    status = 413


def problem(status: int, message: str, **extra: object) -> web.Response:
    """A control-API error: JSON `{"error": message, …}` with an HTTP error status."""
    return web.json_response({"error": message, **extra}, status=status, dumps=readable_json)


def readable_json(data: object) -> str:
    """The control API's JSON: UTF-8 text as it is (no \\u escapes), with the standard spacing."""
    return json.dumps(data, ensure_ascii=False)


def refusal(error: ControlError) -> web.StreamResponse:
    """The problem answering `error`, with its status and details."""
    response = problem(error.status, error.message, **error.details)
    return too_large(response) if isinstance(error, TooLarge) else response


@web.middleware
async def unrouted(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The router's own verdict on a request it found no call for, as a problem: 405 with `Allow` when the
    path is a control call's but the method is not (TRACE included), else 404."""
    error = request.match_info.http_exception
    if error is None:
        return await handler(request)
    shown = f"{clip(request.method, 32)} {clip(request.path, 200)}"
    if isinstance(error, web.HTTPMethodNotAllowed):
        allowed = ", ".join(sorted(error.allowed_methods))
        response = problem(error.status, f"{shown}: this control call takes {allowed}")
        response.headers["Allow"] = allowed
        return response
    return problem(error.status, f"no control call {shown}; see {CONTROL_PREFIX}/openapi.json")

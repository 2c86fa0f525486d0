"""What every handler runs inside: whatever goes wrong in mockums, the client still gets an answer in its
layer's shape (never a traceback); control and dashboard calls pass the guard first (`guarded`: the control
sub-application has no middlewares, see `control.subapp`).

Handlers are wrapped where they are registered, not by the main application's middlewares: aiohttp runs an
application's middlewares (and a frame of its own) around every request it routes; the busiest handler, the /v1
POST, catches the unexpected inline (`failed`) rather than in a wrapper. Measured with a new order per request:
152.5 against 160 µs of CPU per request, without the middleware layers against with them (6 interleaved rounds of
the benchmark's load, each server pinned to one core).
Every registered route is checked to be shielded by a test.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Awaitable, Callable

from aiohttp import web

from mockums.limits import CONTROL_PREFIX
from mockums.protocol import wire
from mockums.protocol.clipping import clip
from mockums.server.connections import ClientGone, gone
from mockums.server.control.guard import guard

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

log = logging.getLogger("mockums.http")
# The handlers that answer every failure themselves; weakly, since each app makes its own wrappers.
_SHIELDED: weakref.WeakSet[Callable[..., object]] = weakref.WeakSet()
# What a catch-all route's tail matches: anything, a newline the router decoded from %0A included (with
# `.*` such a path matched no route and aiohttp answered on its own, outside the guard).
ANY_TAIL = r"[\s\S]*"


def failed(request: web.Request, error: Exception) -> web.StreamResponse:
    """The answer to an exception a handler did not expect (HTTPException and cancellation aside)."""
    if isinstance(error, ConnectionError):  # the client went away while mockums was answering: nobody to tell
        return gone(request, ClientGone(f"the connection closed ({error or type(error).__name__})"))
    log.error("internal error on %s %s", clip(request.method, 32), clip(request.path, 200), exc_info=error)
    if request.path.startswith(CONTROL_PREFIX + "/"):
        return web.json_response({"error": "mockums internal error; see its log"}, status=500)
    body = {"errCode": "INTERNAL_ERROR", "errMsg": "内部错误 (mockums internal error; see its log)"}
    return web.Response(status=200, text=wire.text(body),
                        content_type="application/json")


def answers_failures(handler: Handler) -> Handler:
    """Mark a handler that catches what it does not expect itself (with `failed`)."""
    _SHIELDED.add(handler)
    return handler


def shielded(handler: Handler) -> Handler:
    """`handler`, answering any unexpected exception with `failed`."""

    async def shielded_handler(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except (web.HTTPException, asyncio.CancelledError):
            raise
        except Exception as error:
            return failed(request, error)

    shielded_handler.__name__ = getattr(handler, "__name__", "handler")
    return answers_failures(shielded_handler)


def guarded(handler: Handler) -> Handler:
    """`handler` behind the control API's guard (off, loopback only, or token), and shielded."""

    async def through_guard(request: web.Request) -> web.StreamResponse:
        return await guard(request, handler)

    through_guard.__name__ = getattr(handler, "__name__", "handler")
    return shielded(through_guard)


def is_shielded(handler: object) -> bool:
    """Whether a registered handler answers every failure itself (`shielded`, `guarded`, `answers_failures`)."""
    return callable(handler) and handler in _SHIELDED

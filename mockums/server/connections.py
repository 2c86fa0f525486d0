"""What one connection may cost mockums: a body read within a deadline and a size, and one short log
line (never a traceback) for whatever a client does wrong at the HTTP level.

aiohttp bounds the rest: `keepalive_timeout` (set from `Settings.idle_timeout` in the app's handler
arguments) closes a connection that has not sent complete request headers within that many seconds of
connecting, and an idle keep-alive connection after as long; its parser refuses malformed requests
with a bare 400. Those refusals are logged through `OneLineLog` rather than with aiohttp's tracebacks.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from mockums.protocol.clipping import clip

log = logging.getLogger("mockums.http")


class BodyTooLarge(Exception):
    """The body is larger than the limit; the answer should say so and close the connection."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the body is larger than {limit} bytes")
        self.limit = limit


class ClientGone(Exception):
    """The client hung up, or stalled, before its body was complete: there is nobody to answer."""


async def read_body(request: web.Request, limit: int, timeout: float) -> bytes:
    """The whole body: BodyTooLarge beyond `limit` bytes, ClientGone when the client disconnects or
    has not finished sending it within `timeout` seconds (real time: this is the network's pace)."""
    declared = request.content_length
    if declared is not None and declared > limit:
        raise BodyTooLarge(limit)  # said so up front: no need to read a byte of it
    try:
        if request.content.is_eof():  # all of it has arrived (a small body, as API bodies are): take it as it is
            body = request.content.read_nowait()
        else:
            body = await asyncio.wait_for(request.read(), timeout)
    except web.HTTPRequestEntityTooLarge:
        raise BodyTooLarge(limit) from None
    except asyncio.TimeoutError:
        raise ClientGone(f"no complete body within {timeout:g} s") from None
    except (ConnectionError, EOFError) as error:
        raise ClientGone(f"the connection closed mid-body ({error or type(error).__name__})") from None
    except asyncio.CancelledError:
        if request.transport is None or request.transport.is_closing():
            # A server run with aiohttp's handler_cancellation (its TestServer, so pytest-aiohttp's) cancels the
            # handler when the peer hangs up; on Python 3.12+ that cancel, not the ConnectionResetError of 3.11's
            # separate wait_for task, is what the read sees. The client is gone all the same: one line, then the
            # cancel goes on.
            gone(request, ClientGone("the connection closed mid-body (Connection lost)"))
        raise
    except Exception as error:  # aiohttp's payload errors (a truncated chunk, a bad encoding): the client's fault
        raise ClientGone(f"the body could not be read ({type(error).__name__}: {clip(str(error), 120)})") from None
    if len(body) > limit:  # a chunked body says its size only by arriving
        raise BodyTooLarge(limit)
    return body


def gone(request: web.Request, problem: ClientGone) -> web.StreamResponse:
    """One log line, and the connection closed: the answer has nobody to go to."""
    log.info("%s %s from %s: %s; connection closed", clip(request.method, 32), clip(request.path, 200),
             request.remote, problem)
    if request.transport is not None:
        request.transport.close()
    return web.Response(status=400)  # never sent: aiohttp drops it on the closed transport


def too_large(response: web.StreamResponse) -> web.StreamResponse:
    """A 413 ends the exchange: say so (`Connection: close`), since the rest of the body is not read."""
    response.force_close()
    return response


class OneLineLog(logging.LoggerAdapter):  # type: ignore[type-arg]
    """The logger aiohttp's protocol handler writes to: each error it reports (a malformed request, a
    client gone mid-answer) becomes one clipped WARNING line, without the traceback."""

    def __init__(self) -> None:
        super().__init__(logging.getLogger("aiohttp.server"), {})

    def exception(self, msg: object, *args: object, exc_info: Any = True, **kwargs: Any) -> None:
        self._one_line(logging.WARNING, msg, args, exc_info)

    def debug(self, msg: object, *args: object, exc_info: Any = None, **kwargs: Any) -> None:
        self._one_line(logging.DEBUG, msg, args, exc_info)

    def _one_line(self, level: int, msg: object, args: tuple[object, ...], exc_info: Any) -> None:
        if not self.logger.isEnabledFor(level):
            return
        text = str(msg) % args if args else str(msg)
        if isinstance(exc_info, BaseException):
            detail = getattr(exc_info, "message", None) or str(exc_info) or type(exc_info).__name__
            text = f"{text}: {type(exc_info).__name__}: {' '.join(str(detail).split())}"
        self.logger.log(level, "%s", clip(text, 300))


def handler_args(idle_timeout: float) -> Mapping[str, Any]:
    """aiohttp protocol-handler arguments: header limits, the idle deadline, the one-line log."""
    # Header limits well above the Authorization parser's own 4096, so an oversized header gets the
    # gateway's answer from mockums rather than aiohttp's bare 400.
    return {"max_field_size": 65536, "max_line_size": 65536, "keepalive_timeout": idle_timeout,
            "logger": OneLineLog()}

"""Transport faults: the ways a real network path fails between a client and the gateway."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import struct

from aiohttp import web

from mockums.clock import Clock
from mockums.protocol.clipping import clip
from mockums.scenarios import Fault

log = logging.getLogger("mockums.http")

HTML_502 = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)
NON_JSON = "服务暂时不可用，请稍后重试 (Service Temporarily Unavailable)"


def _reset(request: web.Request) -> None:
    """Close with a TCP RST, as a crashed proxy or a middlebox does, rather than a clean FIN."""
    transport = request.transport
    if transport is None:
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()


async def inject(request: web.Request, fault: Fault, body: bytes, hold: float, clock: Clock) -> web.StreamResponse:
    """Fail the exchange as `fault` says; `no_answer` keeps silent for `hold` seconds of sandbox time."""
    if fault is Fault.HTML_502:
        return web.Response(status=502, text=HTML_502, content_type="text/html")
    if fault is Fault.NON_JSON_BODY:
        return web.Response(status=200, text=NON_JSON, content_type="text/plain")
    if fault is Fault.TRUNCATED_BODY:
        response = web.StreamResponse(status=200)
        response.content_type = "application/json"
        response.charset = "utf-8"
        response.content_length = len(body)
        await response.prepare(request)
        await response.write(body[: max(1, len(body) // 2)])
        _reset(request)
        return response
    if fault is Fault.NO_ANSWER:
        try:
            await clock.sleep(hold)
        except asyncio.CancelledError:  # the server is stopping (or the client left): cut the connection
            log.info("%s: a held no_answer request was cut", clip(request.path))
            _reset(request)
            raise
    _reset(request)
    # The connection is gone; aiohttp discards whatever is returned here.
    return web.Response(status=204)

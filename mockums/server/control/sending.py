"""Sending a request mockums signed to mockums itself, over loopback only.

The target is never given by the caller: it is this server's own port on a loopback address, so a
control call cannot make mockums send anything anywhere else.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
from aiohttp import web

from mockums.core.samples import SignedRequest
from mockums.server.control.guard import is_loopback

SEND_TIMEOUT = 10.0  # seconds to wait for the answer (a scenario may delay or withhold it)


def loopback_base(request: web.Request) -> str:
    """`http://ADDRESS:PORT` of this server on loopback: the address the request came in on when that is
    a loopback one, else 127.0.0.1 (or ::1 for IPv6) on the same port; "" when the socket is unknown."""
    sockname = request.transport.get_extra_info("sockname") if request.transport else None
    if not isinstance(sockname, tuple) or len(sockname) < 2:
        return ""
    host, port = str(sockname[0]).removeprefix("::ffff:"), int(sockname[1])  # IPv4 through a dual-stack socket
    if not is_loopback(host):
        host = "::1" if ":" in host else "127.0.0.1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


async def send(base: str, signed: SignedRequest, timeout: float = SEND_TIMEOUT) -> dict[str, Any]:
    """POST the signed request to `base` + its endpoint: the HTTP status and the answer (JSON when it is
    JSON, else its text), or `error` saying why no answer came (the scenario's fault, a timeout...)."""
    if not base:
        return {"status": None, "answer": None, "error": "this server's own address is unknown"}
    headers = {"Authorization": signed.authorization, "Content-Type": "application/json"}
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session, \
                session.post(base + signed.endpoint, data=signed.body, headers=headers) as response:
            text = await response.text(errors="replace")
            status = response.status
    except asyncio.TimeoutError:
        return {"status": None, "answer": None,
                "error": f"no answer within {timeout:g} s (a scenario may delay or withhold it; see the journal)"}
    except aiohttp.ClientError as error:
        return {"status": None, "answer": None, "error": f"{type(error).__name__}: {error}"}
    try:
        answer: object = json.loads(text)
    except ValueError:
        answer = text
    return {"status": status, "answer": answer, "error": None}

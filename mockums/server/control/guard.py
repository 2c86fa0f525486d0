"""Who may use the control API: nobody (switched off), loopback peers only, or holders of a token."""

from __future__ import annotations

import hmac
import ipaddress
import json
from collections.abc import Awaitable, Callable

from aiohttp import web

from mockums.config import Settings
from mockums.protocol.limits import CONTROL_PREFIX

HEALTH_PATH = f"{CONTROL_PREFIX}/health"
SETTINGS = web.AppKey("settings", Settings)


def problem(status: int, message: str, **extra: object) -> web.Response:
    """A control-API error: JSON `{"error": message, …}` with an HTTP error status."""
    return web.json_response({"error": message, **extra}, status=status, dumps=_dumps)


def _dumps(data: object) -> str:
    return json.dumps(data, ensure_ascii=False)


def is_loopback(peer: str | None) -> bool:
    """127.0.0.0/8, ::1, and IPv4 loopback seen through a dual-stack socket (::ffff:127.0.0.1)."""
    if not peer:
        return False
    try:
        address = ipaddress.ip_address(peer.split("%")[0])
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return bool(address.is_loopback or (mapped is not None and mapped.is_loopback))


def token_matches(header: str | None, token: str) -> bool:
    """`Authorization: Bearer <token>`, compared in constant time."""
    return hmac.compare_digest((header or "").encode(), f"Bearer {token}".encode())


async def guard(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Control calls: off, loopback-only, or token-protected, as configured. Health is always open."""
    path = request.path
    if not path.startswith(CONTROL_PREFIX + "/") or path == HEALTH_PATH:
        return await handler(request)
    settings = request.app[SETTINGS]
    if not settings.control:
        return problem(404, "the control API is switched off (--no-control)")
    if not settings.control_remote and not is_loopback(request.remote):
        return problem(
            403,
            f"control calls are accepted from loopback only, not {request.remote} "
            "(start with --control-remote to allow them)",
        )
    if settings.control_token and not token_matches(request.headers.get("Authorization"), settings.control_token):
        return problem(401, "this control API needs `Authorization: Bearer <token>` (--control-token)")
    return await handler(request)

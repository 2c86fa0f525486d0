"""Who may use the control API: nobody (switched off), loopback peers only, or holders of a token; and
never a web page other than its own (`origin`: the Host, Origin and content-type checks)."""

from __future__ import annotations

import hmac
import ipaddress

from aiohttp import web
from aiohttp.typedefs import Handler

from mockums.config import Settings
from mockums.limits import CONTROL_PREFIX
from mockums.server.control.origin import (
    content_type_problem,
    cross_site_problem,
    foreign_host_problem,
    host_allowed,
)
from mockums.server.control.problems import problem

HEALTH_PATH = f"{CONTROL_PREFIX}/health"
SETTINGS = web.AppKey("settings", Settings)


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


async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Control calls: off, loopback-only, or token-protected, as configured (`SETTINGS`, on the application
    or a parent of it), and refused to other sites' pages. Whatever is not under the prefix passes; health
    needs only a Host that names this server."""
    path = request.path
    if path != CONTROL_PREFIX and not path.startswith(CONTROL_PREFIX + "/"):
        return await handler(request)
    settings = request.config_dict[SETTINGS]
    host = request.headers.get("Host")
    if not host_allowed(host, settings):
        return problem(403, foreign_host_problem(host or ""))
    if path == HEALTH_PATH:
        return await handler(request)
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
    method, headers = request.method, request.headers
    refused = cross_site_problem(method, headers.get("Origin"), headers.get("Sec-Fetch-Site"), host, settings)
    if refused is not None:
        return problem(403, refused)
    wrong_type = content_type_problem(method, headers.get("Content-Type"), request.body_exists, path)
    if wrong_type is not None:
        return problem(415, wrong_type)
    return await handler(request)

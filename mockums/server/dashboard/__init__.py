"""The dashboard: a page for people at /__mockums/, served by the control sub-application (so behind the
same guard as the control API), that reads and acts only through the control API.

Its HTML, stylesheet and scripts ship inside the package (`static/`): no CDN, no build step, works
offline. `static/mockums.css` holds the look (colours and fonts as CSS variables), for any other page
mockums serves to share: `asset("mockums.css")` gives its bytes.
"""

from __future__ import annotations

import functools
import hashlib
from importlib import resources

from aiohttp import web

from mockums.limits import CONTROL_PREFIX
from mockums.server.control.problems import problem
from mockums.server.shield import guarded

DASHBOARD_PATH = CONTROL_PREFIX + "/"
PAGE = "index.html"
TYPES = {".html": "text/html", ".css": "text/css", ".js": "text/javascript", ".png": "image/png"}
# The page loads nothing but its own files and talks to nothing but this server.
POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
          "font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


@functools.cache
def asset(name: str) -> bytes:
    """The bytes of one shipped file (KeyError when there is no such file)."""
    path = resources.files(__name__) / "static" / name  # one name a step, as Python 3.10 takes them
    if "/" in name or name.startswith(".") or not path.is_file():
        raise KeyError(name)
    return path.read_bytes()


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:20] + '"'


def _serve(request: web.Request, name: str) -> web.StreamResponse:
    suffix = name[name.rfind("."):]
    if suffix not in TYPES:
        return problem(404, f"no dashboard file {name}")
    try:
        body = asset(name)
    except KeyError:
        return problem(404, f"no dashboard file {name}")
    headers = {"ETag": _etag(body), "Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff",
               "Content-Security-Policy": POLICY, "Referrer-Policy": "no-referrer"}
    if request.headers.get("If-None-Match") == headers["ETag"]:
        return web.Response(status=304, headers=headers)
    return web.Response(body=body, content_type=TYPES[suffix], charset="utf-8", headers=headers)


async def page(request: web.Request) -> web.StreamResponse:
    """GET /__mockums/: the dashboard."""
    return _serve(request, PAGE)


async def static(request: web.Request) -> web.StreamResponse:
    """GET /__mockums/static/NAME: its stylesheet and scripts."""
    return _serve(request, request.match_info["name"])


async def to_dashboard(_: web.Request) -> web.StreamResponse:
    """GET /__mockums: on to the dashboard (its relative links need the slash)."""
    raise web.HTTPFound(DASHBOARD_PATH)


def add_dashboard(app: web.Application) -> None:
    """Register the dashboard's routes on `app` (the control sub-application: its paths are below the prefix,
    the prefix itself is "")."""
    app.router.add_get("/", guarded(page))
    app.router.add_get("/static/{name}", guarded(static))
    app.router.add_get("", guarded(to_dashboard))

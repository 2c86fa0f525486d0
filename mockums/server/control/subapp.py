"""The control sub-application, mounted under the prefix (`app.add_subapp(CONTROL_PREFIX, control_app())`):
the control API and the dashboard, each call behind the guard.

It has no middlewares: once any sub-application has some, aiohttp (3.14) runs every request of the parent
through its middleware chain and a `current_app` frame of its own, the gateway's busiest path included (4 % of
the server's instructions per request, fixed-order close under callgrind: 630k against 604k, three runs each).
So each call is registered `guarded` (the guard, then the call), and a catch-all route registered last answers
what the router found no call for: 404, or 405 with `Allow` as the router says (`problems.unrouted`). Its state
is its parent's: the handlers reach `SANDBOX` and `SETTINGS` through `request.config_dict`.
"""

from __future__ import annotations

from aiohttp import web

from mockums.server.control.problems import unrouted
from mockums.server.control.routes import add_routes
from mockums.server.dashboard import add_dashboard
from mockums.server.shield import ANY_TAIL, guarded


def control_app() -> web.Application:
    """A new control sub-application; its parent holds the `SANDBOX` and `SETTINGS` it serves."""
    app = web.Application()
    add_dashboard(app)
    add_routes(app)
    for path in ("", f"/{{path:{ANY_TAIL}}}"):  # the prefix itself and anything below it, after every call
        app.router.add_route("*", path, guarded(unrouted))
    return app

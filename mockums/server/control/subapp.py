"""The control sub-application, mounted under the prefix (`app.add_subapp(CONTROL_PREFIX, control_app())`):
the control API and the dashboard, behind the guard.

Its middlewares run for requests under the prefix only, never on the gateway's paths: the guard (health
always open), and the router's own 404 or 405 rendered as a problem. Its state is its parent's: the
handlers reach `SANDBOX` and `SETTINGS` through `request.config_dict`.

One cost reaches the parent all the same: once any sub-application has middlewares, aiohttp (3.14) runs
every request of the parent through its own `current_app` frame (about 1 µs of CPU per request, measured
against the bare handler call).
"""

from __future__ import annotations

from aiohttp import web

from mockums.server.control.guard import guard
from mockums.server.control.problems import unrouted
from mockums.server.control.routes import add_routes
from mockums.server.dashboard import add_dashboard


def control_app() -> web.Application:
    """A new control sub-application; its parent holds the `SANDBOX` and `SETTINGS` it serves."""
    app = web.Application(middlewares=[guard, unrouted])
    add_dashboard(app)
    add_routes(app)
    return app

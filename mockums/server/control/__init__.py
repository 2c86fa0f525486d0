"""The control API: a sub-application (the routes table, the dashboard, the guard) and its OpenAPI document."""

from mockums.limits import CONTROL_PREFIX
from mockums.server.control.guard import SETTINGS, guard
from mockums.server.control.problems import problem
from mockums.server.control.routes import ROUTES, SANDBOX
from mockums.server.control.subapp import control_app

__all__ = ["CONTROL_PREFIX", "ROUTES", "SANDBOX", "SETTINGS", "control_app", "guard", "problem"]

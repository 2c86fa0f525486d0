"""The control API: the routes table, its guard and its OpenAPI document."""

from mockums.protocol.limits import CONTROL_PREFIX
from mockums.server.control.guard import SETTINGS, guard, problem
from mockums.server.control.routes import ROUTES, SANDBOX, add_routes

__all__ = ["CONTROL_PREFIX", "ROUTES", "SANDBOX", "SETTINGS", "add_routes", "guard", "problem"]

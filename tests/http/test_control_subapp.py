"""The control API and the dashboard are one aiohttp sub-application under the prefix, without middlewares
(which aiohttp would run for the gateway's requests too): each of its routes passes the guard, the router's
404 and 405 are JSON problems, its state is its parent's, and every failure carries its own HTTP status."""

from __future__ import annotations

import re
from typing import Any

import pytest
from aiohttp import web
from conftest import Caller

from mockums.config import Settings
from mockums.core.sandbox import Sandbox
from mockums.errors import Conflict, ControlError, Invalid, NotFound
from mockums.limits import CONTROL_PREFIX
from mockums.server.app import create_app
from mockums.server.control import SANDBOX, SETTINGS, control_app
from mockums.server.control.problems import TooLarge


def _control_subapp(app: web.Application) -> web.Application:
    [subapp] = [resource.get_info()["app"] for resource in app.router.resources()
                if resource.get_info().get("prefix") == CONTROL_PREFIX]
    assert isinstance(subapp, web.Application)
    return subapp


def test_the_control_api_is_a_sub_application_and_nothing_runs_middleware(settings: Settings) -> None:
    app = create_app(settings)
    subapp = _control_subapp(app)
    assert not app.middlewares and not subapp.middlewares
    assert SANDBOX not in subapp and SETTINGS not in subapp  # the parent's state, reached through config_dict


async def test_every_route_of_the_control_application_passes_the_guard(caller: Caller, settings: Settings) -> None:
    """Each call, the dashboard's pages and the catch-all answer a foreign Host with the guard's 403."""
    routes = list(_control_subapp(create_app(settings)).router.routes())
    assert len(routes) > 20
    for route in routes:
        assert route.resource is not None
        path = re.sub(r"\{[^}]+\}", "x", route.resource.canonical)
        method = "POST" if route.method == "*" else route.method
        async with caller.client.request(method, path, headers={"Host": "rebound.example"}) as response:
            assert response.status == 403, f"{route.method} {route.resource.canonical}"
            if method != "HEAD":
                assert "rebound.example" in (await response.json())["error"]


async def test_a_control_app_serves_the_sandbox_its_parent_holds(aiohttp_client: Any, settings: Settings) -> None:
    parent = web.Application()
    parent[SANDBOX] = Sandbox(settings, ())
    parent[SETTINGS] = settings
    parent.add_subapp(CONTROL_PREFIX, control_app())
    client = await aiohttp_client(parent)
    async with client.post(f"{CONTROL_PREFIX}/seed", json={"seed": 42}) as response:
        assert (response.status, await response.json()) == (200, {"seed": 42})
    assert parent[SANDBOX].seed() == {"seed": 42}
    async with client.get(f"{CONTROL_PREFIX}/orders/898201612345678/NOSUCH") as response:
        assert response.status == 404 and "error" in await response.json()


@pytest.mark.parametrize(("error", "status"), [(ControlError, 400), (Invalid, 400), (NotFound, 404),
                                               (Conflict, 409), (TooLarge, 413)])
def test_each_control_failure_carries_its_status(error: type[ControlError], status: int) -> None:
    assert error.status == status
    assert error("why").status == status


async def test_a_literal_call_is_not_a_parameter_of_its_neighbour(caller: Caller) -> None:
    """`/scenarios/reload` is its own call (GET, POST), as OpenAPI ranks it, never the scenario named "reload"."""
    for method in ("PUT", "DELETE", "PATCH"):
        async with caller.client.request(method, f"{CONTROL_PREFIX}/scenarios/reload", json={}) as response:
            assert (response.status, response.headers["Allow"]) == (405, "GET, POST"), method
    async with caller.client.delete(f"{CONTROL_PREFIX}/scenarios/reloaded") as response:
        assert (response.status, await response.json()) == (404, {"error": "no scenario named reloaded"})


async def test_the_dashboards_paths_answer_405_like_the_calls(caller: Caller) -> None:
    async with caller.client.post(f"{CONTROL_PREFIX}/") as response:
        assert (response.status, response.headers["Allow"]) == (405, "GET, HEAD")
        assert await response.json() == {"error": f"POST {CONTROL_PREFIX}/: this control call takes GET, HEAD"}
    async with caller.client.get(CONTROL_PREFIX, allow_redirects=False) as response:
        assert (response.status, response.headers["Location"]) == (302, f"{CONTROL_PREFIX}/")

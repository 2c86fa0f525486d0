"""The control API described as data (one `Route` per call), and the OpenAPI document built from it."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from mockums.scenarios import Allowed
from mockums.scenarios.schema import NAME_PATTERN
from mockums.server.control.shapes import schemas

# Query parameters that are not free text: their schema (the call refuses other values with 400).
QUERY_SCHEMAS: dict[str, dict[str, Any]] = {
    "since": {"type": "integer", "minimum": 0, "description": "only entries with a higher id"},
    "limit": {"type": "integer", "minimum": 1, "description": "only the newest N"},
    "view": {"type": "string", "enum": ["summary"], "description": "list rows only, without texts"},
    "verdict": {"type": "string", "description": "ok, refused (any refusal) or one gateway error key"},
}
PATH_ID = {"type": "integer", "minimum": 1}
PATH_SCHEMAS: dict[str, dict[str, Any]] = {
    "name": {"type": "string", "pattern": f"^{NAME_PATTERN}$", "description": "Unique name"},
    "id": PATH_ID,
}


@dataclass(frozen=True)
class Route:
    """One control call: method, path (with `{name}` parameters), the operation it runs, its documentation.

    `call(sandbox, request)` does the work through the core facade; the table registers the aiohttp
    handlers, builds the OpenAPI document and the README's table, so each call is described once.
    `answer` and `takes` name the schemas (`shapes.SCHEMAS`) of its answer and of its JSON body.
    """

    method: str
    path: str
    call: Callable[..., Any]
    summary: str
    body: str | None = None
    query: tuple[str, ...] = ()
    status: int = 200  # the status of a successful answer
    answer: str = "Document"
    takes: str | None = None


def _parameters(route: Route) -> list[dict[str, Any]]:
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": PATH_SCHEMAS.get(name, {"type": "string"})}
        for name in re.findall(r"\{(\w+)\}", route.path)
    ]
    parameters += [
        {"name": name, "in": "query", "required": False, "schema": QUERY_SCHEMAS.get(name, {"type": "string"})}
        for name in route.query
    ]
    return parameters


def _operation(route: Route) -> dict[str, Any]:
    problem = {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    operation: dict[str, Any] = {
        "summary": route.summary,
        "operationId": route.call.__name__,
        "responses": {
            str(route.status): {"description": route.summary, "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{route.answer}"}}}},
            "4XX": {"description": 'Refused: `{"error": why, …}` (400 bad input, 401/403 guard, 404 unknown, '
                                   "409 not now)", "content": problem},
            "503": {"description": 'The store (Redis) cannot be reached: `{"error": "the store is unavailable: '
                                   'why", …}` (health: with `status` unhealthy, `version`, `replica`, `store`)',
                    "content": problem},
        },
    }
    parameters = _parameters(route)
    if parameters:
        operation["parameters"] = parameters
    if route.takes:
        operation["requestBody"] = {
            "required": True,
            "description": route.body or "",
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{route.takes}"}}},
        }
    return operation


def openapi_document(routes: Sequence[Route], prefix: str, version: str, allowed: Allowed) -> dict[str, Any]:
    """The OpenAPI 3.0 document of the control API: every call with its parameters, body and answers (for a
    sandbox whose scenario files may name `allowed`)."""
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        paths.setdefault(prefix + route.path, {})[route.method.lower()] = _operation(route)
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "mockums control API",
            "version": version,
            "description": "Drive and inspect a mockums ChinaUMS sandbox: scenarios, orders, journal, clock. "
                           "Calls that take scenarios also take YAML text (Content-Type: application/yaml).",
        },
        "paths": paths,
        "components": {
            "schemas": schemas(allowed),
            "securitySchemes": {
                "controlToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "only when started with --control-token",
                }
            },
        },
    }

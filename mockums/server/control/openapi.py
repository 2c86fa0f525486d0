"""The control API described as data (one `Route` per call), and the OpenAPI document built from it."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Route:
    """One control call: method, path (with `{name}` parameters), the operation it runs, its documentation.

    `call(sandbox, request)` does the work through the core facade; the table registers the aiohttp
    handlers, builds the OpenAPI document and the README's table, so each call is described once.
    """

    method: str
    path: str
    call: Callable[..., Any]
    summary: str
    body: str | None = None
    query: tuple[str, ...] = ()
    status: int = 200  # the status of a successful answer


def openapi_document(routes: Sequence[Route], prefix: str, version: str) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        operation: dict[str, Any] = {
            "summary": route.summary,
            "operationId": route.call.__name__,
            "responses": {
                str(route.status): {"description": "OK", "content": {"application/json": {"schema": {}}}},
                "4XX": {
                    "description": 'A problem: {"error": …}',
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
                },
            },
        }
        parameters = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in re.findall(r"\{(\w+)\}", route.path)
        ]
        parameters += [
            {"name": name, "in": "query", "required": False, "schema": {"type": "string"}} for name in route.query
        ]
        if parameters:
            operation["parameters"] = parameters
        if route.body:
            operation["requestBody"] = {
                "description": route.body,
                "content": {
                    "application/json": {"schema": {"type": "object"}},
                    **({"application/yaml": {"schema": {"type": "string"}}} if "YAML" in route.body else {}),
                },
            }
        paths.setdefault(prefix + route.path, {})[route.method.lower()] = operation
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "mockums control API",
            "version": version,
            "description": "Drive and inspect a mockums ChinaUMS sandbox: scenarios, orders, journal, clock.",
        },
        "paths": paths,
        "components": {
            "schemas": {
                "Problem": {"type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]}
            },
            "securitySchemes": {
                "controlToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "only when started with --control-token",
                }
            },
        },
    }

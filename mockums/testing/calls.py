"""The control API's calls, each described once as data: method, path, query, body, and how its answer
becomes a result (or a MockumsError).

A `Call` says nothing about how it is sent: `Mockums` sends it with urllib, `AsyncMockums` with aiohttp
(`handles.py`). One function below per call of the control API under `/__mockums`.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from urllib.parse import quote, urlencode

from mockums.testing.errors import MockumsError, ScenarioError

__tracebackhide__ = True  # pytest shows the test's line, not this module's frames (--fulltrace does)

CONTROL = "/__mockums"
T = TypeVar("T")
Entry = dict[str, Any]
"""A journal entry or a notification delivery, as the control API answers it (JSON)."""
ScenarioData = str | Mapping[str, Any]
"""Scenarios to add: YAML text (a `scenarios:` list, or one scenario) or one scenario as a mapping."""


@dataclass(frozen=True)
class Call(Generic[T]):
    """One control call: where it goes, what it carries, and `finish`, which turns the answer (HTTP status,
    decoded body) into the caller's result or raises MockumsError."""

    method: str
    path: str
    finish: Callable[[int, Any], T]
    query: Mapping[str, str] = field(default_factory=dict)
    body: bytes | None = None
    content_type: str = "application/json"

    def target(self) -> str:
        """The path and query to request, under the control prefix."""
        return CONTROL + self.path + (f"?{urlencode(self.query)}" if self.query else "")

    def headers(self, control_token: str | None) -> dict[str, str]:
        """The request headers, with the bearer token when the sandbox requires one."""
        headers = {"Accept": "application/json"}
        if self.body is not None:
            headers["Content-Type"] = self.content_type
        if control_token:
            headers["Authorization"] = f"Bearer {control_token}"
        return headers


def decode(raw: bytes) -> Any:
    """An answer's body: its JSON value, its text when it is not JSON, None when empty."""
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return raw.decode(errors="replace")


def expect(what: str, *ok: int) -> Callable[[int, Any], Any]:
    """A `finish` that returns the answer when the status is one of `ok` (default 200), else raises
    MockumsError naming `what` was called and why it failed."""

    def finish(status: int, answer: Any) -> Any:
        if status not in (ok or (200,)):
            reason = answer.get("error") if isinstance(answer, dict) else answer
            raise MockumsError(f"{what}: HTTP {status}: {reason}", status, answer)
        return answer

    return finish


def expect_none(what: str) -> Callable[[int, Any], None]:
    """`expect(what)` for a call whose result is None."""

    def finish(status: int, answer: Any) -> None:
        expect(what)(status, answer)

    return finish


def json_call(method: str, path: str, what: str, body: object = None, **query: str | None) -> Call[Any]:
    """A call whose body (if any) is JSON, answered 200; query parameters that are None are left out."""
    data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
    return Call(method, path, expect(what), {k: v for k, v in query.items() if v is not None}, data)


def _order_path(mid: str, mer_order_id: str) -> str:
    return f"/orders/{quote(mid, safe='')}/{quote(mer_order_id, safe='')}"


# -- the control API -----------------------------------------------------------------------------------


def health() -> Call[dict[str, Any]]:
    """GET /health: status, version, scenarios loaded."""
    return json_call("GET", "/health", "health")


def reset() -> Call[None]:
    """POST /reset: everything back to a fresh start."""
    return Call("POST", "/reset", expect_none("reset"))


def add_scenarios(data: ScenarioData) -> Call[list[str]]:
    """POST /scenarios: the names added, or ScenarioError listing every problem.

    YAML text is dedented, so a triple-quoted string in a test works (line numbers stay the string's).
    """

    def finish(status: int, answer: Any) -> list[str]:
        if status == 400 and isinstance(answer, dict) and answer.get("errors"):
            raise ScenarioError([str(error) for error in answer["errors"]], status, answer)
        added = expect("add_scenario", 201)(status, answer)
        return [str(view["name"]) for view in added]

    if isinstance(data, str):
        return Call("POST", "/scenarios", finish, body=textwrap.dedent(data).encode(), content_type="application/yaml")
    return Call("POST", "/scenarios", finish, body=json.dumps(dict(data), ensure_ascii=False).encode())


def remove_scenario(name: str) -> Call[None]:
    """DELETE /scenarios/NAME: a runtime scenario."""
    return Call("DELETE", f"/scenarios/{quote(name, safe='')}", expect_none(f"remove_scenario({name!r})"))


def journal(merOrderId: str | None = None, endpoint: str | None = None, limit: int | None = None) -> Call[list[Entry]]:
    """GET /journal: the requests answered, oldest first; of one order or endpoint, the last `limit` only."""
    return json_call("GET", "/journal", "journal", merOrderId=merOrderId, endpoint=endpoint,
                     limit=None if limit is None else str(limit))


def order(mid: str, merOrderId: str) -> Call[dict[str, Any]]:
    """GET /orders/MID/ID: one order, with its history."""
    return json_call("GET", _order_path(mid, merOrderId), f"order({mid}, {merOrderId})")


def orders(merOrderId: str | None = None) -> Call[list[Entry]]:
    """GET /orders: the orders (summaries, notifyUrl included), of one merOrderId if given."""
    return json_call("GET", "/orders", "orders", merOrderId=merOrderId)


def pay(mid: str, merOrderId: str) -> Call[dict[str, Any]]:
    """POST /orders/MID/ID/pay: the customer pays."""
    return json_call("POST", _order_path(mid, merOrderId) + "/pay", f"pay({mid}, {merOrderId})")


def notifications(merOrderId: str | None = None) -> Call[list[Entry]]:
    """GET /notifications: the deliveries, of one order if given."""
    return json_call("GET", "/notifications", "notifications", merOrderId=merOrderId)


def clock() -> Call[dict[str, Any]]:
    """GET /clock: the sandbox time."""
    return json_call("GET", "/clock", "clock")


def change_clock(what: str, change: Mapping[str, object]) -> Call[dict[str, Any]]:
    """POST /clock with one change: `advance` (seconds), `freeze` (true) or `set` (a moment)."""
    return json_call("POST", "/clock", what, dict(change))

"""What each control call does: parse its parameters, make one call to the core facade, return JSON-ready
data (or raise a `ControlError`). `routes.ROUTES` says where each is served and how it is documented."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mockums.core.sandbox import Sandbox
from mockums.errors import Invalid
from mockums.server.control.openapi import QUERY_SCHEMAS
from mockums.server.control.sending import send


@dataclass(frozen=True)
class ControlRequest:
    """What a control call was given: path parameters, query parameters and the parsed body."""

    match: Mapping[str, str]
    query: Mapping[str, str]
    body: Any  # parsed JSON, YAML text (sent as application/yaml), or {} when empty
    loopback: str = ""  # this server on loopback (`http://127.0.0.1:PORT`), where `send` sends
    size: int = 0  # of the body, in bytes


# -- parsing helpers ---------------------------------------------------------------------------


def _whole(query: Mapping[str, str], name: str) -> int | None:
    """A whole-number query parameter, at least its documented minimum (since >= 0, limit >= 1)."""
    if name not in query:
        return None
    lowest = QUERY_SCHEMAS[name]["minimum"]
    try:
        value = int(query[name])
    except ValueError:
        raise Invalid(f"{name} must be a whole number (at least {lowest}), got {query[name]!r}") from None
    if value < lowest:
        raise Invalid(f"{name} must be at least {lowest}, got {value}")
    return value


def _order_key(request: ControlRequest) -> tuple[str, str]:
    return request.match["mid"], request.match["merOrderId"]


def _clock_body(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict) or not body or set(body) - {"freeze", "set", "advance"}:
        raise Invalid("send a JSON object with freeze (true/false), set (a moment) and/or advance (seconds)")
    given_null = sorted(key for key, value in body.items() if value is None)
    if given_null:
        raise Invalid(f"{', '.join(given_null)}: null is not a value here; leave the key out instead")
    return body


# -- the calls ---------------------------------------------------------------------------------


def health(sandbox: Sandbox, _: ControlRequest) -> object:
    """GET /health: liveness, version and counts (always served, never guarded)."""
    return sandbox.health()


def list_endpoints(sandbox: Sandbox, _: ControlRequest) -> object:
    """GET /endpoints: the endpoints mockums answers."""
    return sandbox.endpoints()


def scenario_schema(sandbox: Sandbox, _: ControlRequest) -> object:
    """GET /scenario-schema.json: the JSON Schema of scenario files, for editors."""
    return sandbox.scenario_schema()


def gateway_openapi(sandbox: Sandbox, _: ControlRequest) -> object:
    """GET /gateway-openapi.json: an OpenAPI document of the mocked ChinaUMS endpoints."""
    return sandbox.gateway_openapi()


def list_scenarios(sandbox: Sandbox, _: ControlRequest) -> object:
    """GET /scenarios: the scenarios in force."""
    return sandbox.scenarios()


def add_scenarios(sandbox: Sandbox, request: ControlRequest) -> object:
    """POST /scenarios: add scenarios at runtime (kept until reset)."""
    return sandbox.add_scenarios(request.body, request.size)


def put_scenario(sandbox: Sandbox, request: ControlRequest) -> object:
    """PUT /scenarios/{name}: replace (or add) one scenario."""
    return sandbox.replace_scenario(request.match["name"], request.body, request.size)


def delete_scenario(sandbox: Sandbox, request: ControlRequest) -> object:
    """DELETE /scenarios/{name}: remove one scenario (a file's comes back on reload)."""
    return sandbox.remove_scenario(request.match["name"])


def reload_scenarios(sandbox: Sandbox, _: ControlRequest) -> object:
    """POST /scenarios/reload: reload scenario files now."""
    return sandbox.reload_scenarios()


def reload_status(sandbox: Sandbox, _: ControlRequest) -> object:
    """GET /scenarios/reload: the last reload from disk."""
    return sandbox.reload_status()


def list_orders(sandbox: Sandbox, request: ControlRequest) -> object:
    """GET /orders: orders, oldest first (at most 1000, or the newest `limit`)."""
    limit = _whole(request.query, "limit")
    return sandbox.orders(request.query.get("mid"), request.query.get("merOrderId"), limit)


def get_order(sandbox: Sandbox, request: ControlRequest) -> object:
    """GET /orders/{mid}/{merOrderId}: one order."""
    return sandbox.order(*_order_key(request))


def delete_order(sandbox: Sandbox, request: ControlRequest) -> object:
    """DELETE /orders/{mid}/{merOrderId}: forget one order, its scenario sequences and its journal entries."""
    return sandbox.forget_order(*_order_key(request))


def pay_order(sandbox: Sandbox, request: ControlRequest) -> object:
    """POST /orders/{mid}/{merOrderId}/pay: the customer pays."""
    return sandbox.pay(*_order_key(request))


def notify_order(sandbox: Sandbox, request: ControlRequest) -> object:
    """POST /orders/{mid}/{merOrderId}/notify: send the order's notification again for its current state."""
    return sandbox.notify(*_order_key(request))


def list_notifications(sandbox: Sandbox, request: ControlRequest) -> object:
    """GET /notifications: notification deliveries and their attempts."""
    return sandbox.notifications(request.query.get("mid"), request.query.get("merOrderId"))


def redeliver(sandbox: Sandbox, request: ControlRequest) -> object:
    """POST /notifications/{notifyId}/redeliver: deliver a notification again, same notifyId."""
    return sandbox.redeliver(request.match["notifyId"])


def get_journal(sandbox: Sandbox, request: ControlRequest) -> object:
    """GET /journal: requests, oldest first."""
    query = request.query
    view = query.get("view", "full")
    if view not in ("full", "summary"):
        raise Invalid("view must be full or summary")
    return sandbox.journal(query.get("merOrderId"), query.get("endpoint"), _whole(query, "since") or 0,
                           _whole(query, "limit"), verdict=query.get("verdict"), scenario=query.get("scenario"),
                           summary=view == "summary")


def get_journal_entry(sandbox: Sandbox, request: ControlRequest) -> object:
    """GET /journal/{id}: one journal entry in full."""
    try:
        entry_id = int(request.match["id"])
    except ValueError:
        raise Invalid("a journal entry id is a whole number") from None
    return sandbox.journal_entry(entry_id)


def clear_journal(sandbox: Sandbox, _: ControlRequest) -> object:
    """DELETE /journal: clear the journal only."""
    return sandbox.clear_journal()


def reset(sandbox: Sandbox, _: ControlRequest) -> object:
    """POST /reset: orders, sequences, journal, notifications, runtime scenarios and clock back to a fresh start."""
    return sandbox.reset()


def get_clock(sandbox: Sandbox, _: ControlRequest) -> object:
    """GET /clock: sandbox time."""
    return sandbox.clock_state()


def post_clock(sandbox: Sandbox, request: ControlRequest) -> object:
    """POST /clock: freeze, set or advance sandbox time."""
    body = _clock_body(request.body)
    freeze = body.get("freeze")
    if freeze is not None and not isinstance(freeze, bool):  # 0 == False in Python, not in JSON
        raise Invalid(f"freeze: {freeze!r} is not true or false")
    return sandbox.move_clock(freeze=freeze, at=body.get("set"), advance=body.get("advance"))


def get_seed(sandbox: Sandbox, _: ControlRequest) -> object:
    """GET /seed: the seed of generated values."""
    return sandbox.seed()


async def send_request(sandbox: Sandbox, request: ControlRequest) -> object:
    """POST /send: sign a sample request with a configured app's key and send it to this mockums over loopback."""
    body = request.body if isinstance(request.body, dict) else None
    if body is None or set(body) - {"endpoint", "merOrderId", "mid", "fields"}:
        raise Invalid('send {"endpoint": "/v1/…", "merOrderId": "…", "mid"?: "…", "fields"?: {…}}')
    signed = sandbox.signed_request(body.get("endpoint"), body.get("merOrderId"), body.get("mid"),
                                    body.get("fields"))
    before = sandbox.journal_head()
    result = await send(request.loopback, signed)
    entries = sandbox.journal(signed.mer_order_id, signed.endpoint, since=before, summary=True)
    return {"request": signed.view(), **result, "journalId": entries[-1]["id"] if entries else None}


def post_seed(sandbox: Sandbox, request: ControlRequest) -> object:
    """POST /seed: set the seed of generated values."""
    body = request.body if isinstance(request.body, dict) and set(request.body) == {"seed"} else {}
    seed = body.get("seed")
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise Invalid('send {"seed": <integer>}')
    return sandbox.set_seed(seed)

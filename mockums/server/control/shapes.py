"""The JSON shapes of the control API as JSON Schemas, for its OpenAPI document: what each call takes and
what it answers (the views in `mockums.core.views` and the facade's results, field for field)."""

from __future__ import annotations

from typing import Any

from mockums.core.sandbox import EPOCH_MAX
from mockums.protocol.statuses import REFUND_STATUSES
from mockums.scenarios import Allowed
from mockums.scenarios.json_schema import scenario_json_schema

TEXT = {"type": "string"}
TEXT_OR_NULL = {"type": "string", "nullable": True}
NUMBER = {"type": "number"}
COUNT = {"type": "integer", "minimum": 0}
FREE = {"type": "object", "additionalProperties": True}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _list(name: str) -> dict[str, Any]:
    return {"type": "array", "items": _ref(name)}


def _record(required: dict[str, Any], optional: dict[str, Any] | None = None, **more: Any) -> dict[str, Any]:
    """An object with these properties, all of `required` always present, nothing else."""
    return {"type": "object", "properties": {**required, **(optional or {})}, "required": list(required),
            "additionalProperties": False, **more}


def _to_openapi_30(schema: Any) -> Any:
    """A JSON Schema (2020-12) in OpenAPI 3.0's dialect: `type: [x, "null"]` as `nullable`, `$defs` under
    components, `const` as a one-value enum, `dependentRequired` and `if`/`then` as the `anyOf` they mean;
    `patternProperties` (the `x-…` anchor keys of files) is left out: JSON bodies have no anchors."""
    if isinstance(schema, list):
        return [_to_openapi_30(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    conditions: list[dict[str, Any]] = []
    for key, value in schema.items():
        if key in ("$schema", "$defs", "patternProperties", "title", "then"):
            continue
        if key == "dependentRequired":
            conditions += [{"anyOf": [{"not": {"required": [name]}}, {"required": needed}]}
                           for name, needed in value.items()]
        elif key == "if":
            conditions.append({"anyOf": [{"not": _to_openapi_30(value)}, _to_openapi_30(schema["then"])]})
        if key == "$ref":
            out[key] = "#/components/schemas/" + _component(value.removeprefix("#/$defs/"))
        elif key == "type" and isinstance(value, list):
            kinds = [kind for kind in value if kind != "null"]
            if len(kinds) == 1:
                out["type"] = kinds[0]
            else:
                out.pop("type", None)
                out["anyOf"] = [{"type": kind} for kind in kinds]
            if "null" in value:
                out["nullable"] = True
        elif key == "const":
            out["enum"] = [value]
        elif key in ("properties",):
            out[key] = {name: _to_openapi_30(item) for name, item in value.items()}
        else:
            out[key] = _to_openapi_30(value)
    if conditions:
        out["allOf"] = [*out.get("allOf", []), *conditions]
    return out


def _component(definition: str) -> str:
    """The component name of one of the scenario schema's definitions: `match` is `ScenarioMatch`."""
    return f"Scenario{definition[:1].upper()}{definition[1:]}"


def scenario_components(allowed: Allowed) -> dict[str, Any]:
    """The scenario file format (the editors' JSON Schema) as OpenAPI 3.0 components."""
    schema = scenario_json_schema(allowed)
    components = {_component(name): _to_openapi_30(part) for name, part in schema["$defs"].items()}
    file = _to_openapi_30(schema)
    file["nullable"] = False
    components["ScenarioFile"] = file
    return components


ATTEMPT = _record({"number": COUNT, "at": NUMBER, "status": {"type": "integer", "nullable": True}, "body": TEXT,
                   "error": TEXT_OR_NULL, "accepted": {"type": "boolean"}, "durationMs": NUMBER})
DELIVERY = _record({
    "notifyId": TEXT, "url": TEXT, "kind": TEXT, "mid": TEXT, "merOrderId": TEXT,
    "params": {"type": "object", "additionalProperties": TEXT, "description": "the form fields, as sent"},
    "createdAt": NUMBER, "schedule": {"type": "array", "items": NUMBER}, "attempts": _list("Attempt"),
    "state": TEXT, "reason": TEXT_OR_NULL})
REFUND = _record({
    "refundOrderId": TEXT, "amount": {"type": "integer"}, "status": {"type": "string", "enum": list(REFUND_STATUSES)},
    "targetOrderId": TEXT, "createdAt": NUMBER, "settledAt": {"type": "number", "nullable": True},
    "queries": COUNT, "settleAfterQueries": {"type": "integer", "nullable": True},
    "settleAt": {"type": "number", "nullable": True}})
def order_summary_fields(statuses: tuple[str, ...]) -> dict[str, Any]:
    """An order as lists show it, its status one of `statuses`."""
    return {"mid": TEXT, "merOrderId": TEXT, "line": TEXT, "status": {"type": "string", "enum": list(statuses)},
            "totalAmount": {"type": "integer"}, "refunded": {"type": "integer"}, "targetSys": TEXT, "instMid": TEXT,
            "appId": TEXT_OR_NULL, "createTime": TEXT, "notifyUrl": TEXT_OR_NULL}


def order(statuses: tuple[str, ...]) -> dict[str, Any]:
    """One order in full."""
    return _record({
        **order_summary_fields(statuses), "calls": {"type": "object", "additionalProperties": TEXT,
                                                    "description": "the calls that close (or void) and refund it"},
        "callFields": {"type": "object", "additionalProperties": TEXT,
                       "description": "the fields those calls carry the amount (`amount`) and a fresh request id "
                                      "(`request_id`) in, when not the netpay family's"},
        "assumed": {"type": "boolean"}, "expireTime": TEXT, "payTime": TEXT_OR_NULL,
        "queries": COUNT, "refunds": _list("Refund"),
        "history": {"type": "array", "items": _record({"time": TEXT, "event": TEXT})},
        "notifications": _list("Delivery"),
        "guarantee": {**_record({"secureStatus": TEXT, "completedAmount": {"type": "integer"}}), "nullable": True,
                      "description": "a 担保 (guarantee) order's state; null for an ordinary order"},
        "split": {**_record({
            "asynchronous": {"type": "boolean"}, "confirmedAt": TEXT_OR_NULL, "platformAmount": {"type": "integer"},
            "subOrders": {"type": "array", "items": _record({"mid": TEXT, "merOrderId": TEXT_OR_NULL,
                                                              "totalAmount": {"type": "integer"}})}}),
                  "nullable": True, "description": "a 分账 (split) order's split; null for an order not split"}})


REPLICA = {"type": "string", "description": "the process that answered (`--replica`): its host and process, or worker"}
JOURNAL_ENTRY = _record({
    "id": {"type": "integer", "minimum": 1}, "time": TEXT, "method": TEXT, "endpoint": TEXT,
    "merOrderId": TEXT_OR_NULL, "mid": TEXT_OR_NULL, "appId": TEXT_OR_NULL,
    "auth": _record({"scheme": TEXT_OR_NULL, "verdict": TEXT, "reason": TEXT}, {"diagnosis": FREE}),
    "scenario": _record({"name": TEXT_OR_NULL, "reason": TEXT, "forced": TEXT_OR_NULL,
                         "nearMisses": {"type": "array", "items": TEXT}}),
    "why": TEXT, "status": {"type": "integer", "description": "HTTP status; 0 when a fault answered"},
    "errCode": TEXT_OR_NULL, "fault": TEXT_OR_NULL, "delaySeconds": NUMBER,
    "warnings": {"type": "array", "items": TEXT}, "durationMs": NUMBER, "request": TEXT, "answer": TEXT,
    "replica": REPLICA})
SCENARIO_VIEW = _record({
    "name": TEXT, "description": TEXT, "magicId": TEXT_OR_NULL,
    "match": _record({"kind": TEXT, "value": TEXT, "endpoints": {"type": "array", "items": TEXT},
                      "body": {"type": "object", "additionalProperties": TEXT}}),
    "steps": COUNT, "lifecycle": {**FREE, "nullable": True}, "source": TEXT,
    "origin": {"type": "string", "enum": ["file", "runtime"]}})
RELOAD = _record({"ok": {"type": "boolean"}, "at": {"type": "number", "nullable": True},
                  "errors": {"type": "array", "items": TEXT}, "loaded": {"type": "integer", "nullable": True}})

_SCHEMAS: dict[str, Any] = {
    "Problem": {"type": "object", "properties": {"error": TEXT}, "required": ["error"],
                "additionalProperties": True, "description": "A refused control call: why, and details"},
    "Health": _record({"status": {"type": "string", "enum": ["ok"]}, "version": TEXT, "scenarios": COUNT,
                       "orders": COUNT, "journal": COUNT, "replica": REPLICA, "store": TEXT}),
    "Document": {**FREE, "description": "A JSON document (OpenAPI or JSON Schema)"},
    "ScenarioView": SCENARIO_VIEW,
    "ScenarioList": _list("ScenarioView"),
    "ScenarioBody": {"anyOf": [_ref("ScenarioFile"), _ref("ScenarioScenario")],
                     "description": "A mapping with `scenarios:` (as in a file), or one scenario"},
    "Reload": RELOAD,
    "OrderList": _list("OrderSummary"),
    "Refund": REFUND,
    "Delivery": DELIVERY,
    "DeliveryList": _list("Delivery"),
    "Attempt": ATTEMPT,
    "JournalEntry": JOURNAL_ENTRY,
    "Journal": _list("JournalEntry"),
    "JournalRow": _record({
        "id": {"type": "integer", "minimum": 1}, "time": TEXT, "method": TEXT, "endpoint": TEXT,
        "merOrderId": TEXT_OR_NULL, "verdict": TEXT, "scenario": TEXT_OR_NULL, "status": {"type": "integer"},
        "errCode": TEXT_OR_NULL, "fault": TEXT_OR_NULL, "durationMs": NUMBER, "replica": REPLICA}),
    "JournalList": {"anyOf": [_list("JournalEntry"), _list("JournalRow")],
                    "description": "entries in full, or list rows only with `view=summary`"},
    "Endpoints": {"type": "array", "items": _record({
        "path": TEXT, "title": TEXT, "action": TEXT, "channel": TEXT_OR_NULL,
        "method": {"type": "string", "enum": ["GET", "POST"]}, "line": TEXT, "success": TEXT})},
    "Sent": {**FREE, "description": "what was sent (endpoint, appId, merOrderId, header, body), the answer and "
             "its journal entry id"},
    "Forgotten": _record({"reset": {"type": "boolean"}}),
    "Removed": _record({"removed": TEXT}),
    "Cleared": _record({"cleared": {"type": "string", "enum": ["journal"]}}),
    "ResetDone": _record({"reset": {"type": "string", "enum": ["everything"]}}),
    "Clock": _record({"now": NUMBER, "beijing": TEXT, "frozen": {"type": "boolean"}}),
    "ClockChange": _record({}, {
        "freeze": {"type": "boolean", "description": "stop (true) or restart (false) the clock"},
        "set": {"type": "number", "minimum": 0, "maximum": EPOCH_MAX,
                "description": "epoch seconds (the call also takes `yyyy-MM-dd HH:mm:ss`, Beijing time, or ISO 8601)"},
        "advance": {"type": "number", "minimum": -EPOCH_MAX, "maximum": EPOCH_MAX,
                    "description": "seconds to move it by (the clock must stay between 1970 and 2100)"},
    }, minProperties=1),
    "Seed": _record({"seed": {"type": "integer"}}),
}


def schemas(allowed: Allowed) -> dict[str, Any]:
    """Every shape the control API takes and answers, for a sandbox whose scenario files may name `allowed`."""
    found = {**_SCHEMAS, **scenario_components(allowed)}
    found["OrderSummary"] = _record(order_summary_fields(allowed.order_statuses or ()))
    found["Order"] = order(allowed.order_statuses or ())
    replacement = dict(found["ScenarioScenario"])
    replacement["properties"] = {k: v for k, v in replacement["properties"].items() if k != "name"}
    replacement["required"] = ["match"]
    replacement["description"] = "One scenario, without its name: the path names it"
    found["ScenarioReplacement"] = replacement
    return found

"""The scenario file format as a JSON Schema, for editors (completion and checks while typing) and tools.

Built from the same names and limits the loader (`schema`) enforces, so the two cannot drift apart; a
test runs every bundled and test scenario file through both. What a JSON Schema cannot say stays the
loader's alone: a `merOrderIdPattern` that is not a regular expression, a template that does not parse,
a `magic_id` its own rule does not match, names and rules repeated across files, duplicate YAML keys.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from mockums.ledger.split import SUB_MID_LENGTH, SUB_ORDER_ID_LENGTH
from mockums.limits import MAX_NOTIFY_ATTEMPTS, MAX_SUB_MERCHANTS
from mockums.protocol.fields import AMOUNT_MAX, AMOUNT_MIN
from mockums.protocol.statuses import REFUND_STATUSES

from .allowed import Allowed
from .implied import ORDER_KEYS, SPLIT_KEYS, SUB_ORDER_KEYS
from .model import Fault, IdMatch, Then
from .schema import (
    _LIFECYCLE_KEYS,
    _NAME,
    _NOTIFY_KEYS,
    _PAY_KEYS,
    _PAY_MODES,
    _REFUND_KEYS,
    _SCENARIO_KEYS,
    _SIGN_TYPES,
    _STEP_ACTIONS,
    MAX_DELAY_SECONDS,
    MAX_LIFECYCLE_SECONDS,
)

SCHEMA_FILE = "scenario.schema.json"  # its name beside the bundled scenario files


def _object(properties: dict[str, Any], description: str, **more: Any) -> dict[str, Any]:
    return {"type": "object", "description": description, "properties": properties, "additionalProperties": False,
            **more}


def _seconds(limit: float, description: str) -> dict[str, Any]:
    return {"type": "number", "minimum": 0, "maximum": limit, "description": description}


def _count(description: str) -> dict[str, Any]:
    return {"type": "integer", "minimum": 1, "description": description}


def _step(in_sequence: bool, gateway_errors: Collection[str], statuses: Collection[str]) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "fields": {"type": "object", "description": "Answer fields to set ({{ templates }} allowed); null removes one"},
        "delay": _seconds(MAX_DELAY_SECONDS, "Seconds of sandbox time before answering"),
        "gateway_error": {"enum": sorted(gateway_errors), "description": "Answer with this gateway error instead"},
        "fault": {"enum": [fault.value for fault in Fault], "description": "Fail the connection instead of answering"},
        "order_status": {"enum": list(statuses), "description": "Put the order in this state first"},
        "order": _order(),
    }
    if in_sequence:
        properties["repeat"] = _count("How many calls in a row get this step (default 1)")
    return _object(properties, "One answer" + (" of the sequence" if in_sequence else " for every call"),
                   anyOf=[{"required": [action]} for action in _STEP_ACTIONS],
                   **{"not": {"required": ["gateway_error", "fault"]}})


def _fen(low: int, description: str) -> dict[str, Any]:
    return {"type": "integer", "minimum": low, "maximum": AMOUNT_MAX, "description": description}


def _order() -> dict[str, Any]:
    id_like = {"type": ["string", "integer"]}
    sub_order = _object({
        "mid": {**id_like, "minLength": SUB_MID_LENGTH[0], "maxLength": SUB_MID_LENGTH[1],
                "description": "The sub-merchant's mid"},
        "merOrderId": {**id_like, "minLength": SUB_ORDER_ID_LENGTH[0], "maxLength": SUB_ORDER_ID_LENGTH[1],
                       "description": "The sub-merchant's order id"},
        "totalAmount": _fen(AMOUNT_MIN, "The sub-merchant's share, fen"),
    }, "One sub-merchant's share", required=["mid", "totalAmount"])
    split = _object({
        "async": {"type": "boolean", "description": "asynDivisionFlag: confirmed by sub-orders-confirm (else "
                  "divisionFlag)"},
        "platformAmount": _fen(0, "The platform merchant's share, fen"),
        "subOrders": {"type": "array", "minItems": 1, "maxItems": MAX_SUB_MERCHANTS, "items": sub_order},
    }, "分账: how the order is split (totalAmount = Σ subOrders.totalAmount + platformAmount)",
        required=["platformAmount", "subOrders"])
    order = _object({
        "totalAmount": _fen(AMOUNT_MIN, "The order's amount, fen (else generated; a split's is its shares' sum)"),
        "secure": {"type": "boolean", "description": "A 担保 guarantee order (not with split)"},
        "split": split,
    }, "What the order this scenario implies is, when first taken to exist with no create call", minProperties=1,
        **{"not": {"required": ["secure", "split"], "properties": {"secure": {"const": True}}}})
    assert (tuple(order["properties"]), tuple(split["properties"]), tuple(sub_order["properties"])) == (
        ORDER_KEYS, SPLIT_KEYS, SUB_ORDER_KEYS)
    return order


def _match(endpoints: Collection[str]) -> dict[str, Any]:
    id_like = {"type": ["string", "integer"], "minLength": 1}
    endpoint = {"enum": sorted(endpoints)}
    descriptions = {IdMatch.EXACT: "This merOrderId exactly", IdMatch.PREFIX: "Any merOrderId starting with this",
                    IdMatch.PATTERN: "A regular expression the whole merOrderId must match"}
    properties: dict[str, Any] = {kind.value: {**id_like, "description": descriptions[kind]} for kind in IdMatch}
    properties["endpoint"] = {"description": "Only calls to this endpoint (or these)",
                              "anyOf": [endpoint, {"type": "array", "items": endpoint, "minItems": 1}]}
    properties["body"] = {"type": "object", "description": "Other body fields that must be equal (dotted paths)",
                          "additionalProperties": {"type": ["string", "number", "boolean"]}}
    return _object(properties, "Which requests this scenario answers",
                   oneOf=[{"required": [kind.value]} for kind in IdMatch])


def _lifecycle() -> dict[str, Any]:
    seconds = _seconds(MAX_LIFECYCLE_SECONDS, "Seconds of sandbox time")
    pay = {"description": "When the customer pays", "anyOf": [
        {"enum": list(_PAY_MODES)},
        _object({"after_queries": _count("After this many queries"), "after_seconds": seconds},
                "After N queries or T seconds", minProperties=1, maxProperties=1)]}
    processing_only = {"if": {"anyOf": [{"required": [key]} for key in _REFUND_KEYS[1:]]},
                       "then": {"properties": {"status": {"const": "PROCESSING"}}}}
    refund = {"description": "How refunds of this order turn out", "anyOf": [
        {"enum": list(REFUND_STATUSES)},
        _object({"status": {"enum": list(REFUND_STATUSES)}, "settle_after_queries": _count("Refund queries until it "
                 "succeeds"), "settle_after_seconds": seconds}, "A refund status, PROCESSING settling later",
                required=["status"], **processing_only)]}
    notify = _object({
        "delay": _seconds(MAX_DELAY_SECONDS, "Seconds before the first notification"),
        "duplicate": {"type": "boolean", "description": "Deliver the notification twice"},
        "bad_signature": {"type": "boolean", "description": "Sign it with the wrong key"},
        "schedule": {"type": "array", "minItems": 1, "maxItems": MAX_NOTIFY_ATTEMPTS, "items": seconds,
                     "description": "Waits before each attempt, in seconds"},
        "sign_type": {"enum": list(_SIGN_TYPES)},
    }, "How the order's notifications misbehave")
    assert set(notify["properties"]) == set(_NOTIFY_KEYS)
    properties = {"pay": pay, "expire_after": _seconds(MAX_LIFECYCLE_SECONDS, "Seconds after creation until an "
                  "unpaid order expires"), "refund": refund, "notify": notify}
    assert tuple(properties) == _LIFECYCLE_KEYS and len(_PAY_KEYS) == 2
    return _object(properties, "How the order lives: payment, expiry, refunds, notifications", minProperties=1)


def scenario_json_schema(allowed: Allowed) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a scenario file, for what `allowed` lets files name."""
    scenario = _object({
        "name": {"type": "string", "pattern": f"^{_NAME.pattern}$", "description": "Unique name"},
        "description": {"type": "string", "description": "What this reproduces"},
        "magic_id": {"type": ["string", "integer"], "description": "An example merOrderId its rule matches"},
        "match": {"$ref": "#/$defs/match"},
        "respond": {"$ref": "#/$defs/step"},
        "sequence": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/sequenceStep"},
                     "description": "A different answer on each call for the same order"},
        "then": {"enum": [then.value for then in Then], "description": "After the last step of the sequence"},
        "lifecycle": {"$ref": "#/$defs/lifecycle"},
    }, "A scenario: which requests it answers (match) and how (respond, sequence, lifecycle)",
        required=["name", "match"],
        anyOf=[{"required": ["respond"]}, {"required": ["sequence"]}, {"required": ["lifecycle"]}],
        dependentRequired={"then": ["sequence"]},
        **{"not": {"required": ["respond", "sequence"]}})
    assert tuple(scenario["properties"]) == _SCENARIO_KEYS
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "mockums scenario file",
        "description": "Outcomes of the mockums ChinaUMS sandbox, chosen per merOrderId (see the README, "
                       "'Scenario files'). `mockums check FILE` checks what a schema cannot.",
        "type": ["object", "null"],
        "properties": {"scenarios": {"type": ["array", "null"], "items": {"$ref": "#/$defs/scenario"}}},
        "patternProperties": {"^x-": {"description": "Free for YAML anchors to reuse"}},
        "additionalProperties": False,
        "required": ["scenarios"],
        "$defs": {"scenario": scenario, "match": _match(allowed.endpoints or ()),
                  "step": _step(False, allowed.gateway_errors or (), allowed.order_statuses or ()),
                  "sequenceStep": _step(True, allowed.gateway_errors or (), allowed.order_statuses or ()),
                  "lifecycle": _lifecycle()},
    }

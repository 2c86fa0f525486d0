"""The JSON shapes the core hands out (orders, notifications, scenarios, the clock): one place, shared
by the control API, the pytest plugin and anything else that reads the sandbox."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from mockums.clock import Clock, format_time
from mockums.ledger.model import Order
from mockums.notify.sender import Delivery
from mockums.scenarios import Scenario


def scenario_view(scenario: Scenario, origin: str) -> dict[str, Any]:
    """A scenario: name, description, magic id, match rule, steps, lifecycle, source and origin."""
    rule = scenario.match
    return {
        "name": scenario.name,
        "description": scenario.description,
        "magicId": scenario.magic_id,
        "match": {
            "kind": rule.kind.value,
            "value": rule.value,
            "endpoints": [] if rule.scoped else sorted(rule.endpoints),  # a bundled rule as written
            "body": dict(rule.body),
        },
        "steps": len(scenario.steps),
        "lifecycle": dataclasses.asdict(scenario.lifecycle) if scenario.lifecycle else None,
        "source": str(scenario.source),
        "origin": origin,
    }


def camel(name: str) -> str:
    """`notify_id` -> `notifyId`: the control API's keys are camelCase, like the gateway's own fields."""
    first, *rest = name.split("_")
    return first + "".join(part[:1].upper() + part[1:] for part in rest)


def camel_record(record: Any) -> dict[str, Any]:
    """A dataclass's fields under camelCase keys (its values as they are)."""
    return {camel(item.name): getattr(record, item.name) for item in dataclasses.fields(record)}


def camel_tuple(record: Any) -> dict[str, Any]:
    """A named tuple's fields under camelCase keys (its values as they are)."""
    return {camel(name): value for name, value in record._asdict().items()}


def delivery_view(delivery: Delivery) -> dict[str, Any]:
    """A notification delivery with its attempts (notifyId, url, kind, mid, merOrderId, params — the form
    fields as sent —, createdAt, schedule, attempts, state, reason)."""
    view = camel_record(delivery)
    del view["number"]  # the repository's key, not part of what a delivery shows
    view["params"] = dict(delivery.params)
    view["schedule"] = list(delivery.schedule)
    view["attempts"] = [camel_tuple(attempt) for attempt in delivery.attempts]
    return view


def order_summary(order: Order) -> dict[str, Any]:
    """An order in a list: its key, status, amounts, wallet (`targetSys`) and product line (`instMid`)."""
    return {
        "mid": order.mid,
        "merOrderId": order.mer_order_id,
        "line": order.line,
        "status": order.status,
        "totalAmount": order.total_amount,
        "refunded": order.refunded,
        "targetSys": order.target_sys,
        "instMid": order.inst_mid,
        "appId": order.app_id,
        "createTime": format_time(order.created_at),
        "notifyUrl": order.notify_url,
    }


def order_view(order: Order, deliveries: list[Delivery], calls: Mapping[str, str],
               call_fields: Mapping[str, str] | None = None) -> dict[str, Any]:
    """One order in full: state, refunds, history, its notification deliveries, the calls its line closes (or
    voids) and refunds it with, and the fields those calls carry their values in when not the netpay family's."""
    return {
        **order_summary(order),
        "calls": dict(calls),
        "callFields": dict(call_fields or {}),
        "assumed": order.assumed,
        "expireTime": format_time(order.expire_at),
        "payTime": format_time(order.paid_at) if order.paid_at else None,
        "queries": order.queries,
        "refunds": [camel_tuple(refund) for refund in order.refunds],
        "history": [{"time": format_time(at), "event": event} for at, event in order.history],
        "notifications": [delivery_view(d) for d in deliveries],
        "guarantee": guarantee_view(order),
        "split": split_view(order),
    }


def guarantee_view(order: Order) -> dict[str, Any] | None:
    """A 担保 (guarantee) order's state (secureStatus) and the amount completed; None for an ordinary order."""
    if order.secure_status is None:
        return None
    return {"secureStatus": order.secure_status, "completedAmount": order.completed_amount}


def split_view(order: Order) -> dict[str, Any] | None:
    """A 分账 (split) order's split: asynchronous or not (and when confirmed), the platform's amount and the
    sub-merchants' shares; None for an order not split."""
    split = order.division
    if split is None:
        return None
    return {
        "asynchronous": split.asynchronous,
        "confirmedAt": format_time(split.confirmed_at) if split.confirmed_at is not None else None,
        "platformAmount": split.platform_amount,
        "subOrders": [{"mid": sub.mid, "merOrderId": sub.mer_order_id, "totalAmount": sub.total_amount}
                      for sub in split.sub_orders],
    }


def clock_view(clock: Clock) -> dict[str, Any]:
    """Sandbox time: epoch seconds, Beijing time, frozen or not."""
    now = clock.now()
    return {"now": now, "beijing": format_time(now), "frozen": clock.frozen}

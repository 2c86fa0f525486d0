"""The business rules behind the netpay endpoints, and the answers they produce. Pure: no HTTP.

A rule takes the validated request and the order store and returns an `Outcome`; `render_answer`
turns it into the JSON body using the endpoint's response table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from mockums.business_errors import default_message
from mockums.clock import BEIJING, DATE_FORMAT, format_body_time
from mockums.endpoints.catalog import EndpointSpec
from mockums.generate import Generator
from mockums.orders import Order, OrderStore

OPEN_STATUSES = ("NEW_ORDER", "WAIT_BUYER_PAY")
PAID_STATUSES = ("TRADE_SUCCESS", "TRADE_REFUND")


@dataclass(frozen=True)
class Outcome:
    err_code: str
    err_msg: str
    order: Order | None
    target_status: str = "SUCCESS|SUCCESS"


def outcome(err_code: str, order: Order | None, err_msg: str | None = None,
            target_status: str = "SUCCESS|SUCCESS") -> Outcome:
    return Outcome(err_code, default_message(err_code) if err_msg is None else err_msg, order,
                   target_status)


def find_order(
    orders: OrderStore, generator: Generator, body: Mapping[str, object], now: float,
    *, strict: bool, status: str | None = None,
) -> Order | None:
    """The order the request names; in lenient mode an unseen one is assumed to exist, unpaid.

    `status`, when given (a scenario's `order_status`), puts the order in that state first, so the
    endpoint's own rule answers as the gateway would for an order in that state.
    """
    mid, mer_order_id = str(body["mid"]), str(body["merOrderId"])
    order = orders.get(mid, mer_order_id)
    if order is None and (not strict or status is not None):
        order = orders.add(Order(
            mid=mid, mer_order_id=mer_order_id, status="WAIT_BUYER_PAY",
            values=generator.order_values(mid, mer_order_id), created_at=now, assumed=True,
        ))
        order.record(now, "assumed to exist, unpaid (first seen, lenient mode)")
    if order is not None and status is not None:
        order.set_status(now, status, "scenario")
    return order


def close(order: Order | None, now: float) -> Outcome:
    if order is None:
        return outcome("NO_ORDER", None)
    if order.status in OPEN_STATUSES:
        order.set_status(now, "TRADE_CLOSED", "closed by request")
        return outcome("SUCCESS", order)
    if order.status == "TRADE_CLOSED":
        return outcome("OPERATION_NOT_ALLOWED", order, "订单已关闭", "FAIL|ORDERCLOSED")
    # Unconfirmed: WeChat answers ORDERPAID to closing a paid order; ChinaUMS is assumed to pass
    # it through as TARGET_FAIL. A scenario can answer otherwise.
    return outcome("TARGET_FAIL", order, "订单已支付，不能发起关单", "FAIL|ORDERPAID")


def render_answer(
    spec: EndpointSpec, request: Mapping[str, object], result: Outcome, now: float
) -> dict[str, object]:
    moment = datetime.fromtimestamp(now, BEIJING)
    order = result.order
    # Without an order there is nothing to describe: an error answer carries only the echo fields.
    full = result.err_code == "SUCCESS" or order is not None
    answer: dict[str, object] = {}
    for field in spec.response:
        if not (full or field.on_error):
            continue
        if field.source == "result":
            value: object = result.err_code if field.name == "errCode" else result.err_msg
        elif field.source == "now":
            value = format_body_time(moment)
        elif field.source == "today":
            value = moment.strftime(DATE_FORMAT)
        elif field.source == "constant":
            value = field.constant
        elif field.source == "echo":
            value = request.get(field.name)
            if value is None:
                continue
        else:
            value = _order_value(spec, field.name, order, result)
            if value is None:
                continue
        answer[field.name] = value
    return answer


def _order_value(spec: EndpointSpec, name: str, order: Order | None, result: Outcome) -> object:
    if order is None:
        return None
    if name == "status":
        return order.status
    if name == "targetStatus":
        return result.target_status
    if name == "targetSys":
        return spec.target_sys
    return order.values.get(name)

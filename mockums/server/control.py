"""The control API under /__mockums: what a test needs to drive the sandbox from outside."""

from __future__ import annotations

import dataclasses
from typing import Any

from aiohttp import web

from mockums import __version__
from mockums.netpay import format_time
from mockums.notify import Delivery, Notifier
from mockums.orders import Order
from mockums.sandbox import Sandbox

CONTROL_PREFIX = "/__mockums"
SANDBOX = web.AppKey("sandbox", Sandbox)
NOTIFIER = web.AppKey("notifier", Notifier)


def problem(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def delivery_view(delivery: Delivery) -> dict[str, Any]:
    view = dataclasses.asdict(delivery)
    view["attempts"] = [dataclasses.asdict(attempt) for attempt in delivery.attempts]
    return view


def order_view(order: Order, notifier: Notifier) -> dict[str, Any]:
    return {
        "mid": order.mid,
        "merOrderId": order.mer_order_id,
        "status": order.status,
        "totalAmount": order.total_amount,
        "refunded": order.refunded,
        "targetSys": order.target_sys,
        "notifyUrl": order.notify_url,
        "assumed": order.assumed,
        "createTime": format_time(order.created_at),
        "expireTime": format_time(order.expire_at),
        "payTime": format_time(order.paid_at) if order.paid_at else None,
        "queries": order.queries,
        "refunds": [dataclasses.asdict(refund) for refund in order.refunds.values()],
        "history": [{"time": format_time(at), "event": event} for at, event in order.history],
        "notifications": [delivery_view(d) for d in notifier.deliveries(order.mid, order.mer_order_id)],
    }


def _order(request: web.Request) -> Order | None:
    return request.app[SANDBOX].orders.get(request.match_info["mid"], request.match_info["merOrderId"])


async def health(request: web.Request) -> web.Response:
    sandbox = request.app[SANDBOX]
    return web.json_response({"status": "ok", "version": __version__, "scenarios": len(sandbox.registry),
                              "orders": len(sandbox.orders)})


async def get_order(request: web.Request) -> web.Response:
    order = _order(request)
    if order is None:
        return problem(404, "no such order: create it, or call any endpoint with this merOrderId first")
    return web.json_response(order_view(order, request.app[NOTIFIER]))


async def pay_order(request: web.Request) -> web.Response:
    sandbox = request.app[SANDBOX]
    order = _order(request)
    if order is None:
        return problem(404, "no such order: create it, or call any endpoint with this merOrderId first")
    now = sandbox.clock.now()
    sandbox.dispatch(sandbox.ledger.catch_up(order, now))
    events = sandbox.ledger.pay(order, now, "paid by control call")
    if not events:
        return problem(409, f"order is {order.status}; only NEW_ORDER or WAIT_BUYER_PAY orders can be paid")
    sandbox.dispatch(events)
    return web.json_response(order_view(order, request.app[NOTIFIER]))


async def redeliver(request: web.Request) -> web.Response:
    delivery = request.app[NOTIFIER].redeliver(request.match_info["notifyId"])
    if delivery is None:
        return problem(404, "no notification with this notifyId is kept")
    return web.json_response(delivery_view(delivery))


async def list_notifications(request: web.Request) -> web.Response:
    query = request.query
    deliveries = request.app[NOTIFIER].deliveries(query.get("mid"), query.get("merOrderId"))
    return web.json_response([delivery_view(d) for d in deliveries])


def add_routes(app: web.Application) -> None:
    prefix = CONTROL_PREFIX
    app.router.add_get(f"{prefix}/health", health)
    app.router.add_get(f"{prefix}/orders/{{mid}}/{{merOrderId}}", get_order)
    app.router.add_post(f"{prefix}/orders/{{mid}}/{{merOrderId}}/pay", pay_order)
    app.router.add_get(f"{prefix}/notifications", list_notifications)
    app.router.add_post(f"{prefix}/notifications/{{notifyId}}/redeliver", redeliver)

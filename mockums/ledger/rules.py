"""The business rules behind the netpay endpoints, and the answers they produce. Pure: no HTTP.

`Ledger.perform` takes a validated request and returns an `Outcome`: the result code, the order it
concerns, the values the answer shows, and the events (payment, refund) that send notifications.
`render_answer` turns an outcome into the JSON body using the endpoint's response table.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from mockums.clock import BEIJING, DATE_FORMAT, format_body_time, format_time, parse_body_time, parse_compact
from mockums.ledger.generate import Generator
from mockums.ledger.orders import (
    AT_ONCE,
    DEFAULT_EXPIRY_SECONDS,
    NEVER,
    REFUNDS_CAP,
    Order,
    OrderStore,
    Refund,
)
from mockums.ledger.plans import Lifecycle
from mockums.protocol.business_errors import default_message
from mockums.protocol.endpoints import EndpointSpec
from mockums.protocol.fields import coerce_amount
from mockums.protocol.statuses import OPEN_STATUSES, PAID_STATUSES, TARGET_STATUS


@dataclass(frozen=True)
class Event:
    kind: Literal["payment", "refund"]
    order: Order
    refund: Refund | None = None


@dataclass(frozen=True)
class Call:
    """One validated request, in its context."""

    spec: EndpointSpec
    body: Mapping[str, object]
    now: float
    app_id: str | None = None
    strict_orders: bool = False
    status: str | None = None  # a scenario's order_status: the order is put in this state first
    lifecycle: Lifecycle | None = None


@dataclass(frozen=True)
class Outcome:
    err_code: str
    err_msg: str
    order: Order | None = None
    values: Mapping[str, object] = field(default_factory=dict)
    events: tuple[Event, ...] = ()


def failure(
    err_code: str, err_msg: str | None = None, order: Order | None = None, values: Mapping[str, object] | None = None
) -> Outcome:
    return Outcome(err_code, default_message(err_code) if err_msg is None else err_msg, order, values or {})


def _text(body: Mapping[str, object], name: str) -> str | None:
    value = body.get(name)
    return str(value) if value not in (None, "") else None


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


class Ledger:
    """The order store plus the rules that move orders through their lifecycle."""

    def __init__(self, orders: OrderStore, generator: Generator) -> None:
        self.orders = orders
        self.generator = generator
        self._timed: set[tuple[str, str]] = set()  # orders with a payment or refund due at a time

    def perform(self, call: Call) -> Outcome:
        action = call.spec.action
        if action == "create":
            return self.create(call)
        if action == "query":
            return self.query(call)
        if action == "close":
            return self.close(call)
        if action == "refund":
            return self.refund(call)
        return self.refund_query(call)

    # -- finding orders ----------------------------------------------------------------------

    def _find(self, call: Call) -> tuple[Order | None, list[Event]]:
        """The order the request names, caught up with time; in lenient mode an unseen one is
        assumed to exist, unpaid."""
        body = call.body
        mid, mer_order_id = str(body["mid"]), _text(body, "merOrderId")
        order = self.orders.get(mid, mer_order_id) if mer_order_id else None
        target = _text(body, "targetOrderId")
        if order is None and target:
            found = self.orders.by_target_order_id(target)
            order = found if found is not None and found.mid == mid else None
        if order is None and mer_order_id and (not call.strict_orders or call.status is not None):
            order = self._new_order(call, mid, mer_order_id, assumed=True)
            order.record(call.now, "assumed to exist, unpaid (first seen, lenient mode)")
        if order is None:
            return None, []
        events = self.catch_up(order, call.now)
        # A scenario's status is applied when it changes, so a constant `order_status` sets the
        # scene once and later calls (a refund after "already paid") move the order on as usual.
        if call.status is not None and call.status != order.scripted_status:
            order.scripted_status = call.status
            order.set_status(call.now, call.status, "scenario")
            if call.status in PAID_STATUSES and order.paid_at is None:
                order.paid_at = call.now
        return order, events

    def _new_order(self, call: Call, mid: str, mer_order_id: str, *, assumed: bool) -> Order:
        values = self.generator.order_values(mid, mer_order_id)
        body = call.body
        amount = coerce_amount(body.get("totalAmount")) if not assumed else None
        lifecycle = call.lifecycle or Lifecycle()
        expire_at = call.now + DEFAULT_EXPIRY_SECONDS
        expire_time = _text(body, "expireTime")
        if expire_time and not assumed:
            moment = parse_body_time(expire_time) or parse_compact(expire_time)
            expire_at = moment.timestamp() if moment else expire_at
        if lifecycle.expire_after is not None:
            expire_at = call.now + lifecycle.expire_after
        channel = call.spec.channel or "WXPay"
        order = Order(
            mid=mid,
            mer_order_id=mer_order_id,
            status="NEW_ORDER" if channel == "Alipay 2.0" else "WAIT_BUYER_PAY",
            total_amount=amount if amount is not None else int(str(values["totalAmount"])),
            values=values,
            created_at=call.now,
            expire_at=expire_at,
            app_id=call.app_id,
            inst_mid=_text(body, "instMid") or "",
            target_sys=channel,
            notify_url=_text(body, "notifyUrl"),
            attached_data=_text(body, "attachedData"),
            order_desc=_text(body, "orderDesc"),
            assumed=assumed,
            pay_plan=lifecycle.pay or NEVER,
            refund_plan=lifecycle.refund or AT_ONCE,
            lifecycle=call.lifecycle,
        )
        order.values["tid"] = _text(body, "tid") or ""
        self.orders.add(order)
        if order.pay_due_at is not None:
            self._timed.add(order.key)
        return order

    # -- time ----------------------------------------------------------------------------------

    def catch_up(self, order: Order, now: float) -> list[Event]:
        """Apply what time has done to an order: a payment that fell due, expiry, refunds settled."""
        events: list[Event] = []
        due = order.pay_due_at
        if due is not None and due <= now and due < order.expire_at:
            events += self.pay(order, due, f"paid {order.pay_plan.seconds:g} s after creation (scenario)")
        order.expire_if_due(now)
        for refund in order.refunds.values():
            if refund.status == "PROCESSING" and refund.settle_at is not None and refund.settle_at <= now:
                events += self._settle(order, refund, refund.settle_at)
        if order.pay_due_at is None and not any(
            r.settle_at and r.status == "PROCESSING" for r in order.refunds.values()
        ):
            self._timed.discard(order.key)
        return events

    def forget_timers(self) -> None:
        self._timed.clear()

    def tick(self, now: float) -> list[Event]:
        """Everything due by `now` across all orders with a timed plan (called by a background loop)."""
        events: list[Event] = []
        for key in list(self._timed):
            order = self.orders.get(*key)
            if order is None:
                self._timed.discard(key)
                continue
            events += self.catch_up(order, now)
        return events

    def pay(self, order: Order, now: float, why: str) -> list[Event]:
        if order.status not in OPEN_STATUSES:
            return []
        order.mark_paid(now, why)
        return [Event("payment", order)]

    def pay_now(self, order: Order, now: float, why: str) -> tuple[list[Event], bool]:
        """Catch the order up with time, then pay it: (events, whether it was payable)."""
        events = self.catch_up(order, now)
        paid = self.pay(order, now, why)
        return events + paid, bool(paid)

    @staticmethod
    def latest_event(order: Order) -> Event | None:
        """What the order's notification says now: its latest successful refund, or its payment."""
        if order.status not in PAID_STATUSES:
            return None
        settled = [refund for refund in order.refunds.values() if refund.status == "SUCCESS"]
        return Event("refund", order, settled[-1]) if settled else Event("payment", order)

    def _settle(self, order: Order, refund: Refund, now: float) -> list[Event]:
        refund.status, refund.settled_at, refund.settle_at = "SUCCESS", now, None
        order.set_status(now, "TRADE_REFUND", f"refund {refund.refund_order_id} succeeded")
        return [Event("refund", order, refund)]

    # -- rules ---------------------------------------------------------------------------------

    def create(self, call: Call) -> Outcome:
        mid, mer_order_id = str(call.body["mid"]), str(call.body["merOrderId"])
        existing = self.orders.get(mid, mer_order_id)
        # An order mockums only assumed (a query or close came first, in lenient mode) and that nothing
        # has happened to is not a real one: creating it is not a duplicate.
        if existing is not None and not (existing.assumed and existing.status in OPEN_STATUSES
                                         and existing.paid_at is None and not existing.refunds):
            return failure("DUP_ORDER")
        order = self._new_order(call, mid, mer_order_id, assumed=False)
        order.record(call.now, f"created by {call.spec.path} ({order.total_amount} fen)")
        values = {**self.describe(order), **self._pay_request(call, order)}
        events: list[Event] = []
        if order.pay_plan.mode == "immediately":
            events = self.pay(order, call.now, "paid at once (scenario)")
        return Outcome("SUCCESS", "", order, values, tuple(events))

    def query(self, call: Call) -> Outcome:
        order, events = self._find(call)
        if order is None:
            return failure("NO_ORDER")
        order.queries += 1
        values = self.describe(order)
        message = "交易不存在" if values["targetStatus"] == TARGET_STATUS["Alipay 2.0"]["NEW_ORDER"] else ""
        plan = order.pay_plan
        if plan.mode == "after_queries" and order.queries >= plan.count:
            events += self.pay(order, call.now, f"paid after {order.queries} queries (scenario)")
        return Outcome("SUCCESS", message, order, values, tuple(events))

    def close(self, call: Call) -> Outcome:
        order, events = self._find(call)
        if order is None:
            return failure("NO_ORDER")
        if order.status in OPEN_STATUSES:
            order.set_status(call.now, "TRADE_CLOSED", "closed by request")
            return Outcome("SUCCESS", "", order, self.describe(order, close=True), tuple(events))
        if order.status == "TRADE_CLOSED":
            return Outcome(
                "OPERATION_NOT_ALLOWED",
                "订单已关闭",
                order,
                self.describe(order, close=True),
                tuple(events),
            )
        # Unconfirmed: WeChat answers ORDERPAID to closing a paid order; ChinaUMS is assumed to pass it
        # through as TARGET_FAIL. A scenario can answer otherwise.
        return Outcome(
            "TARGET_FAIL",
            "订单已支付，不能发起关单",
            order,
            {**self.describe(order, close=True), "targetStatus": "FAIL|ORDERPAID"},
            tuple(events),
        )

    def refund(self, call: Call) -> Outcome:
        order, events = self._find(call)
        if order is None:
            return failure("NO_ORDER")
        body = call.body
        refund_id = _text(body, "refundOrderId")
        existing = order.refunds.get(refund_id) if refund_id else None
        if existing is not None:  # idempotent: the same refundOrderId answers the refund already made
            return Outcome("SUCCESS", "", order, self.describe_refund(order, existing), tuple(events))
        if order.status == "TRADE_CLOSED":
            return failure("OPERATION_NOT_ALLOWED", "订单已关闭", order, self.describe(order))
        if order.status not in PAID_STATUSES:
            return failure("OPERATION_NOT_ALLOWED", "订单未支付，不能退款", order, self.describe(order))
        amount = coerce_amount(body.get("refundAmount")) or 0
        if amount > order.refundable:
            return failure(
                "OPERATION_NOT_ALLOWED",
                f"退款金额超过可退金额 (可退 {order.refundable} 分)",
                order,
                self.describe(order),
            )
        if len(order.refunds) >= REFUNDS_CAP:
            return failure(
                "OPERATION_NOT_ALLOWED", f"退款次数超过上限 {REFUNDS_CAP}", order, self.describe(order)
            )
        fake = self.generator.faker_for("refund", order.mid, order.mer_order_id, len(order.refunds))
        refund_id = refund_id or f"{order.mer_order_id[:4]}{fake.numerify('#' * 16)}R"
        plan = order.refund_plan
        refund = Refund(
            refund_id,
            amount,
            plan.status,
            "503" + fake.numerify("#" * 26),
            call.now,
            settle_after_queries=plan.settle_after_queries,
        )
        if plan.status == "PROCESSING" and plan.settle_after_seconds is not None:
            refund.settle_at = call.now + plan.settle_after_seconds
            self._timed.add(order.key)
        order.refunds[refund_id] = refund
        order.record(call.now, f"refund {refund_id} of {amount} fen: {plan.status}")
        if plan.status == "SUCCESS":
            events += self._settle(order, refund, call.now)
        return Outcome("SUCCESS", "", order, self.describe_refund(order, refund), tuple(events))

    def refund_query(self, call: Call) -> Outcome:
        order, events = self._find(call)
        if order is None:
            return failure("NO_ORDER")
        refund_id = _text(call.body, "refundOrderId")
        refund = order.refunds.get(refund_id) if refund_id else next(reversed(order.refunds.values()), None)
        if refund is None:
            return failure("NO_ORDER", "无法找到指定的退款订单")
        refund.queries += 1
        values = self.describe_refund(order, refund)
        if (
            refund.status == "PROCESSING"
            and refund.settle_after_queries
            and refund.queries >= refund.settle_after_queries
        ):
            events += self._settle(order, refund, call.now)
        return Outcome("SUCCESS", "", order, values, tuple(events))

    # -- what answers show ---------------------------------------------------------------------

    def describe(self, order: Order, *, close: bool = False) -> dict[str, object]:
        values: dict[str, object] = {
            key: order.values[key] for key in ("merName", "seqId", "settleRefId", "targetMid") if key in order.values
        }
        values |= {
            "status": order.status,
            "targetStatus": "SUCCESS|SUCCESS" if close else TARGET_STATUS[order.target_sys][order.status],
            "targetSys": order.target_sys,
            "totalAmount": order.total_amount,
            "targetOrderId": order.values.get("targetOrderId"),
            "merOrderId": order.mer_order_id,
        }
        if order.paid_at is not None and order.status in PAID_STATUSES:
            values |= self._payment_values(order)
        if order.refunded:
            values["refundAmount"] = order.refunded
        return values

    def _payment_values(self, order: Order) -> dict[str, object]:
        amount = order.total_amount
        return {
            "buyerId": self.generator.faker_for("buyer", order.mid, order.mer_order_id).lexify("o" + "?" * 27),
            "payTime": format_time(order.paid_at or order.created_at),
            "buyerPayAmount": amount,
            "invoiceAmount": amount,
            "receiptAmount": amount,
            "couponAmount": 0,
            "billFunds": f"现金:{amount}",
            "billFundsDesc": f"现金支付{_yuan(amount)}元。",
        }

    def describe_refund(self, order: Order, refund: Refund) -> dict[str, object]:
        values = self.describe(order)
        values |= {
            "refundStatus": refund.status,
            "refundOrderId": refund.refund_order_id,
            "refundTargetOrderId": refund.target_order_id,
            "refundAmount": refund.amount,
            "refundFunds": f"现金:{refund.amount}",
            "refundFundsDesc": f"现金退款{_yuan(refund.amount)}元。",
            "refundInvoiceAmount": refund.amount,
            "sendBackAmount": refund.amount if refund.status == "SUCCESS" else 0,
        }
        if refund.settled_at is not None:
            values["refundPayTime"] = format_time(refund.settled_at)
        return values

    def _pay_request(self, call: Call, order: Order) -> dict[str, object]:
        """Channel-shaped parameters the app or mini program hands to the wallet."""
        fake = self.generator.faker_for("pay-request", order.mid, order.mer_order_id)
        stamp = str(int(call.now))
        nonce = fake.hexify("^" * 32)
        if order.target_sys == "Alipay 2.0":
            qr_code = "https://qr.alipay.com/bax0" + fake.bothify("?#?#?#?#?#?#?#?#?#?#").lower()
            return {"qrCode": qr_code, "appPayRequest": {"qrCode": qr_code, "msgType": "trade.precreate"}}
        app_id = _text(call.body, "subAppId") or "wx" + fake.hexify("^" * 16)
        prepay_id = "wx" + datetime.fromtimestamp(call.now, BEIJING).strftime("%d%H%M%S") + fake.hexify("^" * 24)
        if call.spec.path.endswith("unified-order"):
            pay_sign = base64.b64encode(fake.binary(256)).decode()
            return {
                "miniPayRequest": {
                    "appId": app_id,
                    "timeStamp": stamp,
                    "nonceStr": nonce,
                    "package": f"prepay_id={prepay_id}",
                    "signType": "RSA",
                    "paySign": pay_sign,
                }
            }
        return {
            "appPayRequest": {
                "appid": app_id,
                "partnerid": fake.numerify("16########"),
                "prepayid": prepay_id,
                "package": "Sign=WXPay",
                "noncestr": nonce,
                "timestamp": stamp,
                "sign": fake.hexify("^" * 32).upper(),
            }
        }


def render_answer(
    spec: EndpointSpec, request: Mapping[str, object], result: Outcome, now: float
) -> dict[str, object]:
    moment = datetime.fromtimestamp(now, BEIJING)
    # Without an order there is nothing to describe: an error answer carries only the echo fields.
    full = result.err_code == "SUCCESS" or result.order is not None
    answer: dict[str, object] = {}
    for item in spec.response:
        if not (full or item.on_error):
            continue
        if item.source == "result":
            value: object = result.err_code if item.name == "errCode" else result.err_msg
        elif item.source == "now":
            value = format_body_time(moment)
        elif item.source == "today":
            value = moment.strftime(DATE_FORMAT)
        elif item.source == "constant":
            value = item.constant
        elif item.source == "echo":  # as sent; the order's own value when the request did not name it
            value = request.get(item.name, result.values.get(item.name))
        else:
            value = result.values.get(item.name)
        if value is not None:
            answer[item.name] = value
    return answer

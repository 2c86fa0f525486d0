"""Turning payment and refund events into signed notification forms (protocol-evidence §7).

Pure: builds the form fields and signs them with the app's communication key (通讯密钥); the
`mockums.notify` sender delivers them. A scenario's notify plan can make them late, double or
wrongly signed.
"""

from __future__ import annotations

from mockums.clock import format_time
from mockums.config import App
from mockums.ledger.calls import Event
from mockums.ledger.generate import Generator
from mockums.ledger.plans import NotifyPlan
from mockums.lines.netpay.answers import describe
from mockums.notify.note import Notification
from mockums.notify.signing import sign_notification
from mockums.protocol.statuses import TRADE_REFUND

WRONG_KEY_SUFFIX = "-not-the-notify-key"


def _strings(values: dict[str, object]) -> dict[str, str]:
    return {key: str(value) for key, value in values.items() if value is not None}


def build(event: Event, generator: Generator, app: App, now: float) -> Notification | None:
    """The signed form for one event, or None when the order has no notifyUrl."""
    order = event.order
    if not order.notify_url:
        return None
    params, notify_id, plan = signed_form(event, generator, app, now)
    return Notification(order.notify_url, params, notify_id, event.kind, order.mid, order.mer_order_id, plan)


def signed_form(event: Event, generator: Generator, app: App, now: float) -> tuple[dict[str, str], str, NotifyPlan]:
    """The signed fields an event's notification carries (the H5 returnUrl redirect carries them too),
    its notifyId, and the order's notify plan."""
    order = event.order
    fake = generator.faker_for("notify", order.mid, order.mer_order_id, event.kind,
                                      event.refund.refund_order_id if event.refund else "")
    notify_id = fake.uuid4()
    values = describe(order, generator)
    form: dict[str, object] = {
        "mid": order.mid, "tid": order.tid, "instMid": order.inst_mid or None,
        "merOrderId": order.mer_order_id, "seqId": values.get("seqId"), "merName": values.get("merName"),
        "targetOrderId": values.get("targetOrderId"), "targetSys": order.target_sys, "connectSys": "UNIONPAY",
        "status": order.status, "totalAmount": order.total_amount, "createTime": format_time(order.created_at),
        "payTime": values.get("payTime"), "settleDate": format_time(now)[:10],
        "buyerId": values.get("buyerId"), "buyerPayAmount": values.get("buyerPayAmount"),
        "invoiceAmount": values.get("invoiceAmount"), "receiptAmount": values.get("receiptAmount"),
        "couponAmount": values.get("couponAmount"), "billFunds": values.get("billFunds"),
        "billFundsDesc": values.get("billFundsDesc"), "orderDesc": order.order_desc,
        "attachedData": order.attached_data, "mchntUuid": fake.hexify("^" * 32), "subInst": "100600",
        "notifyId": notify_id, "ns": fake.lexify("?" * 10),
        "secureStatus": values.get("secureStatus"), "completeAmount": values.get("completeAmount"),  # 担保 only
    }
    refund = event.refund
    if refund is not None:
        form |= {"status": TRADE_REFUND, "refundOrderId": refund.refund_order_id,
                 "refundAmount": refund.amount, "refundTargetOrderId": refund.target_order_id,
                 "refundPayTime": format_time(refund.settled_at or now)}
    plan = order.lifecycle.notify if order.lifecycle and order.lifecycle.notify else NotifyPlan()
    key = app.notify_key + (WRONG_KEY_SUFFIX if plan.bad_signature else "")
    return sign_notification(_strings(form), key, plan.sign_type or app.notify_sign_type), notify_id, plan

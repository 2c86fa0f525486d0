"""What answers and notifications show of an order: its values, payment and refund fields, the
channel-shaped pay parameters, and the JSON answer built from an endpoint's response table."""

from __future__ import annotations

import base64
import functools
from collections.abc import Mapping
from datetime import datetime

from mockums.clock import BEIJING, DATE_FORMAT, format_body_time, format_time
from mockums.ledger.generate import Generator
from mockums.ledger.model import Order, Refund
from mockums.protocol.endpoints import EndpointSpec
from mockums.protocol.statuses import PAID_STATUSES
from mockums.protocol.wallets import WALLETS

_GENERATED = ("merName", "seqId", "settleRefId", "targetMid")  # generated values an answer shows as they are


def yuan(fen: int) -> str:
    """Fen as yuan with two decimals: 360 → "3.60"."""
    return f"{fen // 100}.{fen % 100:02d}"


def describe(order: Order, generator: Generator, *, close: bool = False, created: bool = False) -> dict[str, object]:
    """The order's fields as query answers and notifications show them (`close`, `created`: as the
    answer to a close or a create call shows them), each wallet value in its wallet's shape."""
    wallet = WALLETS[order.target_sys]
    generated = generator.order_values(order.mid, order.mer_order_id, wallet, order.created_at, order.seed)
    values: dict[str, object] = {key: generated[key] for key in _GENERATED}
    if order.mer_name is not None:
        values["merName"] = order.mer_name
    if close:
        target_status = wallet.close_target_status.text
    elif created:
        target_status = wallet.created_target_status.text
    else:
        target_status = wallet.target_status[order.status]
    shown = wallet.target_order_id_shown == "creation" or order.paid_at is not None
    values |= {
        "status": order.status,
        "targetStatus": target_status,
        "targetSys": order.target_sys,
        "totalAmount": order.total_amount,
        "targetOrderId": order.target_order_id if shown else None,
        "merOrderId": order.mer_order_id,
    }
    if order.paid_at is not None and order.status in PAID_STATUSES:
        values |= _payment_values(order, generator)
    if order.refunded:
        values["refundAmount"] = order.refunded
    return values


def _payment_values(order: Order, generator: Generator) -> dict[str, object]:
    amount = order.total_amount
    return {
        "buyerId": generator.wallet_id(WALLETS[order.target_sys].buyer_id.text, order.created_at, "buyer",
                                       order.mid, order.mer_order_id),
        "payTime": format_time(order.paid_at or order.created_at),
        "buyerPayAmount": amount,
        "invoiceAmount": amount,
        "receiptAmount": amount,
        "couponAmount": 0,
        "billFunds": f"现金:{amount}",
        "billFundsDesc": f"现金支付{yuan(amount)}元。",
    }


def describe_refund(order: Order, refund: Refund, generator: Generator) -> dict[str, object]:
    """The order's fields plus one refund's, as refund and refund-query answers show them."""
    values = describe(order, generator)
    values |= {
        "refundStatus": refund.status,
        "refundOrderId": refund.refund_order_id,
        "refundTargetOrderId": refund.target_order_id,
        "refundAmount": refund.amount,
        "refundFunds": f"现金:{refund.amount}",
        "refundFundsDesc": f"现金退款{yuan(refund.amount)}元。",
        "refundInvoiceAmount": refund.amount,
        "sendBackAmount": refund.amount if refund.status == "SUCCESS" else 0,
    }
    if refund.settled_at is not None:
        values["refundPayTime"] = format_time(refund.settled_at)
    return values


def pay_request(order: Order, generator: Generator, path: str, sub_app_id: str | None,
                now: float) -> dict[str, object]:
    """Channel-shaped parameters the app or mini program hands to the wallet."""
    fake = generator.faker_for("pay-request", order.mid, order.mer_order_id)
    stamp = str(int(now))
    nonce = fake.hexify("^" * 32)
    if order.target_sys == "Alipay 2.0":
        qr_code = "https://qr.alipay.com/bax0" + fake.bothify("?#?#?#?#?#?#?#?#?#?#").lower()
        return {"qrCode": qr_code, "appPayRequest": {"qrCode": qr_code, "msgType": "trade.precreate"}}
    app_id = sub_app_id or "wx" + fake.hexify("^" * 16)
    prepay_id = "wx" + datetime.fromtimestamp(now, BEIJING).strftime("%d%H%M%S") + fake.hexify("^" * 24)
    if path.endswith("unified-order"):
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


@functools.lru_cache(maxsize=4)
def _moment_texts(second: int) -> tuple[str, str]:
    """`yyyy-MM-dd HH:mm:ss` and `yyyy-MM-dd` (Beijing) for a second: formatted once per second, not per answer."""
    moment = datetime.fromtimestamp(second, BEIJING)
    return format_body_time(moment), moment.strftime(DATE_FORMAT)


# What render_answer does with each response field, decided once per endpoint rather than per answer.
_ERR_CODE, _ERR_MSG, _NOW, _TODAY, _CONSTANT, _ECHO, _VALUE = range(7)


_Plan = tuple[tuple[str, int, str, bool], ...]
_PLANS: dict[int, tuple[EndpointSpec, _Plan]] = {}  # by id: hashing a spec hashes its whole table


def _plan(spec: EndpointSpec) -> _Plan:
    """(name, what, constant, on_error) for each response field of an endpoint."""
    known = _PLANS.get(id(spec))
    if known is not None and known[0] is spec:
        return known[1]
    steps = []
    for item in spec.response:
        if item.source == "result":
            what = _ERR_CODE if item.name == "errCode" else _ERR_MSG
        else:
            what = {"now": _NOW, "today": _TODAY, "constant": _CONSTANT, "echo": _ECHO}.get(item.source, _VALUE)
        steps.append((item.name, what, item.constant, item.on_error))
    plan = tuple(steps)
    _PLANS[id(spec)] = (spec, plan)  # the spec is kept, so its id is never reused for another
    return plan


def render_answer(spec: EndpointSpec, request: Mapping[str, object], err_code: str, err_msg: str,
                  values: Mapping[str, object], full: bool, now: float) -> dict[str, object]:
    """The JSON answer, field by field from the endpoint's response table.

    `full` is False for an error with no order to describe: only the fields marked `on_error` appear.
    """
    now_text, today_text = _moment_texts(int(now))
    answer: dict[str, object] = {}
    for name, what, constant, on_error in _plan(spec):
        if not (full or on_error):
            continue
        value: object
        if what == _VALUE:
            value = values.get(name)
        elif what == _ECHO:  # as sent; the order's own value when the request did not name it
            value = request.get(name, values.get(name))
        elif what == _ERR_CODE:
            value = err_code
        elif what == _ERR_MSG:
            value = err_msg
        elif what == _NOW:
            value = now_text
        elif what == _TODAY:
            value = today_text
        else:
            value = constant
        if value is not None:
            answer[name] = value
    return answer

"""What answers and notifications show of a netpay-family order: its values, in its wallet's shapes, and
its payment and refund fields."""

from __future__ import annotations

from mockums.clock import format_time
from mockums.ledger.generate import Generator
from mockums.ledger.model import Order, Refund
from mockums.protocol.statuses import PAID_STATUSES
from mockums.protocol.wallets import WALLETS


def yuan(fen: int) -> str:
    """Fen as yuan with two decimals: 360 → "3.60"."""
    return f"{fen // 100}.{fen % 100:02d}"


def describe(order: Order, generator: Generator, *, close: bool = False, created: bool = False) -> dict[str, object]:
    """The order's fields as query answers and notifications show them (`close`, `created`: as the
    answer to a close or a create call shows them), each wallet value in its wallet's shape."""
    wallet = WALLETS[order.target_sys]
    generated = generator.order_values(order.mid, order.mer_order_id, wallet, order.created_at, order.seed)
    if close:
        target_status = wallet.close_target_status.text
    elif created:
        target_status = wallet.created_target_status.text
    else:
        target_status = wallet.target_status[order.status]
    shown = wallet.target_order_id_shown == "creation" or order.paid_at is not None
    values: dict[str, object] = {
        "merName": generated["merName"] if order.mer_name is None else order.mer_name,
        "seqId": generated["seqId"],
        "settleRefId": generated["settleRefId"],
        "targetMid": generated["targetMid"],
        "status": order.status,
        "targetStatus": target_status,
        "targetSys": order.target_sys,
        "totalAmount": order.total_amount,
        "targetOrderId": order.target_order_id if shown else None,
        "merOrderId": order.mer_order_id,
    }
    if order.paid_at is not None and order.status in PAID_STATUSES:
        values |= _payment_values(order, generator)
    refunded = order.refunded
    if refunded:
        values["refundAmount"] = refunded
    if order.secure_status is not None:  # a 担保 (guarantee) order
        values["secureStatus"] = order.secure_status
        values["completeAmount"] = order.completed_amount
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

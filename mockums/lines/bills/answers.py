"""What answers and notifications show of a QR code and its bill: the bill fields, `billPayment` (an
object in answers, a JSON string in notifications), and the values each bills endpoint answers."""

from __future__ import annotations

from collections.abc import Sequence

from mockums.clock import format_time
from mockums.ledger.generate import Generator
from mockums.ledger.model import Order, Refund
from mockums.lines.bills.model import Bill, QrCode
from mockums.lines.netpay.answers import describe, describe_refund, yuan
from mockums.protocol.statuses import PAID_STATUSES, TRADE_CLOSED, TRADE_REFUND


def bill_payment(order: Order, generator: Generator) -> dict[str, object]:
    """A payment as `billPayment` shows it, keys in the order of a real notification (N2022, N2020)."""
    values = describe(order, generator)
    amount = order.total_amount
    pay_time = values.get("payTime")
    payment: dict[str, object | None] = {
        "payTime": pay_time,
        "paySeqId": values.get("seqId"),
        "invoiceAmount": amount,
        "settleDate": str(pay_time)[:10] if pay_time else None,
        "buyerId": values.get("buyerId"),
        "receiptAmount": amount,
        "totalAmount": amount,
        "billBizType": "bills",
        "buyerPayAmount": amount,
        "targetOrderId": values.get("targetOrderId"),
        "merOrderId": order.mer_order_id,
        "status": order.status,
        "targetSys": order.target_sys,
    }
    if order.target_sys == "Alipay 2.0" and pay_time:  # Alipay adds these (N2020)
        fake = generator.faker_for("buyer-name", order.mid, order.mer_order_id)
        payment |= {"buyerUsername": fake.numerify("1##****####"), "couponAmount": 0,
                    "payDetail": f"支付宝余额支付{yuan(amount)}元。"}
    return {key: value for key, value in payment.items() if value is not None}


def refund_bill_payment(order: Order, refund: Refund, generator: Generator) -> dict[str, object]:
    """One refund in the billPayment shape (`refundBillPayment`; ours: its fields are not documented)."""
    values = describe_refund(order, refund, generator)
    shown: dict[str, object | None] = {
        "payTime": values.get("refundPayTime"),
        "paySeqId": values.get("seqId"),
        "totalAmount": refund.amount,
        "billBizType": "bills",
        "targetOrderId": refund.target_order_id,
        "merOrderId": refund.refund_order_id,
        "status": TRADE_REFUND if refund.status == "SUCCESS" else refund.status,
        "targetSys": order.target_sys,
    }
    return {key: value for key, value in shown.items() if value is not None}


def paid_payment(payments: Sequence[Order]) -> Order | None:
    """The bill's successful payment (the latest when there are two)."""
    paid = [order for order in payments if order.status in PAID_STATUSES and order.paid_at is not None]
    return paid[-1] if paid else None


def bill_status(code: QrCode, bill: Bill | None, payments: Sequence[Order], now: float) -> str:
    """billStatus: PAID or REFUND once paid (REFUND after any refund, like TRADE_REFUND), CLOSED when the
    code was closed or expired unpaid, else UNPAID."""
    paid = paid_payment(payments)
    if paid is not None:
        return "REFUND" if any(order.status == TRADE_REFUND for order in payments) else "PAID"
    if bill is None:
        return "UNPAID" if code.open_at(now) else "CLOSED"
    if bill.closed or not code.open_at(now) or (payments and all(o.status == TRADE_CLOSED for o in payments)):
        return "CLOSED"
    return "UNPAID"


def code_values(code: QrCode, bill: Bill | None, status: str) -> dict[str, object]:
    """What get-qrcode, update-qrcode and query-qrcode-info answer about a code."""
    values: dict[str, object] = {"qrCodeId": code.qr_code_id, "billQRCode": code.url, "qrCodeType": code.kind,
                                 "merName": code.merchant, "billStatus": status}
    if bill is not None:
        values |= {"billNo": bill.bill_no, "billDate": bill.bill_date, "totalAmount": bill.total_amount}
        if bill.bill_desc:
            values["billDesc"] = bill.bill_desc
    elif code.amount is not None:
        values["totalAmount"] = code.amount
    if code.bill_desc and "billDesc" not in values:
        values["billDesc"] = code.bill_desc
    return values


def bill_values(code: QrCode, bill: Bill, payments: Sequence[Order], status: str,
                generator: Generator) -> dict[str, object]:
    """What bills/query answers: the bill, and its successful payment as an object."""
    values = code_values(code, bill, status)
    values |= {"createTime": format_time(bill.created_at)}
    for name, value in (("memberId", code.member_id), ("counterNo", code.counter_no)):
        if value:
            values[name] = value
    paid = paid_payment(payments)
    if paid is not None:
        values |= {"billPayment": bill_payment(paid, generator), "cardAttr": "BALANCE"}
    return values

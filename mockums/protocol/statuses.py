"""Order and refund statuses, and what each wallet reports for them: stated once, used everywhere."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

Channel = Literal["WXPay", "Alipay 2.0", "UAC"]  # UAC: UnionPay 云闪付 through 全渠道 (the H5 uac/order path)

ORDER_STATUSES: tuple[str, ...] = (
    "NEW_ORDER",
    "WAIT_BUYER_PAY",
    "TRADE_SUCCESS",
    "TRADE_REFUND",
    "TRADE_CLOSED",
    "UNKNOWN",
)
OPEN_STATUSES = ("NEW_ORDER", "WAIT_BUYER_PAY")  # the customer may still pay
PAID_STATUSES = ("TRADE_SUCCESS", "TRADE_REFUND")  # paid, possibly refunded in part
CLOSED_STATUS = "TRADE_CLOSED"
REFUND_STATUSES: tuple[str, ...] = ("SUCCESS", "PROCESSING", "FAIL")


def initial_status(channel: Channel) -> str:
    """The status of an order just created: Alipay knows no trade yet (NEW_ORDER); WeChat waits."""
    return "NEW_ORDER" if channel == "Alipay 2.0" else "WAIT_BUYER_PAY"


# What the wallet reports for each order status, as the `targetStatus` field shows it. The
# unpaid-Alipay value is from a real fixture; the others follow the same `code|state` shape (ours).
TARGET_STATUS: Mapping[str, Mapping[str, str]] = {
    "WXPay": {
        "NEW_ORDER": "SUCCESS|NOTPAY",
        "WAIT_BUYER_PAY": "SUCCESS|NOTPAY",
        "TRADE_SUCCESS": "SUCCESS|SUCCESS",
        "TRADE_REFUND": "SUCCESS|REFUND",
        "TRADE_CLOSED": "SUCCESS|CLOSED",
        "UNKNOWN": "SUCCESS|UNKNOWN",
    },
    "UAC": {  # ours: no UnionPay targetStatus has been seen; the code|state shape with UnionPay's 00
        "NEW_ORDER": "00|NOTPAY",
        "WAIT_BUYER_PAY": "00|NOTPAY",
        "TRADE_SUCCESS": "00|SUCCESS",
        "TRADE_REFUND": "00|REFUND",
        "TRADE_CLOSED": "00|CLOSED",
        "UNKNOWN": "00|UNKNOWN",
    },
    "Alipay 2.0": {
        "NEW_ORDER": "40004|ACQ.TRADE_NOT_EXIST",
        "WAIT_BUYER_PAY": "10000|WAIT_BUYER_PAY",
        "TRADE_SUCCESS": "10000|TRADE_SUCCESS",
        "TRADE_REFUND": "10000|TRADE_SUCCESS",
        "TRADE_CLOSED": "10000|TRADE_CLOSED",
        "UNKNOWN": "10000|UNKNOWN",
    },
}
CLOSE_TARGET_STATUS = "SUCCESS|SUCCESS"  # a close answer reports the wallet's close call, not the order

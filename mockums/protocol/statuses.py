"""Order and refund statuses, stated once, used everywhere."""

from __future__ import annotations

from typing import Literal

# The wallets behind an endpoint (protocol/wallets.py): UAC is UnionPay 云闪付 through 全渠道 (the uac/ paths), ACP
# UnionPay's 全渠道 card payments (acp/js-pay, Apple Pay), QMF ChinaUMS' own 全民付 app (qmf/order).
Channel = Literal["WXPay", "Alipay 2.0", "UAC", "ACP", "QMF"]

NEW_ORDER = "NEW_ORDER"  # created; the wallet knows no trade yet (Alipay)
WAIT_BUYER_PAY = "WAIT_BUYER_PAY"  # created; waiting for the customer
TRADE_SUCCESS = "TRADE_SUCCESS"  # paid
TRADE_REFUND = "TRADE_REFUND"  # paid, then refunded in part or in full
TRADE_CLOSED = "TRADE_CLOSED"  # closed (or expired) unpaid
UNKNOWN = "UNKNOWN"
ORDER_STATUSES: tuple[str, ...] = (NEW_ORDER, WAIT_BUYER_PAY, TRADE_SUCCESS, TRADE_REFUND, TRADE_CLOSED, UNKNOWN)
OPEN_STATUSES = (NEW_ORDER, WAIT_BUYER_PAY)  # the customer may still pay
PAID_STATUSES = (TRADE_SUCCESS, TRADE_REFUND)  # paid, possibly refunded in part
REFUND_STATUSES: tuple[str, ...] = ("SUCCESS", "PROCESSING", "FAIL")  # what a refund can turn out as here
REFUND_STATUS_VALUES: tuple[str, ...] = (*REFUND_STATUSES, "UNKNOWN")  # what refundStatus may say (the table)
# What each wallet reports for these statuses (targetStatus), and its other values: protocol/wallets.py.

# 担保 (guarantee) orders: paid and held until the merchant completes (part of) them or cancels them.
UNCOMPLETED = "UNCOMPLETED"  # paid or not, neither completed nor cancelled yet
PARTLY_COMPLETED = "PARTLY_COMPLETED"  # completed for part of the amount, the rest returned to the buyer
ALL_COMPLETED = "ALL_COMPLETED"  # completed for the whole amount
CANCELED = "CANCELED"  # cancelled (by the merchant, or 30 days after payment): everything returned
SECURE_STATUSES: tuple[str, ...] = (UNCOMPLETED, PARTLY_COMPLETED, ALL_COMPLETED, CANCELED)

"""What each wallet behind the gateway looks like in answers and notifications: `targetSys`, the
shapes of the ids it issues, and the `targetStatus` it reports. One table; the ledger generates every
wallet value from it and the README's table is generated from it too.

Id shapes are small templates: `#` is a digit, `@` a letter or digit, `{date}` the order's Beijing date
as yyyyMMdd; anything else stands for itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from mockums.protocol.statuses import (
    NEW_ORDER,
    TRADE_CLOSED,
    TRADE_REFUND,
    TRADE_SUCCESS,
    UNKNOWN,
    WAIT_BUYER_PAY,
)

Shown = Literal["creation", "payment"]


@dataclass(frozen=True)
class Value:
    """One wallet value: its shape (an id template) or text, and where that comes from."""

    text: str
    evidence: str = "ours"


@dataclass(frozen=True)
class Wallet:
    """One wallet (the `targetSys` behind an order) and everything answers show of it."""

    target_sys: str
    initial_status: str  # the order's status just after creation
    target_order_id: Value  # the wallet's trade id (WeChat transaction_id, Alipay trade_no)
    target_order_id_shown: Shown  # from when answers show targetOrderId
    refund_target_order_id: Value | None  # None: a refund reports the trade's own targetOrderId
    buyer_id: Value
    target_mid: Value  # the merchant's id at the wallet
    created_target_status: Value  # targetStatus in the answer to a create call
    target_status: Mapping[str, str]  # targetStatus for each order status, in queries and notifications
    target_status_evidence: str
    close_target_status: Value  # targetStatus in the answer to a close that went through
    # The errMsg (a protocol.business_errors SITUATIONS name) of a SUCCESS query while the wallet knows
    # no trade yet (status NEW_ORDER).
    unpaid_query_situation: str | None = None


# UnionPay 云闪付 through 全渠道 (the uac/ paths): nothing of it has been seen.
UAC = Wallet(
    target_sys="UAC",
    initial_status=WAIT_BUYER_PAY,
    target_order_id=Value("{date}####################", "ours: a UnionPay queryId-like number"),
    target_order_id_shown="payment",
    refund_target_order_id=None,
    buyer_id=Value("####################", "ours"),
    target_mid=Value("###############", "ours"),
    created_target_status=Value("00|NOTPAY", "ours: UnionPay's 00 in the code|state shape"),
    target_status={
        NEW_ORDER: "00|NOTPAY",
        WAIT_BUYER_PAY: "00|NOTPAY",
        TRADE_SUCCESS: "00|SUCCESS",
        TRADE_REFUND: "00|REFUND",
        TRADE_CLOSED: "00|CLOSED",
        UNKNOWN: "00|UNKNOWN",
    },
    target_status_evidence="ours: no UnionPay targetStatus has been seen",
    close_target_status=Value("00|SUCCESS"),
)


def _unionpay_like(target_sys: str, who: str) -> Wallet:
    """A wallet of which nothing has been seen, given UnionPay's shapes (the UAC wallet's): every value ours."""
    return Wallet(
        target_sys=target_sys,
        initial_status=WAIT_BUYER_PAY,
        target_order_id=UAC.target_order_id,
        target_order_id_shown="payment",
        refund_target_order_id=None,
        buyer_id=UAC.buyer_id,
        target_mid=UAC.target_mid,
        created_target_status=UAC.created_target_status,
        target_status=UAC.target_status,
        target_status_evidence=f"ours: no {who} targetStatus has been seen; UnionPay's shapes",
        close_target_status=UAC.close_target_status,
    )


WALLETS: Mapping[str, Wallet] = {
    "WXPay": Wallet(
        target_sys="WXPay",
        initial_status=WAIT_BUYER_PAY,
        target_order_id=Value("4200001###{date}##########",
                              "single source: a real notification's 4200001471202206211141496123"),
        target_order_id_shown="creation",
        refund_target_order_id=Value("503##########################"),
        buyer_id=Value("o" + "@" * 27, "single source: a real notification's openid o8wNP0RtDiUq4NzMZyAGK5psp6hs"),
        target_mid=Value("#########", "single source: the API page's example 556266114"),
        created_target_status=Value("SUCCESS|SUCCESS", "confirmed: the mini-program document's example and a "
                                    "published JS client that checks for it"),
        target_status={
            NEW_ORDER: "SUCCESS|NOTPAY",
            WAIT_BUYER_PAY: "SUCCESS|NOTPAY",
            TRADE_SUCCESS: "SUCCESS|SUCCESS",
            TRADE_REFUND: "SUCCESS|REFUND",
            TRADE_CLOSED: "SUCCESS|CLOSED",
            UNKNOWN: "SUCCESS|UNKNOWN",
        },
        target_status_evidence="ours: WeChat's trade_state in the code|state shape",
        close_target_status=Value("SUCCESS|SUCCESS", "single source: the API page's close example"),
    ),
    "Alipay 2.0": Wallet(
        target_sys="Alipay 2.0",
        initial_status=NEW_ORDER,
        target_order_id=Value("{date}2200################", "ours: Alipay's 28-digit trade_no"),
        target_order_id_shown="payment",
        refund_target_order_id=None,
        buyer_id=Value("2088############", "ours: Alipay's 16-digit user id"),
        target_mid=Value("2088############", "single source: a real create answer's 2088510029762068"),
        created_target_status=Value("10000", "confirmed: a real precreate answer and the APP document's example"),
        target_status={
            NEW_ORDER: "40004|ACQ.TRADE_NOT_EXIST",
            WAIT_BUYER_PAY: "10000|WAIT_BUYER_PAY",
            TRADE_SUCCESS: "10000|TRADE_SUCCESS",
            TRADE_REFUND: "10000|TRADE_SUCCESS",
            TRADE_CLOSED: "10000|TRADE_CLOSED",
            UNKNOWN: "10000|UNKNOWN",
        },
        target_status_evidence="NEW_ORDER: single source, a real query answer; the others ours",
        close_target_status=Value("10000"),
        unpaid_query_situation="alipay_not_paid",
    ),
    "UAC": UAC,
    # UnionPay 全渠道 card payments: the 公众号 acp/js-pay and Apple Pay (which UnionPay carries in China).
    "ACP": _unionpay_like("ACP", "ACP"),
    # ChinaUMS' own 全民付 app (qmf/order).
    "QMF": _unionpay_like("QMF", "全民付"),
}


# The wallets mockums models, then the other target systems the evidence names (protocol-evidence §4,
# §8.4: the platform lists 16, of which these are known by name): what `targetSys` may say.
_OTHER_SYSTEMS = ("UnionPay", "UAC", "ACP", "QMF", "QmfWebPay", "NetPayGtwy", "BestPay")
TARGET_SYSTEMS: tuple[str, ...] = (*WALLETS, *(name for name in _OTHER_SYSTEMS if name not in WALLETS))

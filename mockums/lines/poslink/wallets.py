"""The wallet a customer's payment code belongs to, read from its prefix and length, and what POS-link answers say of
that wallet: `thirdPartyName`, the wallet system behind the payment (`targetSys`, whose id shapes the ids follow) and
the `chnlType`.

Prefixes are the wallets' published ones (WeChat 10-15 and 18 digits, Alipay 25-30 and 16-24 digits, UnionPay 62 and
19 digits); `微信钱包` is seen in real answers [C: MACZ README, a PHP client's kept answer]; the other names are ours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class PosWallet:
    """One wallet as POS link shows it."""

    key: str  # wechat, alipay, unionpay
    pattern: str  # the payment codes it issues (a full match)
    third_party_name: str
    target_sys: str  # mockums.protocol.wallets: whose id shapes thirdPartyOrderId and thirdPartyBuyerId take
    channel_type: str  # chnlType
    evidence: str

    def issued(self, pay_code: str) -> bool:
        """Whether this wallet issues `pay_code`."""
        return re.fullmatch(self.pattern, pay_code) is not None


POS_WALLETS: tuple[PosWallet, ...] = (
    PosWallet("wechat", r"1[0-5]\d{16}", "微信钱包", "WXPay", "WXPay", "observed: 微信钱包 and chnlType WXPay"),
    PosWallet("alipay", r"(2[5-9]|30)\d{14,22}", "支付宝钱包", "Alipay 2.0", "AliPay", "ours"),
    PosWallet("unionpay", r"62\d{17}", "银联二维码", "UAC", "UnionPay", "ours"),
)
SAMPLE_PAY_CODE = "134601952390095542"  # a WeChat code, as a PHP client's kept answer shows one


def wallet_of(pay_code: str) -> PosWallet | None:
    """The wallet that issued `pay_code`; None when no wallet's prefix and length fit."""
    return next((wallet for wallet in POS_WALLETS if wallet.issued(pay_code)), None)


def wallet_named(target_sys: str) -> PosWallet:
    """The wallet behind a payment's targetSys (WeChat for one made otherwise: a scenario's implied payment)."""
    return next((wallet for wallet in POS_WALLETS if wallet.target_sys == target_sys), POS_WALLETS[0])

"""The pay parameters a create call answers: what the app or mini program hands to its wallet, in that
wallet's shape. Which shape each create endpoint answers is stated once, in `PAY_REQUESTS`."""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from mockums.clock import BEIJING
from mockums.ledger.generate import Generator
from mockums.ledger.model import Order

if TYPE_CHECKING:  # the Faker is the generator's (ledger.generate imports Faker when it makes one)
    from faker import Faker

PayRequest = Callable[[Order, Generator, "str | None", float, str], dict[str, object]]


def _drawn(order: Order, generator: Generator) -> Faker:
    """The order's Faker, past the nonce every wallet's parameters draw first (so each value stays what a
    seed gave in earlier versions)."""
    fake = generator.faker_for("pay-request", order.mid, order.mer_order_id)
    fake.hexify("^" * 32)
    return fake


def _wechat(order: Order, generator: Generator, sub_app_id: str | None, now: float) -> tuple[Faker, str, str, str]:
    """The Faker after what both WeChat shapes draw, the nonce, the appId and the prepay id."""
    fake = generator.faker_for("pay-request", order.mid, order.mer_order_id)
    nonce = fake.hexify("^" * 32)
    app_id = sub_app_id or "wx" + fake.hexify("^" * 16)
    prepay_id = "wx" + datetime.fromtimestamp(now, BEIJING).strftime("%d%H%M%S") + fake.hexify("^" * 24)
    return fake, nonce, app_id, prepay_id


def alipay_qr(order: Order, generator: Generator, sub_app_id: str | None, now: float,
        base_url: str) -> dict[str, object]:
    """Alipay: the trade's QR code (`qrCode`), also inside `appPayRequest`."""
    qr_code = "https://qr.alipay.com/bax0" + _drawn(order, generator).bothify("?#?#?#?#?#?#?#?#?#?#").lower()
    return {"qrCode": qr_code, "appPayRequest": {"qrCode": qr_code, "msgType": "trade.precreate"}}


def wechat_app(order: Order, generator: Generator, sub_app_id: str | None, now: float,
        base_url: str) -> dict[str, object]:
    """WeChat, jump to mini program: `appPayRequest` with APP-style keys (unconfirmed content)."""
    fake, nonce, app_id, prepay_id = _wechat(order, generator, sub_app_id, now)
    return {"appPayRequest": {"appid": app_id, "partnerid": fake.numerify("16########"), "prepayid": prepay_id,
                              "package": "Sign=WXPay", "noncestr": nonce, "timestamp": str(int(now)),
                              "sign": fake.hexify("^" * 32).upper()}}


def wechat_mini(order: Order, generator: Generator, sub_app_id: str | None, now: float,
        base_url: str) -> dict[str, object]:
    """WeChat mini program: `miniPayRequest`, the wx.requestPayment parameters."""
    fake, nonce, app_id, prepay_id = _wechat(order, generator, sub_app_id, now)
    return {"miniPayRequest": {"appId": app_id, "timeStamp": str(int(now)), "nonceStr": nonce,
                               "package": f"prepay_id={prepay_id}", "signType": "RSA",
                               "paySign": base64.b64encode(fake.binary(256)).decode()}}


def alipay_trade(order: Order, generator: Generator, sub_app_id: str | None, now: float,
        base_url: str) -> dict[str, object]:
    """Alipay mini program or 服务窗: the Alipay trade number my.tradePay takes, as `targetOrderId` (the order's
    own, which queries show once paid; inferred from a client's comment, no answer has been seen)."""
    return {"targetOrderId": order.target_order_id}


def _tn(order: Order, generator: Generator, now: float) -> str:
    """A UnionPay transaction number (tn): the order's Beijing time and 7 digits, 21 in all (ours)."""
    return datetime.fromtimestamp(now, BEIJING).strftime("%Y%m%d%H%M%S") + _drawn(order, generator).numerify("#" * 7)


def unionpay_app(order: Order, generator: Generator, sub_app_id: str | None, now: float,
        base_url: str) -> dict[str, object]:
    """云闪付, 全民付 and Apple Pay APP orders: `appPayRequest` with the tn the wallet's SDK starts from (ours)."""
    return {"appPayRequest": {"tn": _tn(order, generator, now)}}


def unionpay_mini(order: Order, generator: Generator, sub_app_id: str | None, now: float,
        base_url: str) -> dict[str, object]:
    """云闪付 mini program: `miniPayRequest` with the tn (ours)."""
    return {"miniPayRequest": {"tn": _tn(order, generator, now)}}


def unionpay_page(order: Order, generator: Generator, sub_app_id: str | None, now: float,
        base_url: str) -> dict[str, object]:
    """UnionPay 公众号: the page the buyer's browser opens to pay, as `redirectUrl` (a published client reads the
    field; the address is ours, on the sandbox, so that no browser under test is sent to the gateway's host; no
    page is served there yet)."""
    return {"redirectUrl": f"{base_url}/netpay-portal/acp/jsPay.do?tn={_tn(order, generator, now)}"}


PAY_REQUESTS: Mapping[str, PayRequest] = {
    "/v1/netpay/wx/app-pre-order": wechat_app,
    "/v1/netpay/trade/app-pre-order": alipay_qr,
    "/v1/netpay/wx/unified-order": wechat_mini,
    "/v1/netpay/trade/precreate": alipay_qr,
    "/v1/netpay/uac/app-order": unionpay_app,
    "/v1/netpay/trade/create": alipay_trade,
    "/v1/netpay/uac/mini-order": unionpay_mini,
    "/v1/netpay/wx/mini-pre-order": wechat_mini,
    "/v1/netpay/qmf/order": unionpay_app,
    "/v1/netpay/applepay/order": unionpay_app,
    "/v1/netpay/acp/js-pay": unionpay_page,
}
"""The pay parameters each create endpoint answers (a create without an entry answers none)."""

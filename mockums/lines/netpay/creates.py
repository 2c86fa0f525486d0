"""The other netpay create calls, as data: Alipay's precreate and create, UnionPay 云闪付's APP and mini-program
orders, the UnionPay-routed WeChat mini-program order, 全民付, Apple Pay and UnionPay 公众号, and the query
variant one client calls. Each is the netpay create (common fields, amount, notifyUrl…) with its own wallet,
business types, trade types and pay parameters (`pay_requests.PAY_REQUESTS`).

Sources (shared client-coverage §2.1, protocol-evidence §4 and §11): the paths are called by published
clients (precreate by six, uac/app-order by five, trade/create by four and ChinaUMS' own demo…); the trade
types are the ones the official demo and most clients send (others, sent by some clients, are accepted
deviations in lenient mode: `deviations.py`); `userId` is required for Alipay and `merchantUserId` and `mobile`
for 全民付 (the official demo's comments, the APP document). No answer of these calls has been published
but precreate's: every other pay parameter is ours.
"""

from __future__ import annotations

from mockums.lines.netpay.common import ALL_INST_MIDS, common_fields
from mockums.lines.netpay.endpoints import (
    CREATE_ALIPAY_RESPONSE,
    CREATE_APP_RESPONSE,
    CREATE_MINI_RESPONSE,
    CREATE_REDIRECT_RESPONSE,
    CREATE_TRADE_RESPONSE,
    QUERY_RESPONSE,
    TARGET_ORDER_ID,
    order_fields,
)
from mockums.protocol.fields import FieldRule
from mockums.protocol.spec import Channel, EndpointSpec, ResponseField

__all__ = ["OTHER_CREATE_SPECS"]

_USER_ID = FieldRule("userId", "string", True, "支付宝买家用户ID (支付宝必传: the official demo)", "2088102123456789",
                     max_length=64)
_MERCHANT_USER_ID = FieldRule("merchantUserId", "string", True, "商户用户号 (全民付必传)", "1234567", max_length=32)
_MOBILE = FieldRule("mobile", "string", True, "手机号 (全民付必传)", "13800138000", max_length=11)
_INVOKE_SCENE = FieldRule("invokeScene", "string", False, "调起场景 (clients send 03)", "03", max_length=2)


def _create(path: str, title: str, summary: str, channel: Channel, inst_mids: tuple[str, ...],
            trade_types: tuple[str, ...], response: tuple[ResponseField, ...], *extra: FieldRule,
            wechat: bool = False) -> EndpointSpec:
    """A create call: the common fields, the order's (its trade type optional: clients leave it out), `extra`."""
    fields = order_fields(trade_types, trade_type_required=False, wechat=wechat)
    return EndpointSpec(path, title, summary, "create", channel, (*common_fields(inst_mids), *fields, *extra),
                        response)


_APP, _MINI, _JS = ("APPDEFAULT",), ("MINIDEFAULT",), ("YUEDANDEFAULT",)

OTHER_CREATE_SPECS = (
    _create("/v1/netpay/trade/precreate", "支付宝APP下单",
            "Create an Alipay APP order: the trade's QR code, which the app hands to Alipay.",
            "Alipay 2.0", _APP, ("APP",), CREATE_ALIPAY_RESPONSE),
    _create("/v1/netpay/uac/app-order", "云闪付APP下单",
            "Create a UnionPay 云闪付 APP order: the tn the app hands to the UnionPay SDK (ours).",
            "UAC", _APP, ("APP",), CREATE_APP_RESPONSE),
    _create("/v1/netpay/trade/create", "支付宝小程序/服务窗下单",
            "Create an Alipay mini-program or 服务窗 order for a known buyer (userId): the Alipay trade number "
            "(targetOrderId) that my.tradePay takes.",
            "Alipay 2.0", (*_MINI, *_JS), ("MINI",), CREATE_TRADE_RESPONSE, _USER_ID),
    _create("/v1/netpay/uac/mini-order", "云闪付小程序下单",
            "Create a UnionPay 云闪付 mini-program order: miniPayRequest with the tn (ours).",
            "UAC", _MINI, ("MINI",), CREATE_MINI_RESPONSE, wechat=True),
    _create("/v1/netpay/wx/mini-pre-order", "微信小程序下单(银联)",
            "Create a WeChat mini-program order through UnionPay: miniPayRequest for wx.requestPayment.",
            "WXPay", _MINI, ("UP_WX_MINI",), CREATE_MINI_RESPONSE, _INVOKE_SCENE, wechat=True),
    _create("/v1/netpay/qmf/order", "全民付APP下单",
            "Create a 全民付 APP order for a known user (merchantUserId, mobile): the tn (ours).",
            "QMF", _APP, ("APP",), CREATE_APP_RESPONSE, _MERCHANT_USER_ID, _MOBILE),
    _create("/v1/netpay/applepay/order", "Apple Pay下单",
            "Create an Apple Pay APP order (carried by UnionPay): the tn the app hands to the Apple Pay SDK (ours).",
            "ACP", _APP, ("APP",), CREATE_APP_RESPONSE),
    _create("/v1/netpay/acp/js-pay", "银联公众号下单",
            "Create a UnionPay 公众号 order: the page the buyer's browser opens to pay (redirectUrl, ours).",
            "ACP", _JS, ("JSAPI",), CREATE_REDIRECT_RESPONSE),
    EndpointSpec(
        "/v1/netpay/order-query",
        "订单查询(order-query)",
        "Query any order by merOrderId or targetOrderId: the path one published client calls, answered as "
        "/v1/netpay/query (ours).",
        "query",
        None,
        (*common_fields(ALL_INST_MIDS, order_id_required=False), TARGET_ORDER_ID),
        QUERY_RESPONSE,
        one_of=("merOrderId", "targetOrderId"),
    ),
)

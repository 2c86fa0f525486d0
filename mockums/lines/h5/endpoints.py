"""The H5 endpoints (protocol-evidence §3, §9): a GET with OPEN-FORM-PARAM whose `content` is the order,
answered with HTTP 302 to the platform's cashier, never with a JSON body.

Sources: the H5 payment document's content table (DOC-H5, through a public digest); four create paths
observed answering 302 on the real sandbox (panda_v2, 2026); the 302 `Location` of Alipay H5 captured
twice (2022, 2024); `/v1/netpay/webpay/pay` from the 公众号 document and a PHP client.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from mockums.lines.netpay.common import HEAD, common_fields
from mockums.protocol.fields import FieldRule
from mockums.protocol.spec import Channel, EndpointSpec, response_field

SCENE_TYPES = ("IOS_SDK", "AND_SDK", "IOS_WAP", "AND_WAP")
PORTAL_MSG_SRC = "OPENPLATFORM"  # the msgSrc every captured H5 Location carries


@dataclass(frozen=True)
class Portal:
    """Where an H5 order's browser is sent: the cashier page's path and the msgType its link carries."""

    path: str  # under the cashier's host, e.g. /netpay-portal/alipay2/h5Pay.do
    msg_type: str
    evidence: str  # "observed" when a real Location showed it, else "ours"


def _gateway_read(rule: FieldRule) -> FieldRule:
    """The content's requestTimestamp is read by the gateway itself: an unreadable one answered `412 1000
    Timestamp解析失败` on the real sandbox (protocol-evidence §2: the two timestamps mixed up)."""
    return replace(rule, gateway_parsed=True) if rule.name == "requestTimestamp" else rule


def _content(inst_mid: str, *, wechat_scene: bool = False, unionpay: bool = False) -> tuple[FieldRule, ...]:
    fields = [
        *map(_gateway_read, common_fields((inst_mid,))),
        FieldRule("totalAmount", "amount", True, "支付总金额, 单位分", "360"),
        FieldRule("notifyUrl", "string", False, "支付结果通知地址 (form-encoded POST, signed)",
                  "http://127.0.0.1:9000/notify", max_length=255),
        FieldRule("returnUrl", "string", False, "网页跳转地址: the browser comes back here, with the signed result",
                  "http://127.0.0.1:9000/paid", max_length=255),
        FieldRule("orderDesc", "string", False, "账单描述", "测试订单", max_length=255),
        FieldRule("attachedData", "string", False, "商户附加数据, 通知时原样返回", "", max_length=255),
        FieldRule("expireTime", "body_time", False, "订单过期时间 (默认30分钟后)", "2022-04-15 10:19:59"),
        FieldRule("goodsTag", "string", False, "商品标记", "", max_length=32),
        FieldRule("originalAmount", "amount", False, "订单原始金额, 单位分", ""),
        FieldRule("systemId", "string", False, "系统ID", "", max_length=32),
        FieldRule("secureTransaction", "flag", False, "担保交易", ""),
        FieldRule("divisionFlag", "flag", False, "分账标记", ""),
        FieldRule("limitCreditCard", "flag", False, "是否限制信用卡", ""),
        FieldRule("sceneType", "string", wechat_scene, "场景类型 (WeChat H5)", "AND_WAP", max_length=16,
                  choices=SCENE_TYPES),
        FieldRule("merAppName", "string", wechat_scene, "网站或应用名称 (WeChat H5)", "mockums shop", max_length=64),
        FieldRule("merAppId", "string", wechat_scene, "网站首页或应用包名 (WeChat H5)", "http://127.0.0.1:9000",
                  max_length=128),
    ]
    if unionpay:
        fields.append(FieldRule("bankCardNo", "string", False, "银行卡号 (Base64)", "", max_length=19))
    return tuple(fields)


# A business error is the only JSON an H5 path ever answers (ours: the real answer to a bad content has
# not been seen); success is the redirect.
H5_ERROR_RESPONSE = (
    *HEAD,
    response_field("srcReserve", "string", "请求系统预留字段", "C20220119000001", "echo", on_error=True),
    response_field("merOrderId", "string", "商户订单号", "346E202307151017581097208712", "echo", on_error=True),
)

_PORTAL = "/netpay-portal"


def _h5(path: str, title: str, summary: str, channel: Channel | None, portal: Portal,
        request: tuple[FieldRule, ...]) -> tuple[EndpointSpec, Portal]:
    note = (f"Success: HTTP 302, `Location: <base>{portal.path}?<content fields>&openAppId=…&msgSrc={PORTAL_MSG_SRC}"
            f"&msgType={portal.msg_type}&sign=…` (path and msgType {portal.evidence}), no body.")
    spec = EndpointSpec(path, title, summary, "create", channel, request, H5_ERROR_RESPONSE, method="GET", note=note)
    return spec, portal


_H5 = (
    _h5("/v1/netpay/trade/h5-pay", "支付宝H5支付",
        "Create an Alipay H5 order: HTTP 302 to the cashier page (observed).", "Alipay 2.0",
        Portal(f"{_PORTAL}/alipay2/h5Pay.do", "trade.h5Pay", "observed"), _content("H5DEFAULT")),
    _h5("/v1/netpay/wxpay/h5-pay", "微信H5支付",
        "Create a WeChat H5 order (sceneType, merAppName and merAppId required): HTTP 302 to the cashier page.",
        "WXPay", Portal(f"{_PORTAL}/wxpay/h5Pay.do", "WXPay.h5Pay", "ours"),
        _content("H5DEFAULT", wechat_scene=True)),
    _h5("/v1/netpay/wxpay/h5-to-minipay", "微信H5转小程序支付",
        "Create a WeChat H5 order paid in a mini program: HTTP 302 to the cashier page.", "WXPay",
        Portal(f"{_PORTAL}/wxpay/h5ToMiniPay.do", "WXPay.h5ToMiniPay", "ours"), _content("H5DEFAULT")),
    _h5("/v1/netpay/uac/order", "银联云闪付H5支付",
        "Create a UnionPay (云闪付) H5 order: HTTP 302 to the cashier page.", "UAC",
        Portal(f"{_PORTAL}/uac/h5Pay.do", "uac.order", "ours"), _content("H5DEFAULT", unionpay=True)),
    _h5("/v1/netpay/qmf/h5-pay", "全民付H5支付",
        "Create a 全民付 H5 order (one published client calls it): HTTP 302 to the cashier page.", "QMF",
        Portal(f"{_PORTAL}/qmf/h5Pay.do", "qmf.h5Pay", "ours"), _content("H5DEFAULT")),
    _h5("/v1/netpay/webpay/pay", "公众号/服务窗支付",
        "Create a 公众号/服务窗 order (instMid YUEDANDEFAULT; the buyer's wallet decides): HTTP 302 to the cashier.",
        None, Portal(f"{_PORTAL}/webpay/pay.do", "WXPay.jsPay", "ours"), _content("YUEDANDEFAULT")),
)

H5_SPECS: tuple[EndpointSpec, ...] = tuple(spec for spec, _ in _H5)
PORTALS: Mapping[str, Portal] = {spec.path: portal for spec, portal in _H5}
"""The cashier each H5 create sends the browser to, by the create's path."""

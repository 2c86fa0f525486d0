"""Values real clients send to netpay endpoints that the tables do not list (see `mockums.protocol.deviations`)."""

from __future__ import annotations

from mockums.protocol.deviations import Deviation

NETPAY_DEVIATIONS: tuple[Deviation, ...] = (
    Deviation(
        "/v1/netpay/wx/unified-order", "instMid", "APPDEFAULT",
        "a published PHP client (a Yii component) that sends instMid APPDEFAULT on every call, "
        "mini-program orders included, and offers no way to change it",
        "a public PHP client whose repository could not be pinned",
    ),
    Deviation(
        "/v1/netpay/wx/unified-order", "tradeType", "JSAPI",
        "公众号 (official account) payment: clients send the WeChat JSAPI trade type with the 公众号 "
        "business type on the mini-program endpoint",
        "majiameng/chinaums-php (src/Service/Wechat/Mp.php) and a second, unnamed PHP client",
        requires={"instMid": "YUEDANDEFAULT"},
    ),
)

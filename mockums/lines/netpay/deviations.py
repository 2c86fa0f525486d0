"""Values real clients send to netpay endpoints that the tables do not list (see `mockums.protocol.deviations`)."""

from __future__ import annotations

from mockums.protocol.deviations import LEFT_OUT, Deviation

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
    Deviation(
        "/v1/netpay/trade/create", "tradeType", "JSAPI",
        "服务窗 (Alipay life account) payment: clients send the JSAPI trade type with the 公众号 business type",
        "tuhe32/bin-pay (UmsPayServiceImpl.jsPay) and majiameng/chinaums-php (src/Service/Alipay/Mp.php)",
        requires={"instMid": "YUEDANDEFAULT"},
    ),
    Deviation(
        "/v1/netpay/trade/create", "tradeType", "MINI_PAY",
        "a published PHP client's Alipay mini-program order (it also requires WeChat's subAppId and subOpenId)",
        "majiameng/chinaums-php (src/Service/Alipay/Mini.php)",
    ),
    Deviation(
        "/v1/netpay/trade/precreate", "tradeType", "MINI_PAY",
        "a published PHP client's Alipay APP order (it also requires WeChat's subAppId and subOpenId)",
        "majiameng/chinaums-php (src/Service/Alipay/App.php)",
    ),
    Deviation(
        "/v1/netpay/uac/mini-order", "tradeType", "MINI_PAY",
        "a published PHP client's 云闪付 mini-program order (earlier versions of it sent MINI)",
        "majiameng/chinaums-php (src/Service/Unionpay/Mini.php)",
    ),
    Deviation(
        "/v1/netpay/uac/mini-order", "tradeType", "UP_WX_MINI",
        "a published PHP client's 云闪付 mini-program order, with invokeScene 03 (the trade type it also sends "
        "to wx/mini-pre-order)",
        "leyingak/omnipay-unionpay (src/Message/UacMiniOrderRequest.php)",
    ),
    Deviation(
        "/v1/netpay/trade/create", "userId", LEFT_OUT,
        "a published PHP client's Alipay mini-program and 服务窗 orders (ChinaUMS' demo sends the buyer's userId)",
        "majiameng/chinaums-php (src/Service/Alipay)",
    ),
    Deviation(
        "/v1/netpay/qmf/order", "merchantUserId", LEFT_OUT,
        "a published Go client's 全民付 APP order (ChinaUMS' demo and the APP document send it)",
        "tonysprite/gopay (chinaums)",
    ),
    Deviation(
        "/v1/netpay/qmf/order", "mobile", LEFT_OUT,
        "a published Go client's 全民付 APP order (ChinaUMS' demo and the APP document send it)",
        "tonysprite/gopay (chinaums)",
    ),
)

"""The netpay endpoints, as data: the mini-program/APP family and the query, close and refund calls every
netpay-family order goes through. Validation, answers and the endpoint reference are derived from these
tables, so each fact about a field lives here only.

Sources (protocol-evidence §4, §6): the official app-pre-close page (`shared/seeds/`) for the close
table; the common netpay field table for `msgId`, `mid`, `tid`, `instMid`; the field tables copied
from the official documentation into public clients for order, query and refund fields.
"""

from __future__ import annotations

from mockums.lines.netpay.common import ALL_INST_MIDS
from mockums.lines.netpay.common import HEAD as _HEAD
from mockums.lines.netpay.common import common_fields as _common
from mockums.protocol.fields import FieldRule
from mockums.protocol.spec import EndpointSpec, ResponseField
from mockums.protocol.spec import response_field as _field

__all__ = ["GUARANTEE_SPECS", "NETPAY_SPECS", "TARGET_ORDER_ID", "answer", "order_fields"]


# -- request fields ------------------------------------------------------------------------------


def order_fields(
    trade_types: tuple[str, ...], *, trade_type_required: bool, wechat: bool, open_id_required: bool = False
) -> tuple[FieldRule, ...]:
    """The fields of a create call: the amount, its trade type, the notifyUrl and the order's extras, and with
    `wechat` the WeChat sub-merchant's appId and the buyer's openId under it."""
    fields = [
        FieldRule("totalAmount", "amount", True, "支付总金额, 单位分", "1"),
        FieldRule("tradeType", "string", trade_type_required, "交易类型", trade_types[0], choices=trade_types),
        FieldRule(
            "notifyUrl",
            "string",
            False,
            "支付结果通知地址 (form-encoded POST, signed)",
            "http://127.0.0.1:9000/notify",
            max_length=255,
        ),
        FieldRule("returnUrl", "string", False, "网页跳转地址", "", max_length=255),
        FieldRule("orderDesc", "string", False, "账单描述", "测试订单", max_length=255),
        FieldRule("attachedData", "string", False, "商户附加数据, 通知时原样返回", "", max_length=255),
        FieldRule("expireTime", "body_time", False, "订单过期时间 (默认30分钟后)", "2022-04-15 10:19:59"),
        FieldRule("goodsTag", "string", False, "商品标记", "", max_length=32),
        FieldRule("originalAmount", "amount", False, "订单原始金额, 单位分", ""),
        FieldRule("secureTransaction", "flag", False, "担保交易标识 (true: a guarantee order, see secure-complete)",
                  ""),
        FieldRule("divisionFlag", "flag", False, "分账标记: with platformAmount and subOrders[{mid, merOrderId, "
                  "totalAmount}], totalAmount = Σ subOrders.totalAmount + platformAmount, at most 20 sub-merchants, "
                  "not with secureTransaction", ""),
        FieldRule("asynDivisionFlag", "flag", False, "异步分账标记: as divisionFlag, the split confirmed later by "
                  "/v1/netpay/sub-orders-confirm", ""),
    ]
    if wechat:
        fields.append(FieldRule("subAppId", "string", False, "微信子商户appId", "wx0123456789abcdef", max_length=32))
        fields.append(
            FieldRule(
                "subOpenId",
                "string",
                open_id_required,
                "用户在子商户appId下的openId",
                "o1a2b3c4d5e6f7g8h9",
                max_length=128,
            )
        )
    return tuple(fields)


TARGET_ORDER_ID = FieldRule("targetOrderId", "string", False, "第三方订单号 (微信/支付宝交易号)", "", max_length=64)
_REFUND_ORDER_ID = FieldRule(
    "refundOrderId",
    "string",
    False,
    "退款订单号 (不传则由平台生成)",
    "3194202204150000001R",
    min_length=6,
    max_length=32,
)

# -- response fields -----------------------------------------------------------------------------


_BODY = (
    _field("connectSys", "string", "链接系统", "UNIONPAY", "constant", constant="UNIONPAY"),
    _field("settleDate", "string", "结算日期 yyyy-MM-dd", "2022-04-15", "today"),
    _field("srcReserve", "string", "请求系统预留字段", "C20220119000001", "echo", on_error=True),
    _field("merOrderId", "string", "商户订单号", "346E202307151017581097208712", "echo", on_error=True),
    _field("merName", "string", "商户名称", "测试商户"),
    _field("seqId", "string", "平台流水号", "35240829084N"),
    _field("settleRefId", "string", "清分ID (= seqId without bankRefId)", "35240829084N"),
    _field("targetMid", "string", "支付渠道商户号", "556266114"),
    _field("status", "string", "交易状态", "TRADE_CLOSED"),
    _field("targetStatus", "string", "目标平台状态", "SUCCESS|SUCCESS"),
    _field("targetSys", "string", "目标平台代码", "WXPay"),
    _field(
        "totalAmount",
        "number",
        "支付总金额, 单位分 (a JSON number, as the table's type says; the page's example shows a string)",
        "360",
    ),
    _field("targetOrderId", "string", "第三方订单号", "4200001234202204150000000001"),
    _field("qrCode", "string", "支付宝交易二维码", "https://qr.alipay.com/bax01234"),
    _field(
        "appPayRequest",
        "object",
        "拉起支付参数: WeChat appid, partnerid, prepayid, package, noncestr, timestamp, "
        "sign (APP-style keys; the jump-to-mini-program content is unconfirmed); Alipay qrCode, msgType; "
        "UnionPay, 全民付 and Apple Pay the tn (ours: no such answer has been seen)",
        "{…}",
    ),
    _field("redirectUrl", "string", "支付跳转地址: the page the buyer's browser opens to pay (acp/js-pay)",
           "https://…"),
    _field(
        "miniPayRequest",
        "object",
        "wx.requestPayment 参数 appId, timeStamp, nonceStr, package, signType, paySign; 云闪付 mini program: "
        "the tn (ours: no such answer has been seen)",
        "{…}",
    ),
    _field("buyerId", "string", "买家ID (once paid)", "o1a2b3c4d5e6f7g8h9"),
    _field("payTime", "string", "支付时间 yyyy-MM-dd HH:mm:ss (once paid)", "2022-04-15 09:50:30"),
    _field("buyerPayAmount", "number", "买家实付金额 (once paid)", "360"),
    _field("invoiceAmount", "number", "开票金额 (once paid)", "360"),
    _field("receiptAmount", "number", "实收金额 (once paid)", "360"),
    _field("couponAmount", "number", "优惠金额 (once paid)", "0"),
    _field("billFunds", "string", "资金渠道 方式:金额|… (once paid)", "现金:360"),
    _field("billFundsDesc", "string", "资金渠道说明 (once paid)", "现金支付3.60元。"),
    _field("refundAmount", "number", "退款金额: on refund answers this refund, elsewhere the total refunded", "100"),
    _field("refundStatus", "string", "退款状态 SUCCESS, FAIL, PROCESSING, UNKNOWN", "SUCCESS"),
    _field("refundOrderId", "string", "退款订单号", "3194202204150000001R"),
    _field("refundTargetOrderId", "string", "第三方退款单号", "50300001234202204150000000001"),
    _field("refundFunds", "string", "退款渠道 方式:金额", "现金:100"),
    _field("refundFundsDesc", "string", "退款渠道说明", "现金退款1.00元。"),
    _field("refundInvoiceAmount", "number", "退款开票金额", "100"),
    _field("refundPayTime", "string", "退款时间 (once refunded)", "2022-04-15 10:00:00"),
    _field("sendBackAmount", "number", "实退金额", "100"),
    _field("secureStatus", "string", "担保交易状态 UNCOMPLETED, PARTLY_COMPLETED, ALL_COMPLETED, CANCELED "
           "(guarantee orders only)", "UNCOMPLETED"),
    _field("completeAmount", "number", "担保完成金额 (guarantee orders only)", "0"),
    _field("completedAmount", "number", "担保完成金额 (0 once cancelled)", "360"),
    _field("cardAttr", "string", "卡属性", "BALANCE"),
    _field("divisionFlag", "boolean", "分账标记 (a split order; ours)", "true"),
    _field("asynDivisionFlag", "boolean", "异步分账标记 (an asynchronously split order; ours)", "true"),
    _field("platformAmount", "number", "平台商户分账金额 (a split order; ours)", "60"),
    _field("subOrders", "array", "子订单 [{mid, merOrderId, totalAmount}] (a split order; ours)", "[…]"),
    _field("asynDivisionStatus", "string", "异步分账状态 success, fail (single-source: shishuihao/third-party-api)",
           "success"),
    _field("asynDivisionMsg", "string", "异步分账信息 (single-source; empty on success: ours)", ""),
)
_BY_NAME = {item.name: item for item in _BODY}


def answer(names: str) -> tuple[ResponseField, ...]:
    """The common head, then the named fields in the order the documentation lists them."""
    return (*_HEAD, *(_BY_NAME[name] for name in names.split()))


_ORDER = "merName seqId settleRefId targetMid status targetStatus targetSys totalAmount"
_PAID = (
    "targetOrderId buyerId payTime buyerPayAmount invoiceAmount receiptAmount couponAmount billFunds billFundsDesc"
)
_SPLIT = "divisionFlag asynDivisionFlag platformAmount subOrders asynDivisionStatus"
_REFUND = (
    "refundStatus refundOrderId refundTargetOrderId refundAmount refundFunds refundFundsDesc "
    "refundInvoiceAmount refundPayTime"
)

# The close answer keeps the exact field order of the official example.
CLOSE_RESPONSE = answer(
    "connectSys settleDate settleRefId targetMid srcReserve merOrderId merName seqId status "
    "targetStatus targetSys totalAmount"
)
CREATE_APP_RESPONSE = answer(f"connectSys srcReserve merOrderId {_ORDER} appPayRequest")
CREATE_ALIPAY_RESPONSE = answer(f"connectSys srcReserve merOrderId {_ORDER} qrCode appPayRequest")
CREATE_MINI_RESPONSE = answer(f"connectSys srcReserve merOrderId {_ORDER} miniPayRequest")
CREATE_TRADE_RESPONSE = answer(f"connectSys srcReserve merOrderId {_ORDER} targetOrderId")
CREATE_REDIRECT_RESPONSE = answer(f"connectSys srcReserve merOrderId {_ORDER} redirectUrl")
QUERY_RESPONSE = answer(
    f"connectSys settleDate srcReserve merOrderId {_ORDER} {_PAID} refundAmount secureStatus completeAmount {_SPLIT}"
)
SUB_ORDERS_CONFIRM_RESPONSE = answer("srcReserve merOrderId asynDivisionStatus asynDivisionMsg")
REFUND_RESPONSE = answer(f"connectSys settleDate srcReserve merOrderId {_ORDER} targetOrderId {_REFUND}")
# The secure-complete answer keeps the fields of the documentation's example; secure-cancel's, its table's.
SECURE_COMPLETE_RESPONSE = answer(
    "connectSys srcReserve merOrderId merName seqId settleRefId targetMid status targetSys totalAmount "
    "targetOrderId secureStatus completedAmount cardAttr"
)
SECURE_CANCEL_RESPONSE = answer("srcReserve merOrderId secureStatus completedAmount totalAmount")
REFUND_QUERY_RESPONSE = answer(
    f"connectSys settleDate srcReserve merOrderId {_ORDER} targetOrderId payTime {_REFUND} sendBackAmount"
)

# -- the endpoints -------------------------------------------------------------------------------

_WX = "微信(微信跳转小程序专用)"
_ALI = "支付宝(支付宝跳转小程序专用)"
NETPAY_SPECS = (
    EndpointSpec(
        "/v1/netpay/wx/app-pre-order",
        f"{_WX}下单",
        "Create a WeChat jump-to-mini-program order.",
        "create",
        "WXPay",
        (*_common(("APPDEFAULT",)), *order_fields(("APP",), trade_type_required=False, wechat=True)),
        CREATE_APP_RESPONSE,
    ),
    EndpointSpec(
        "/v1/netpay/wx/app-pre-query",
        f"{_WX}订单查询",
        "Query a WeChat jump-to-mini-program order.",
        "query",
        "WXPay",
        (*_common(("APPDEFAULT",), order_id_required=False), TARGET_ORDER_ID),
        QUERY_RESPONSE,
        one_of=("merOrderId", "targetOrderId"),
    ),
    EndpointSpec(
        "/v1/netpay/wx/app-pre-close",
        f"{_WX}订单关闭",
        "Close an unpaid WeChat jump-to-mini-program order.",
        "close",
        "WXPay",
        _common(("APPDEFAULT",)),
        CLOSE_RESPONSE,
    ),
    EndpointSpec(
        "/v1/netpay/trade/app-pre-order",
        f"{_ALI}下单",
        "Create an Alipay jump-to-mini-program order.",
        "create",
        "Alipay 2.0",
        (*_common(("APPDEFAULT",)), *order_fields(("APP",), trade_type_required=False, wechat=False)),
        CREATE_ALIPAY_RESPONSE,
    ),
    EndpointSpec(
        "/v1/netpay/trade/app-pre-query",
        f"{_ALI}订单查询",
        "Query an Alipay jump-to-mini-program order.",
        "query",
        "Alipay 2.0",
        (*_common(("APPDEFAULT",), order_id_required=False), TARGET_ORDER_ID),
        QUERY_RESPONSE,
        one_of=("merOrderId", "targetOrderId"),
    ),
    EndpointSpec(
        "/v1/netpay/trade/app-pre-close",
        f"{_ALI}订单关闭",
        "Close an unpaid Alipay jump-to-mini-program order.",
        "close",
        "Alipay 2.0",
        _common(("APPDEFAULT",)),
        CLOSE_RESPONSE,
    ),
    EndpointSpec(
        "/v1/netpay/wx/unified-order",
        "微信小程序下单",
        "Create a WeChat mini-program order.",
        "create",
        "WXPay",
        (
            *_common(("MINIDEFAULT", "YUEDANDEFAULT")),
            *order_fields(("MINI",), trade_type_required=True, wechat=True, open_id_required=True),
        ),
        CREATE_MINI_RESPONSE,
    ),
    EndpointSpec(
        "/v1/netpay/query",
        "订单查询",
        "Query any order by merOrderId or targetOrderId.",
        "query",
        None,
        (*_common(ALL_INST_MIDS, order_id_required=False), TARGET_ORDER_ID),
        QUERY_RESPONSE,
        one_of=("merOrderId", "targetOrderId"),
    ),
    EndpointSpec(
        "/v1/netpay/close",
        "订单关闭",
        "Close any unpaid order.",
        "close",
        None,
        _common(ALL_INST_MIDS),
        CLOSE_RESPONSE,
    ),
    EndpointSpec(
        "/v1/netpay/refund",
        "退款",
        "Refund a paid order, in part or in full; idempotent per refundOrderId. A split order's refund carries "
        "platformAmount (0 allowed) and subOrders[{mid, merOrderId, refundOrderId, totalAmount}] adding up to "
        "refundAmount, each share at most what is left of it.",
        "refund",
        None,
        (
            *_common(ALL_INST_MIDS, order_id_max=64),
            TARGET_ORDER_ID,
            FieldRule("refundAmount", "amount", True, "退款金额, 单位分", "100"),
            _REFUND_ORDER_ID,
            FieldRule("refundDesc", "string", False, "退款说明", "", max_length=255),
        ),
        REFUND_RESPONSE,
    ),
    EndpointSpec(
        "/v1/netpay/refund-query",
        "退款查询",
        "Query a refund by merOrderId and refundOrderId.",
        "refund_query",
        None,
        (*_common(ALL_INST_MIDS, order_id_max=64), _REFUND_ORDER_ID),
        REFUND_QUERY_RESPONSE,
    ),
    EndpointSpec(
        "/v1/netpay/sub-orders-confirm",
        "异步分账确认",
        "Confirm the split of a paid order created with asynDivisionFlag: platformAmount (required, 0 allowed) and "
        "subOrders[{mid, merOrderId, totalAmount}] (else those of the create call) adding up to its totalAmount; "
        "once, and not after a refund.",
        "sub_orders_confirm",
        None,
        tuple(FieldRule("instMid", "string", False, "业务类型 (clients send none)", "", choices=ALL_INST_MIDS)
              if rule.name == "instMid" else rule for rule in _common(ALL_INST_MIDS)),
        SUB_ORDERS_CONFIRM_RESPONSE,
        # platformAmount is required but may be 0, which no amount rule allows: the sample carries the platform
        # share of the bundled split-async-paid story, so it confirms MKSPLITASYNC… as it is.
        sample=(("platformAmount", 100),),
    ),
)

# 担保 (guarantee): the calls that finish an order created with secureTransaction true (protocol-evidence §11: the
# official documents' copies in a published Java client; merOrderId only, completedAmount to complete).
GUARANTEE_SPECS = (
    EndpointSpec(
        "/v1/netpay/secure-complete",
        "担保完成",
        "Complete a paid guarantee order for completedAmount: all of it (ALL_COMPLETED) or part of it "
        "(PARTLY_COMPLETED, the rest refunded to the buyer at once).",
        "secure_complete",
        None,
        (
            *_common(ALL_INST_MIDS),
            FieldRule("completedAmount", "amount", True, "担保完成金额, 单位分", "360"),
        ),
        SECURE_COMPLETE_RESPONSE,
    ),
    EndpointSpec(
        "/v1/netpay/secure-cancel",
        "担保撤销",
        "Cancel a paid guarantee order: everything is refunded to the buyer (CANCELED); a repeat answers "
        "HAS_CANCELLED.",
        "secure_cancel",
        None,
        _common(ALL_INST_MIDS),
        SECURE_CANCEL_RESPONSE,
    ),
)

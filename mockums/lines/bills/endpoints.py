"""The QR-code bill endpoints (C扫B, instMid QRPAYDEFAULT; protocol-evidence §8): POST JSON with the usual
authentication, a code the buyer scans, and the bill it pays.

Sources: the C扫B document's tables (DOC-CB) and examples; public clients in PHP (majiameng, CrackerSW,
with a real 2022 get-qrcode answer) and Go (maczh: request and answer structs); two real notifications.
Which errCode answers a duplicate billNo, an unknown bill, an expired code or an over-refund was not
found anywhere: those answers (`SITUATIONS` in `business_errors`) are ours.
"""

from __future__ import annotations

from mockums.lines.netpay.common import HEAD, common_fields
from mockums.protocol.fields import FieldRule
from mockums.protocol.spec import EndpointSpec, ResponseField, response_field

QR_INST_MID = "QRPAYDEFAULT"
BILL_STATUSES = ("PAID", "UNPAID", "REFUND", "CLOSED", "UNKNOWN")
ONE_TIME, FIXED = "BILLPAY", "FIXEDPAY"  # the qrCodeType of a one-time code and of a fixed code
WALLET_OPTIONS = ("SINGLE", "MULTIPLE")
BILL_EXPIRY_SECONDS = 30 * 60  # a one-time code without expireTime expires after this long; a fixed one never
BILL_CODE_PATH = "/bills/qrCode.do"  # billQRCode: <base>/bills/qrCode.do?id=<qrCodeId>, as the test environment's


def _head(order_id: bool) -> tuple[FieldRule, ...]:
    """The common fields; bills are named by billNo, so merOrderId is only an alternative (the payment's id)."""
    fields = common_fields((QR_INST_MID,), order_id_required=False)
    return tuple(field for field in fields if order_id or field.name != "merOrderId")


_BILL_NO = FieldRule("billNo", "string", False, "账单号: 来源编号(4位)开头, 唯一 (one-time codes: required)",
                     "3194202611261200001234567", min_length=6, max_length=31)
_BILL_DATE = FieldRule("billDate", "date", False, "账单日期 (one-time codes: required)", "2026-11-26")
_QR_CODE_ID = FieldRule("qrCodeId", "string", True, "二维码ID", "31942611269812345678901234", max_length=32)
_SYSTEM_ID = FieldRule("systemId", "string", False, "系统ID, 原样返回", "", max_length=32)
_OWN_QR_CODE_ID = FieldRule("qrCodeId", "string", False, "二维码ID (only when the merchant renders its own code)", "",
                            max_length=32)
_BILL_DATE_REQUIRED = FieldRule("billDate", "date", True, "账单日期", "2026-11-26")

_CODE_FIELDS = (
    _BILL_NO,
    _BILL_DATE,
    FieldRule("billDesc", "string", False, "账单描述", "测试账单", max_length=255),
    FieldRule("totalAmount", "amount", False, "支付总金额, 单位分 (one-time codes: required; fixed codes: "
              "optional, a code without amount lets the buyer enter it)", "360"),
    FieldRule("memberId", "string", False, "会员号, 通知时原样返回", "", max_length=32),
    FieldRule("counterNo", "string", False, "桌号/柜台号, 通知时原样返回", "", max_length=32),
    FieldRule("expireTime", "body_time", False, "过期时间 (one-time codes: 30 minutes by default; fixed codes "
              "never)", ""),
    FieldRule("notifyUrl", "string", False, "支付结果通知地址 (form-encoded POST, signed; billPayment as a "
              "JSON string)", "http://127.0.0.1:9000/notify", max_length=255),
    FieldRule("returnUrl", "string", False, "网页跳转地址", "", max_length=255),
    _SYSTEM_ID,
    FieldRule("walletOption", "string", False, "SINGLE: only the first payment is allowed (one-time codes)", "",
              choices=WALLET_OPTIONS),
    FieldRule("secureTransaction", "flag", False, "担保交易", ""),
    FieldRule("preauthTransaction", "flag", False, "预授权交易: the payment is authorised, then completed with "
              "bills/preauthed (UnionPay codes; ours beyond the field)", ""),
    FieldRule("divisionFlag", "flag", False, "分账标记", ""),
    FieldRule("limitCreditCard", "flag", False, "是否限制信用卡", ""),
    FieldRule("signType", "string", False, "通知签名方式 MD5 (default) or SHA256 (a legacy field; ours: the "
              "open-platform table does not list it)", "", choices=("MD5", "SHA256")),
)


def _answer(*names: str) -> tuple[ResponseField, ...]:
    return (*HEAD, *(_FIELDS[name] for name in names))


_FIELDS = {field.name: field for field in (
    response_field("srcReserve", "string", "请求系统预留字段", "C20220119000001", "echo", on_error=True),
    response_field("systemId", "string", "系统ID", "", "echo", on_error=True),
    response_field("qrCodeId", "string", "二维码ID: 来源编号(4) + yyMMdd + 16 digits", "31942611269812345678901234"),
    response_field("qrCodeType", "string", "BILLPAY (one-time) or FIXEDPAY (fixed code)", "BILLPAY"),
    response_field("billQRCode", "string", "二维码内容: opening it is scanning (mockums' cashier page)",
                   "http://127.0.0.1:8000/bills/qrCode.do?id=31942611269812345678901234"),
    response_field("billNo", "string", "账单号", "3194202611261200001234567"),
    response_field("billDate", "string", "账单日期 yyyy-MM-dd", "2026-11-26"),
    response_field("createTime", "string", "账单创建时间", "2026-11-26 12:00:00"),
    response_field("billStatus", "string", "账单状态 PAID, UNPAID, REFUND, CLOSED", "UNPAID"),
    response_field("billDesc", "string", "账单描述", "测试账单"),
    response_field("totalAmount", "number", "支付总金额, 单位分", "360"),
    response_field("memberId", "string", "会员号", ""),
    response_field("counterNo", "string", "桌号/柜台号", ""),
    response_field("merName", "string", "商户名称", "测试商户"),
    response_field("cardAttr", "string", "卡属性 (once paid)", "BALANCE"),
    response_field("billPayment", "object", "支付信息 (once a payment exists): merOrderId (billNo + one digit), "
                   "billBizType, paySeqId, totalAmount, buyerPayAmount, invoiceAmount, receiptAmount, couponAmount, "
                   "buyerId, payTime, settleDate, status, targetOrderId, targetSys", "{…}"),
    response_field("refundBillPayment", "object", "退款信息 (only when refundOrderId was sent), the billPayment shape",
                   "{…}"),
    response_field("merOrderId", "string", "支付订单号 (billNo + one digit)", "31942026112612000012345670"),
    response_field("refundOrderId", "string", "退款订单号", "31942026112612000000000001"),
    response_field("refundTargetOrderId", "string", "第三方退款单号", "50300001234202611260000000001"),
    response_field("refundPayTime", "string", "退款时间 (once refunded)", "2026-11-26 12:10:00"),
    response_field("refundStatus", "string", "退款状态 SUCCESS, FAIL, PROCESSING, UNKNOWN", "SUCCESS"),
    response_field("refundAmount", "number", "退款金额", "100"),
    response_field("refundInvoiceAmount", "number", "退款开票金额", "100"),
    response_field("settleDate", "string", "结算日期 yyyy-MM-dd", "2026-11-26", "today"),
    response_field("completedAmount", "number", "预授权完成金额 (ours)", "300"),
    response_field("targetSys", "string", "目标平台代码 (once paid)", "WXPay"),
)}

_CODE = ("srcReserve", "billNo", "billDate", "billQRCode", "qrCodeId", "systemId")
_BILL = ("srcReserve", "billNo", "billDate", "createTime", "billStatus", "billDesc", "totalAmount", "billQRCode",
         "memberId", "counterNo", "merName")


def _bill_spec(path: str, title: str, summary: str, action: str, request: tuple[FieldRule, ...],
               response: tuple[ResponseField, ...], one_of: tuple[str, ...] = ()) -> EndpointSpec:
    return EndpointSpec(path, title, summary, action, None, request, response, one_of)


_PAYMENT_ID = FieldRule("merOrderId", "string", True, "支付订单号 (the bill's payment: billNo + one digit)",
                        "31942026112612000012345670", min_length=6, max_length=32)
_PREAUTH_ANSWER = ("srcReserve", "billNo", "billDate", "merOrderId", "totalAmount", "completedAmount")

PREAUTH_SPECS = (
    _bill_spec("/v1/netpay/bills/preauthed", "预授权完成",
               "Complete a paid pre-authorisation (a bill made with preauthTransaction) for completedAmount, at most "
               "the amount authorised, once (ours beyond the path and fields).", "preauth_complete",
               (*_head(False), _PAYMENT_ID, FieldRule("completedAmount", "amount", True, "完成金额, 单位分", "300")),
               _answer(*_PREAUTH_ANSWER)),
    _bill_spec("/v1/netpay/bills/preauthed-cancel", "预授权完成撤销",
               "Undo a pre-authorisation's completion: it may be completed again (ours beyond the path).",
               "preauth_complete_cancel", (*_head(False), _PAYMENT_ID), _answer(*_PREAUTH_ANSWER)),
    _bill_spec("/v1/netpay/preauth-cancel", "预授权撤销",
               "Release a paid pre-authorisation not completed: nothing more can be done with it (ours beyond the "
               "path).", "preauth_cancel", (*_head(False), _PAYMENT_ID), _answer(*_PREAUTH_ANSWER)),
)

BILL_SPECS = (
    _bill_spec("/v1/netpay/bills/get-qrcode", "获取二维码",
               "Create a code: one-time (billNo, billDate and totalAmount) or fixed (with or without an amount).",
               "bill_create", (*_head(False), *_CODE_FIELDS, _OWN_QR_CODE_ID), _answer(*_CODE)),
    _bill_spec("/v1/netpay/bills/update-qrcode", "更新二维码",
               "Bind a new bill (billNo, billDate, totalAmount…) to an existing code; the billNo must differ.",
               "bill_update", (*_head(False), _QR_CODE_ID, *_CODE_FIELDS,
                               FieldRule("billStatus", "string", False, "账单状态 (accepted, ignored)", "",
                                         choices=BILL_STATUSES)), _answer(*_CODE)),
    _bill_spec("/v1/netpay/bills/close-qrcode", "关闭二维码",
               "Close a code; attachRefund also refunds a paid one-time code in full.", "bill_close",
               (*_head(False), _QR_CODE_ID, _SYSTEM_ID,
                FieldRule("attachRefund", "flag", False, "同时退款 (one-time codes only)", "")),
               _answer("srcReserve", "qrCodeId", "systemId", "billNo", "billStatus", "refundOrderId", "refundAmount",
                       "refundStatus")),
    _bill_spec("/v1/netpay/bills/query", "账单查询",
               "A bill's status and payment; refundOrderId adds that refund (there is no bills refund query).",
               "bill_query", (*_head(True), _BILL_NO, _BILL_DATE_REQUIRED,
                               FieldRule("refundOrderId", "string", False, "退款订单号", "", min_length=6,
                                         max_length=32)),
               _answer(*_BILL, "cardAttr", "billPayment", "refundBillPayment"), one_of=("billNo", "merOrderId")),
    _bill_spec("/v1/netpay/bills/refund", "账单退款",
               "Refund a paid bill, in part or in full; refundOrderId is required from the second refund on.",
               "bill_refund", (*_head(True), _BILL_NO, _BILL_DATE_REQUIRED,
                   FieldRule("refundAmount", "amount", True, "退款金额, 单位分", "100"),
                   FieldRule("refundOrderId", "string", False, "退款订单号 (required for a second refund, "
                             "different each time)", "3194202611260000000000001R", min_length=6, max_length=32),
                   FieldRule("refundDesc", "string", False, "退款说明", "", max_length=255),
                   FieldRule("platformAmount", "amount", False, "平台商户退款金额", "")),
               _answer("srcReserve", "billNo", "billDate", "billStatus", "billQRCode", "merOrderId", "refundOrderId",
                       "refundTargetOrderId", "refundPayTime", "refundStatus", "refundAmount", "refundInvoiceAmount",
                       "cardAttr", "settleDate", "targetSys"), one_of=("billNo", "merOrderId")),
    _bill_spec("/v1/netpay/bills/query-qrcode-info", "查询二维码静态信息",
               "A code's static information (institution mode).", "bill_info", (*_head(False), _QR_CODE_ID),
               _answer("srcReserve", "qrCodeId", "qrCodeType", "billQRCode", "billNo", "billDate", "billStatus",
                       "totalAmount", "billDesc", "merName")),
)

"""POS link's endpoint tables (protocol-evidence §10, client-coverage §2.4): request field rules and answer fields for
v2 (pay, query, voidpayment, refund, query-refund, reversepayment, activeterminal), v4 (pay) and v6 (pay, query,
voidpayment, refund, refund-query), all POST JSON signed with OPEN-BODY-SIG (or an access token).

v2 and v4 are documented (DOC-POS) and seen in real answers (MACZ); v6 is confirmed as paths only. Its field names
are single-source: one PHP client (MJM) sends `totalAmount` and `qrCode` (refund: `refundAmount`) where v2/v4 send
`transactionAmount` and `payCode`, so the v6 tables keep the v2/v4 names and accept MJM's in their place with a
warning (lenient mode; `deviations.py`).
"""

from __future__ import annotations

from mockums.lines.poslink.wallets import SAMPLE_PAY_CODE
from mockums.protocol.fields import FieldRule
from mockums.protocol.spec import EndpointSpec, ResponseField, response_field

V2, V4, V6 = "/v2/poslink/transaction", "/v4/poslink/transaction", "/v6/poslink/transaction"
PAY_MODES = ("CODE_SCAN", "E_CASH", "SOUNDWAVE", "NFC", "MANUAL", "FACE_SCAN")
SAMPLE_ORDER_ID = "20250923164207406370624529"  # a UMS orderId as a real answer shows one (26 digits)
IDS = {"order_field": "merchantOrderId", "merchant_field": "merchantCode", "terminal_field": "terminalCode"}


def _text(name: str, required: bool, what: str, example: str, most: int | None = None) -> FieldRule:
    return FieldRule(name, "string", required, what, example, max_length=most)


MERCHANT = (_text("merchantCode", True, "商户号", "898201612345678", 15),
            _text("terminalCode", True, "终端号", "88880001", 8))
ORDER_ID = _text("merchantOrderId", True, "商户订单号, 全局唯一", "POS20250923164207", 50)
BY_ORDER = (_text("merchantOrderId", False, "商户订单号", "POS20250923164207", 50),
            _text("originalOrderId", False, "银商订单号 (pay 应答的 orderId)", SAMPLE_ORDER_ID, 32))
ONE_OF = ("merchantOrderId", "originalOrderId")
REMARK = _text("merchantRemark", False, "商户备注 (文档标为必填, 客户端多不送)", "mockums", 50)
STORE = _text("storeId", False, "门店号 (a Go client sends a UUID)", "", 64)
OPERATOR = _text("operatorId", False, "操作员号", "", 32)
SRC_RESERVED = _text("srcReserved", False, "商户冗余信息", "", 100)
AMOUNT = FieldRule("transactionAmount", "amount", True, "交易金额, 单位分", "1")
PAY_FIELDS = (
    *MERCHANT, AMOUNT,
    FieldRule("transactionCurrencyCode", "string", True, "币种", "156", choices=("156",)),
    ORDER_ID, REMARK,
    FieldRule("payMode", "string", True, "支付方式 (mockums 只处理 CODE_SCAN)", "CODE_SCAN", choices=PAY_MODES),
    _text("payCode", True, "付款码 (微信 10-15, 支付宝 25-30, 银联 62 开头)", SAMPLE_PAY_CODE, 32),
    STORE, OPERATOR, SRC_RESERVED,
    FieldRule("limitCreditCard", "flag", False, "是否限制信用卡 (true/false)", ""),
    _text("bizIdentifier", False, "业务标识", "", 32), _text("goodsTag", False, "商品标记", "", 32),
)
V4_FIELDS = (_text("deviceType", True, "设备类型", "11", 2), _text("serialNum", False, "终端序列号", "", 50),
             _text("ip", False, "终端 IP", "", 64), _text("longitude", False, "经度", "", 10),
             _text("latitude", False, "纬度", "", 10))
V6_FIELDS = (_text("deviceType", False, "设备类型", "02", 2), _text("systemTraceNum", False, "系统跟踪号", "", 6),
             FieldRule("totalAmount", "amount", False, "交易金额, 单位分 (v6 名称, 仅见于一个客户端)", ""),
             _text("qrCode", False, "付款码 (v6 名称, 仅见于一个客户端)", "", 32))
REFUND_FIELDS = (*MERCHANT, *BY_ORDER,
                 _text("refundRequestId", True, "退货请求号, 同一订单内唯一 (重发同一请求不会退两次)", "R0001", 50),
                 FieldRule("transactionAmount", "amount", True, "退货金额, 单位分", "1"), REMARK,
                 SRC_RESERVED, STORE, OPERATOR)
V6_REFUND_FIELDS = (FieldRule("refundAmount", "amount", False, "退货金额 (v6 名称, 仅见于一个客户端)", ""),)
VOID_FIELDS = (*MERCHANT, *BY_ORDER, REMARK, FieldRule("limitCrossDevice", "flag", False, "是否限制跨终端", ""),
               _text("bizIdentifier", False, "业务标识", "", 32))
QUERY_FIELDS = (*MERCHANT, *BY_ORDER, _text("oriTransDate", False, "原交易日期 yyyyMMdd", "", 8))
REFUND_QUERY_FIELDS = (*MERCHANT, *BY_ORDER, _text("refundRequestId", True, "退货请求号", "R0001", 50))


def _answer(*fields: tuple[str, str, str, str]) -> tuple[ResponseField, ...]:
    """errCode and errInfo (on every answer), merchantOrderId as sent, then `fields` (name, type, what, example)
    from the payment's values."""
    return (response_field("errCode", "string", "错误代码, 00 成功", "00", "code", on_error=True),
            response_field("errInfo", "string", "错误说明", "10000成功响应码", "message", on_error=True),
            response_field("merchantOrderId", "string", "商户订单号", "POS20250923164207", "echo", on_error=True),
            *(response_field(name, kind, what, example) for name, kind, what, example in fields))  # type: ignore[arg-type]


TRADE = (("orderId", "string", "银商订单号", SAMPLE_ORDER_ID),
         ("transactionTime", "string", "交易时间 HHmmss", "164213"),
         ("transactionDate", "string", "交易日期 MMdd", "0923"),
         ("transactionDateWithYear", "string", "交易日期 yyyyMMdd", "20250923"),
         ("settlementDate", "string", "清算日期 MMdd", "0923"),
         ("settlementDateWithYear", "string", "清算日期 yyyyMMdd", "20250923"),
         ("retrievalRefNum", "string", "检索参考号", "15005163609N"),
         ("systemTraceNum", "string", "系统跟踪号", "000015"),
         ("batchNo", "string", "批次号", "000001"),
         ("thirdPartyName", "string", "第三方名称", "微信钱包"),
         ("cardAttr", "string", "卡属性 (91 余额)", "91"))
PAY_ANSWER = _answer(
    *TRADE,
    ("thirdPartyOrderId", "string", "第三方订单号 (钱包的交易号)", "4200002792202509233617110129"),
    ("thirdPartyBuyerId", "string", "第三方买家 Id", "otdJ_uA6R4R0beWem2hMly22xLzo"),
    ("thirdPartyPayInformation", "string", "第三方支付信息", "现金:2"),
    ("chnlType", "string", "渠道类型", "WXPay"), ("mchntName", "string", "商户名称", "寄海海鲜火锅"),
    ("transactionAmount", "number", "交易金额, 单位分", "2"),
    ("actualTransactionAmount", "number", "实际支付金额, 单位分", "2"), ("amount", "number", "金额, 单位分", "2"))
VOID_ANSWER = _answer(*TRADE, ("transactionAmount", "number", "撤销金额, 单位分", "2"))
REFUND_ANSWER = _answer(
    *TRADE,
    ("refundOrderId", "string", "银商退货订单号", "20250923164326406370625112"),
    ("refundTargetOrderId", "string", "第三方退货单号", "50302605182025092307445937466"),
    ("refundInvoiceAmount", "string", "退货开票金额, 单位分", "1"),
    ("transactionAmount", "number", "退货金额, 单位分", "1"),
    ("totalRefundPromotionAmt", "string", "退货优惠金额", "0"), ("acqInstCode", "string", "收单机构", "UNIONPAY"))
QUERY_ANSWER = _answer(
    ("queryResCode", "string", "查询结果: 0 成功, 1 超时, 2 已撤销, 3 已退货, 4 已冲正, 5 失败, FF 未知", "0"),
    ("queryResDesc", "string", "查询结果描述", "成功"),
    ("orderId", "string", "银商订单号", SAMPLE_ORDER_ID),
    ("originalTransactionTime", "string", "原交易时间 yyyyMMddHHmmss", "20250923164213"),
    ("originalSettlementDate", "string", "原清算日期 yyyyMMdd", "20250923"),
    ("originalPayCode", "string", "原交易付款码", SAMPLE_PAY_CODE),
    ("originalBatchNo", "string", "原批次号", "000001"), ("originalSystemTraceNum", "string", "原系统跟踪号", "000015"),
    ("origialRetrievalRefNum", "string", "原检索参考号 (sic: the gateway's spelling)", "15005163609N"),
    ("originalRetrievalRefNum", "string", "原检索参考号 (real answers carry both spellings)", "15005163609N"),
    ("originalTransactionAmount", "number", "原交易金额, 单位分", "2"), ("amount", "number", "金额, 单位分", "2"),
    ("refundedAmount", "number", "已退货金额, 单位分", "0"),
    ("actualTransactionAmount", "number", "实际支付金额, 单位分", "2"),
    ("thirdPartyName", "string", "第三方名称", "微信钱包"),
    ("thirdPartyBuyerId", "string", "第三方买家 Id", "otdJ_uA6R4R0beWem2hMly22xLzo"),
    ("thirdPartyOrderId", "string", "第三方订单号", "4200002792202509233617110129"),
    ("orderStatus", "string", "订单状态", "TRADE_SUCCESS"))
REFUND_QUERY_ANSWER = _answer(
    ("queryResCode", "string", "查询结果: 00 成功", "00"), ("refundRequestId", "string", "退货请求号", "R0001"),
    ("orderId", "string", "银商订单号", SAMPLE_ORDER_ID),
    ("transactionTime", "string", "退货时间 HHmmss", "164326"), ("transactionDate", "string", "退货日期 MMdd", "0923"),
    ("settlementDate", "string", "清算日期 MMdd", "0923"), ("retrievalRefNum", "string", "检索参考号", "15005163609N"),
    ("payCode", "string", "原付款码", SAMPLE_PAY_CODE), ("dealDate", "string", "退货日期 yyyyMMdd", "20250923"),
    ("dealTime", "string", "退货时间 HHmmss", "164326"), ("dealType", "string", "交易类型", "refund"),
    ("originalAmount", "number", "原交易金额, 单位分", "2"),
    ("refundInvoiceAmount", "string", "退货开票金额, 单位分", "1"))
ACTIVATE_ANSWER = _answer()


def _spec(path: str, title: str, summary: str, action: str, request: tuple[FieldRule, ...],
          response: tuple[ResponseField, ...], one_of: tuple[str, ...] = ()) -> EndpointSpec:
    return EndpointSpec(path, title, summary, action, None, request, response, one_of=one_of, **IDS)  # type: ignore[arg-type]


def _pay(version: str, extra: tuple[FieldRule, ...]) -> EndpointSpec:
    return _spec(f"{version}/pay", "POS 被扫支付", "The cashier scans the customer's payment code and charges it "
                 "(the wallet from the code's prefix); answers at once, or 'paying' when a password is needed.",
                 "pos_pay", (*PAY_FIELDS, *extra), PAY_ANSWER)


def _family(version: str, refund_query: str, refund_extra: tuple[FieldRule, ...] = ()) -> tuple[EndpointSpec, ...]:
    return (
        _spec(f"{version}/query", "POS 交易查询", "What became of a payment (queryResCode); merchantOrderId wins over "
              "originalOrderId.", "pos_query", QUERY_FIELDS, QUERY_ANSWER, ONE_OF),
        _spec(f"{version}/voidpayment", "POS 撤销", "Void a payment on the day it was made; originalOrderId wins over "
              "merchantOrderId.", "pos_void", VOID_FIELDS, VOID_ANSWER, ONE_OF),
        _spec(f"{version}/refund", "POS 退货", "Refund all or part of a payment up to 30 days after it; "
              "refundRequestId makes a resent refund harmless; originalOrderId wins over merchantOrderId.",
              "pos_refund", (*REFUND_FIELDS, *refund_extra), REFUND_ANSWER, ONE_OF),
        _spec(f"{version}/{refund_query}", "POS 退货查询", "One refund of a payment, by its refundRequestId.",
              "pos_refund_query", REFUND_QUERY_FIELDS, REFUND_QUERY_ANSWER, ONE_OF),
    )


POS_SPECS: tuple[EndpointSpec, ...] = (
    _pay(V2, ()),
    *_family(V2, "query-refund"),
    _spec(f"{V2}/reversepayment", "POS 冲正", "Reverse a payment whose answer never came (or any payment of the day): "
          "its money goes back. Fields as voidpayment's (not in the 2020 document).", "pos_reverse", VOID_FIELDS,
          VOID_ANSWER, ONE_OF),
    _spec(f"{V2}/activeterminal", "POS 终端激活", "Activate a terminal (normally not needed): always 00.",
          "pos_activate", MERCHANT, ACTIVATE_ANSWER),
    _pay(V4, V4_FIELDS),
    _pay(V6, V6_FIELDS),
    *_family(V6, "refund-query", V6_REFUND_FIELDS),
)

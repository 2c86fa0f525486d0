"""POS link's words (protocol-evidence §10): success is `errCode "00"` with `errInfo`, the ISO 8583-style trade
failure codes and the system codes, each with its message; the situations the rules answer in; and what a query's
`queryResCode` says of a payment.

The codes and their meanings are the 2020 POS-link document's (single source); the success texts are seen in a
client's real answers; the wording of every failure message is ours.
"""

from __future__ import annotations

from collections.abc import Mapping

from mockums.protocol.vocabulary import Situation, Vocabulary

SUCCESS = "00"

# Trade failures (ISO 8583 style) and system codes: code -> message. The meanings are DOC-POS's, the texts ours.
TRADE_FAILURES: Mapping[str, str] = {
    "03": "无效商户",
    "13": "无效金额",
    "22": "原交易不存在",
    "25": "找不到原始交易",
    "30": "报文格式错误",
    "57": "不允许此交易",
    "61": "超出金额限制",
    "64": "原始金额错误",
    "94": "重复交易",
    "96": "系统异常",
    "97": "终端未登记",
    "A7": "安全处理失败",
    "ER": "交易失败",
}
SYSTEM_CODES: Mapping[str, str] = {
    "1000": "认证失败",
    "1001": "未授权",
    "9001": "参数校验失败",
    "9999": "系统错误",
}
CATALOGUE: Mapping[str, str] = {SUCCESS: "成功", **TRADE_FAILURES, **SYSTEM_CODES}

# errInfo of a success, as a client's real answers show it [S: MACZ]: pay, void and refund say 10000, the two
# queries 00000.
DONE = "10000成功响应码"
FOUND = "00000成功响应码"

SITUATIONS: Mapping[str, Situation] = {
    "bad_request": Situation("9001", "参数校验失败: {details}", "a field breaks its rule"),
    "abnormal_time": Situation("9001", "参数校验失败: {details}", "strict mode: a skewed requestTimestamp"),
    "system_error": Situation("9999", "系统错误: {details}",
                              "mockums cannot reach its store (Redis) while answering; nothing was done"),
    "done": Situation(SUCCESS, DONE, "pay, void, reversal, refund and activeterminal succeeded", "observed"),
    "found": Situation(SUCCESS, FOUND, "query and query-refund found what they asked for", "observed"),
    "paying": Situation("ER", "用户支付中,请稍后查询 (USERPAYING)",
                        "pay: the customer must enter a password; query until it settles (unconfirmed code)"),
    "pay_code_unknown": Situation("ER", "付款码无效: {code} (不是微信、支付宝或银联的付款码)",
                                  "pay: the payCode's prefix is no wallet's"),
    "pay_mode_unsupported": Situation("57", "不允许此交易: payMode {mode} (mockums answers CODE_SCAN only)",
                                      "pay: a payMode other than CODE_SCAN"),
    "duplicate": Situation("94", "重复交易: merchantOrderId {order_id} 已使用", "pay: the merchantOrderId is taken"),
    "not_found": Situation("25", "找不到原始交易", "void, reversal, refund, query: no payment by that id"),
    "refund_not_found": Situation("25", "找不到原始交易: 无退货请求 {request_id}",
                                  "query-refund: no refund with that refundRequestId"),
    "not_same_day": Situation("57", "不允许此交易: 只能撤销或冲正当日交易 ({day})",
                              "void or reversal of a payment made on another day (sandbox clock)"),
    "not_voidable": Situation("57", "不允许此交易: 原交易状态为{state}", "void of a payment not paid, or refunded"),
    "not_refundable": Situation("57", "不允许此交易: 原交易状态为{state}",
                                "refund of a payment voided, reversed, failed or unpaid"),
    "refund_too_late": Situation("57", "不允许此交易: 退货期限{days}天已过", "refund more than 30 days after payment"),
    "refund_too_much": Situation("64", "原始金额错误: 退货金额{amount}超过可退金额{refundable}",
                                 "refund above what is left to refund"),
    "refund_id_reused": Situation("94", "重复交易: refundRequestId {request_id} 已用于金额{amount}",
                                  "refund: a refundRequestId used before for another amount"),
}

VOCABULARY = Vocabulary(SUCCESS, CATALOGUE, SITUATIONS, message_field="errInfo")

# What a query's queryResCode says of a payment, with its queryResDesc [C: DOC-POS, MACZ for 0 成功, 3 已退货].
# "paying" (the customer has not entered the password yet) and "timeout" (a pay whose answer was lost and no
# money moved) are our choices of code: nothing public shows a query in either case.
QUERY_RESULTS: Mapping[str, tuple[str, str]] = {
    "paid": ("0", "成功"),
    "timeout": ("1", "交易超时"),
    "voided": ("2", "已撤销"),
    "refunded": ("3", "已退货"),
    "reversed": ("4", "已冲正"),
    "failed": ("5", "交易失败"),
    "paying": ("FF", "交易状态未知,用户支付中"),
}
QUERY_RES_CODES: tuple[str, ...] = ("0", "1", "2", "3", "4", "5", "FF")

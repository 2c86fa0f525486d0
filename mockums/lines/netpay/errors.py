"""The netpay family's business vocabulary: the error catalogue (`errCode` + `errMsg`, always HTTP 200) and
the answers the ledger gives in named situations.

Codes and texts come from four independent copies of the official enum (protocol-evidence §5); the
`NO_ORDER` text is the one the real sandbox answers.
"""

from __future__ import annotations

from collections.abc import Mapping

from mockums.protocol.vocabulary import Situation, Vocabulary

BUSINESS_ERRORS: Mapping[str, str] = {
    "SUCCESS": "",
    "INTERNAL_ERROR": "内部错误",
    "BAD_REQUEST": "请求报文有错",
    "NO_SERVICE": "msgType无服务",
    "TIMEOUT": "处理超时",
    "NO_ORDER": "无法找到指定的订单",
    "OPERATION_NOT_ALLOWED": "当前不允许此操作",
    "TARGET_FAIL": "支付宝/微信方失败",
    "DUP_ORDER": "重复订单",
    "NET_ERROR": "与渠道通讯异常",
    "NO_MERCHANT": "找不到商户",
    "ORDER_PROCESSING": "订单处理中，请一分钟后再试",
    "INACTIVE_MERCHANT": "商户被冻结",
    "ABNORMAL_REQUEST_TIME": "请求时间异常",
    "TXN_DISCARDED": "延迟过大被丢弃",
    "BAD_SIGN": "签名错误",
    "INVALID_MSGSRC": "来源错误",
    "INVALID_ORDER": "订单信息异常",
    "NO_CROSS_DAY_TRADING": "不允许跨日",
    "DENIED_IP": "IP不在白名单",
    "INVLID_MERCHANT_CONFIG": "错误的商户配置",  # sic: the official spelling
    "INVALID_RESPONSE": "渠道应答无效",
    "HAS_CANCELLED": "已撤销",
    "SYSTEM_BUSY": "系统繁忙",
    "NO_BILL": "找不到账单",
}


# Every errMsg the ledger writes beyond the catalogue's defaults, each in one place.
SITUATIONS: Mapping[str, Situation] = {
    "bad_request": Situation("BAD_REQUEST", "请求报文有错: {details}", "a field breaks its rule (the rule is named)"),
    "abnormal_time": Situation("ABNORMAL_REQUEST_TIME", "请求时间异常: {details}",
                               "strict mode: requestTimestamp is outside the skew window"),
    "system_error": Situation("INTERNAL_ERROR", "内部错误: {details}",
                              "mockums cannot reach its store (Redis) while answering; nothing was done"),
    "order_closed": Situation("OPERATION_NOT_ALLOWED", "订单已关闭", "close or refund of a closed order"),
    "refund_unpaid": Situation("OPERATION_NOT_ALLOWED", "订单未支付，不能退款", "refund of an order not paid"),
    "refund_too_much": Situation("OPERATION_NOT_ALLOWED", "退款金额超过可退金额 (可退 {refundable} 分)",
                                 "refundAmount above what is left to refund"),
    "refund_count": Situation("OPERATION_NOT_ALLOWED", "退款次数超过上限 {cap}",
                              "more refunds of one order than mockums keeps (refunds_per_order, default 1000)"),
    "refund_id_reused": Situation("OPERATION_NOT_ALLOWED",
                                  "退款订单号{refund_order_id}已用于{amount}分的退款，退款金额不一致",
                                  "a refundOrderId already used for a refund of another refundAmount"),
    "close_paid": Situation("TARGET_FAIL", "订单已支付，不能发起关单",
                            "close of a paid order (WeChat's ORDERPAID, passed through: unconfirmed)"),
    "no_refund": Situation("NO_ORDER", "无法找到指定的退款订单", "refund query for a refundOrderId never used"),
    "division_platform_too_much": Situation("OPERATION_NOT_ALLOWED",
                                            "平台商户退款金额超过可退金额 (可退 {refundable} 分)",
                                            "a split order's refund: platformAmount above the platform's share left"),
    "division_sub_too_much": Situation("OPERATION_NOT_ALLOWED",
                                       "子商户{mid}退款金额超过可退金额 (可退 {refundable} 分)",
                                       "a split order's refund: a sub-merchant's amount above its share left"),
    "division_not_async": Situation("OPERATION_NOT_ALLOWED", "订单不是异步分账订单，不能确认子订单",
                                    "sub-orders-confirm of an order created without asynDivisionFlag"),
    "division_unpaid": Situation("OPERATION_NOT_ALLOWED", "订单未支付，不能确认子订单",
                                 "sub-orders-confirm of an order not paid"),
    "division_confirmed": Situation("OPERATION_NOT_ALLOWED", "子订单已确认，不允许再次确认",
                                    "a second sub-orders-confirm of one order"),
    "division_after_refund": Situation("OPERATION_NOT_ALLOWED", "退货订单不允许做子订单操作",
                                       "sub-orders-confirm of an order refunded (in part or in full)"),
    "alipay_not_paid": Situation("SUCCESS", "交易不存在",
                                 "query of an Alipay order not yet paid (targetStatus 40004)", "observed"),
    # 担保 (guarantee) orders: secure-complete and secure-cancel, and refunds of a guarantee not yet completed.
    "secure_completed": Situation("SUCCESS", "担保完成成功", "secure-complete succeeded", "documented"),
    "secure_canceled": Situation("SUCCESS", "担保撤销成功", "secure-cancel succeeded"),
    "secure_has_cancelled": Situation("HAS_CANCELLED", "该笔担保交易已撤销",
                                      "secure-cancel, secure-complete or a refund of a guarantee already cancelled "
                                      "(by request or 30 days after payment)", "documented"),
    "secure_done": Situation("OPERATION_NOT_ALLOWED", "该笔担保交易已完成",
                             "secure-complete or secure-cancel of a guarantee already completed"),
    "secure_not_guarantee": Situation("OPERATION_NOT_ALLOWED", "非担保交易，不能{operation}",
                                      "secure-complete or secure-cancel of an order created without "
                                      "secureTransaction true"),
    "secure_unpaid": Situation("OPERATION_NOT_ALLOWED", "订单未支付，不能{operation}",
                               "secure-complete or secure-cancel of a guarantee order not paid"),
    "secure_too_much": Situation("OPERATION_NOT_ALLOWED", "担保完成金额超过订单金额 (订单金额 {total} 分)",
                                 "completedAmount above the order's totalAmount"),
    "secure_refund_uncompleted": Situation("OPERATION_NOT_ALLOWED", "担保未完成的交易不允许直接做反交易",
                                           "refund of a paid guarantee order neither completed nor cancelled "
                                           "(the documentation's words)", "documented"),
}


VOCABULARY = Vocabulary("SUCCESS", BUSINESS_ERRORS, SITUATIONS)

"""Every endpoint mockums serves, as data. Validation, answers and the README's endpoint reference
are all derived from these tables, so each fact about a field lives here only.

Source of the app-pre-close table: the official API page (`shared/seeds/`), lengths cross-checked
with the common netpay field table (protocol-evidence §4).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from mockums.endpoints.fields import FieldRule

ResponseSource = Literal["result", "now", "today", "echo", "order", "constant"]


@dataclass(frozen=True)
class ResponseField:
    name: str
    type: Literal["string", "number"]
    source: ResponseSource  # where the value comes from; see mockums.responder
    description: str
    example: str
    constant: str = ""
    on_error: bool = False  # also present on business error answers


@dataclass(frozen=True)
class EndpointSpec:
    path: str
    title: str
    summary: str
    action: Literal["close"]  # which order operation the endpoint performs
    target_sys: str
    request: tuple[FieldRule, ...]
    response: tuple[ResponseField, ...]

    def rule(self, name: str) -> FieldRule | None:
        return next((rule for rule in self.request if rule.name == name), None)


def _common_request(inst_mid: tuple[str, ...]) -> tuple[FieldRule, ...]:
    return (
        FieldRule("requestTimestamp", "body_time", True, "报文请求时间", "2022-04-15 09:49:59"),
        FieldRule("merOrderId", "string", True, "商户订单号 (原交易订单号)",
                  "346E202307151017581097208712", min_length=6, max_length=32),
        FieldRule("instMid", "string", True, "业务类型", inst_mid[0], choices=inst_mid),
        FieldRule("mid", "string", True, "商户号", "898201612345678", min_length=8, max_length=15),
        FieldRule("tid", "string", True, "终端号", "88880001", min_length=2, max_length=8),
        FieldRule("srcReserve", "string", False, "请求系统预留字段", "C20220119000001", max_length=255),
        FieldRule("msgId", "string", False, "消息ID, 原样返回 (common netpay field)", "",
                  max_length=64),
    )


def _head() -> tuple[ResponseField, ...]:
    return (
        ResponseField("errCode", "string", "result", "错误代码", "SUCCESS", on_error=True),
        ResponseField("errMsg", "string", "result", "错误说明", "", on_error=True),
        ResponseField("msgId", "string", "echo", "消息ID (only when sent)", "", on_error=True),
        ResponseField("responseTimestamp", "string", "now", "报文响应时间 yyyy-MM-dd HH:mm:ss",
                      "2022-04-15 09:49:59", on_error=True),
        ResponseField("mid", "string", "echo", "商户号", "898310148160568", on_error=True),
        ResponseField("tid", "string", "echo", "终端号", "88880001", on_error=True),
        ResponseField("instMid", "string", "echo", "业务类型 (only when sent)", "APPDEFAULT",
                      on_error=True),
    )


_CLOSE_RESPONSE = (
    *_head(),
    ResponseField("connectSys", "string", "constant", "链接系统", "UNIONPAY", constant="UNIONPAY"),
    ResponseField("settleDate", "string", "today", "结算时间 yyyy-MM-dd", "2022-04-15"),
    ResponseField("settleRefId", "string", "order", "清分ID (= seqId without bankRefId)",
                  "35240829084N"),
    ResponseField("targetMid", "string", "order", "支付渠道商户号", "556266114"),
    ResponseField("srcReserve", "string", "echo", "请求系统预留字段", "C20220119000001",
                  on_error=True),
    ResponseField("merOrderId", "string", "echo", "商户订单号",
                  "346E202307151017581097208712", on_error=True),
    ResponseField("merName", "string", "order", "商户名称", "测试商户"),
    ResponseField("seqId", "string", "order", "平台流水号", "35240829084N"),
    ResponseField("status", "string", "order", "交易状态", "TRADE_CLOSED"),
    ResponseField("targetStatus", "string", "order", "目标平台状态", "SUCCESS|SUCCESS"),
    ResponseField("targetSys", "string", "order", "目标平台代码", "WXPay"),
    ResponseField("totalAmount", "number", "order", "支付总金额, 单位分 (a JSON number, as the "
                  "table's type says; the page's example shows a string)", "360"),
)

APP_PRE_CLOSE = EndpointSpec(
    path="/v1/netpay/wx/app-pre-close",
    title="微信(微信跳转小程序专用)订单关闭",
    summary="Close an unpaid WeChat jump-to-mini-program order.",
    action="close",
    target_sys="WXPay",
    request=_common_request(("APPDEFAULT",)),
    response=_CLOSE_RESPONSE,
)

ENDPOINTS: Mapping[str, EndpointSpec] = {spec.path: spec for spec in (APP_PRE_CLOSE,)}

"""The shape of an endpoint table, and the building blocks every product line's tables share: the
common request fields of the netpay family (protocol-evidence §4) and the common answer head.

The tables themselves live in `endpoints` (the mini-program/APP family), `h5` and `bills`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from mockums.protocol.fields import FieldRule
from mockums.protocol.statuses import Channel

Action = Literal["create", "query", "close", "refund", "refund_query",
                 "bill_create", "bill_update", "bill_close", "bill_query", "bill_refund", "bill_info"]
ResponseSource = Literal["result", "now", "today", "echo", "order", "constant"]
Product = Literal["netpay", "h5", "bills"]
BILL_ACTIONS: tuple[Action, ...] = ("bill_create", "bill_update", "bill_close", "bill_query", "bill_refund",
                                    "bill_info")

__all__ = ["ALL_INST_MIDS", "BILL_ACTIONS", "HEAD", "Action", "Channel", "EndpointSpec", "Portal", "Product",
           "ResponseField", "ResponseSource", "common_fields", "response_field"]


@dataclass(frozen=True)
class ResponseField:
    name: str
    type: Literal["string", "number", "object"]
    source: ResponseSource  # where the value comes from; see mockums.ledger.answers.render_answer
    description: str
    example: str
    constant: str = ""
    on_error: bool = False  # also present on business error answers


@dataclass(frozen=True)
class Portal:
    """Where an H5 order's browser is sent: the cashier page's path and the msgType its link carries."""

    path: str  # under the cashier's host, e.g. /netpay-portal/alipay2/h5Pay.do
    msg_type: str
    evidence: str  # "observed" when a real Location showed it, else "ours"


@dataclass(frozen=True)
class EndpointSpec:
    path: str
    title: str
    summary: str
    action: Action
    channel: Channel | None  # the wallet behind the endpoint; None when the buyer or the order decides
    request: tuple[FieldRule, ...]
    response: tuple[ResponseField, ...]
    one_of: tuple[str, ...] = ()  # at least one of these request fields must be present
    method: Literal["POST", "GET"] = "POST"  # GET: OPEN-FORM-PARAM in the query, answered with a redirect
    product: Product = "netpay"
    portal: Portal | None = None  # the cashier an H5 create redirects to

    def rule(self, name: str) -> FieldRule | None:
        return next((rule for rule in self.request if rule.name == name), None)


ALL_INST_MIDS = ("APPDEFAULT", "MINIDEFAULT", "H5DEFAULT", "QRPAYDEFAULT", "YUEDANDEFAULT")


def common_fields(
    inst_mids: tuple[str, ...], order_id_required: bool = True, order_id_max: int = 32
) -> tuple[FieldRule, ...]:
    """The fields every netpay request carries: requestTimestamp, merOrderId, instMid, mid, tid, srcReserve, msgId."""
    return (
        FieldRule("requestTimestamp", "body_time", True, "报文请求时间", "2022-04-15 09:49:59", clock_bound=True),
        FieldRule(
            "merOrderId",
            "string",
            order_id_required,
            "商户订单号",
            "346E202307151017581097208712",
            min_length=6,
            max_length=order_id_max,
        ),
        FieldRule("instMid", "string", True, "业务类型", inst_mids[0], choices=inst_mids),
        FieldRule("mid", "string", True, "商户号", "898201612345678", min_length=8, max_length=15),
        FieldRule("tid", "string", True, "终端号", "88880001", min_length=2, max_length=8),
        FieldRule("srcReserve", "string", False, "请求系统预留字段", "C20220119000001", max_length=255),
        FieldRule("msgId", "string", False, "消息ID, 原样返回", "", max_length=64),
    )


def response_field(
    name: str,
    kind: Literal["string", "number", "object"],
    description: str,
    example: str = "",
    source: ResponseSource = "order",
    *,
    on_error: bool = False,
    constant: str = "",
) -> ResponseField:
    """One answer field; `source` says where its value comes from (the order's values by default)."""
    return ResponseField(name, kind, source, description, example, constant, on_error)


HEAD = (
    response_field("errCode", "string", "错误代码", "SUCCESS", "result", on_error=True),
    response_field("errMsg", "string", "错误说明", "", "result", on_error=True),
    response_field("msgId", "string", "消息ID (only when sent)", "", "echo", on_error=True),
    response_field(
        "responseTimestamp", "string", "报文响应时间 yyyy-MM-dd HH:mm:ss", "2022-04-15 09:49:59", "now", on_error=True
    ),
    response_field("mid", "string", "商户号", "898310148160568", "echo", on_error=True),
    response_field("tid", "string", "终端号", "88880001", "echo", on_error=True),
    response_field("instMid", "string", "业务类型 (only when sent)", "APPDEFAULT", "echo", on_error=True),
)

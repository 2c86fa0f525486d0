"""What every netpay-family table shares (protocol-evidence §4): the common request fields, the business
types, and the answer head (errCode, errMsg, the echoed ids, responseTimestamp)."""

from __future__ import annotations

from mockums.protocol.fields import FieldRule
from mockums.protocol.spec import ResponseField, response_field

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




HEAD: tuple[ResponseField, ...] = (
    response_field("errCode", "string", "错误代码", "SUCCESS", "code", on_error=True),
    response_field("errMsg", "string", "错误说明", "", "message", on_error=True),
    response_field("msgId", "string", "消息ID (only when sent)", "", "echo", on_error=True),
    response_field(
        "responseTimestamp", "string", "报文响应时间 yyyy-MM-dd HH:mm:ss", "2022-04-15 09:49:59", "now", on_error=True
    ),
    response_field("mid", "string", "商户号", "898310148160568", "echo", on_error=True),
    response_field("tid", "string", "终端号", "88880001", "echo", on_error=True),
    response_field("instMid", "string", "业务类型 (only when sent)", "APPDEFAULT", "echo", on_error=True),
)

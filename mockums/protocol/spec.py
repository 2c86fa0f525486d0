"""The shape of an endpoint table: its request field rules and its answer fields, each answer field saying
where its value comes from. Each product line (`mockums.lines`) writes its tables in this shape;
validation, answers, the endpoint reference and both OpenAPI documents are derived from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from mockums.protocol.fields import FieldRule
from mockums.protocol.statuses import Channel

# What JSON an answer field holds (a list of objects is an "array": 分账's subOrders).
AnswerType = Literal["string", "number", "boolean", "object", "array"]

# Where an answer field's value comes from: the rule's result code or message, the time of the answer or
# its date, the request (as sent), the values the rule gave (the order's), or a constant.
ResponseSource = Literal["code", "message", "now", "today", "echo", "order", "constant"]

__all__ = ["AnswerType", "Channel", "EndpointSpec", "ResponseField", "ResponseSource", "response_field"]


@dataclass(frozen=True)
class ResponseField:
    """One field of an answer."""

    name: str
    type: AnswerType
    source: ResponseSource  # where the value comes from; see mockums.protocol.answers.render_answer
    description: str
    example: str
    constant: str = ""
    on_error: bool = False  # also present on business error answers


@dataclass(frozen=True)
class EndpointSpec:
    """One endpoint: its path (any version prefix), what it is for, its request fields and its answer."""

    path: str
    title: str
    summary: str
    action: str  # what it does, in a word the endpoint reference shows (create, query, close, bill_create…)
    channel: Channel | None  # the wallet behind the endpoint; None when the buyer or the order decides
    request: tuple[FieldRule, ...]
    response: tuple[ResponseField, ...]
    one_of: tuple[str, ...] = ()  # at least one of these request fields must be present
    method: Literal["POST", "GET"] = "POST"  # GET: OPEN-FORM-PARAM in the query, answered with a redirect
    note: str = ""  # what the endpoint reference adds: how a success answers when not with the table (a redirect)
    # Required values no field rule states, which the sample request carries after the table's examples (an amount
    # that may be 0, such as sub-orders-confirm's platformAmount): (name, value) pairs.
    sample: tuple[tuple[str, object], ...] = ()
    # The request fields that name the order, the merchant and the terminal (POS link: merchantOrderId,
    # merchantCode, terminalCode): samples fill them, the journal files a request under them.
    order_field: str = "merOrderId"
    merchant_field: str = "mid"
    terminal_field: str = "tid"

    def rule(self, name: str) -> FieldRule | None:
        """The rule of request field `name`, if the table has one."""
        return next((rule for rule in self.request if rule.name == name), None)


def response_field(
    name: str,
    kind: AnswerType,
    description: str,
    example: str = "",
    source: ResponseSource = "order",
    *,
    on_error: bool = False,
    constant: str = "",
) -> ResponseField:
    """One answer field; `source` says where its value comes from (the order's values by default)."""
    return ResponseField(name, kind, source, description, example, constant, on_error)

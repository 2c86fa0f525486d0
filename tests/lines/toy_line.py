"""A product line of its own, in one file: its endpoint table, its vocabulary (success "00" with errInfo) and its
book. `tests/lines/test_toy_line.py` serves it beside the bundled lines; the README shows it."""

from __future__ import annotations

from collections.abc import Mapping

from mockums.ledger.calls import Call, Outcome
from mockums.lines import Book, ProductLine, Services
from mockums.protocol.fields import FieldRule
from mockums.protocol.spec import EndpointSpec, response_field
from mockums.protocol.vocabulary import Situation, Vocabulary

PING = "/v9/toy/ping"

VOCABULARY = Vocabulary(
    success="00",
    catalogue={"00": "成功", "1000": "请求报文有错", "1001": "请求时间异常", "ER": "交易失败"},
    situations={"bad_request": Situation("1000", "请求报文有错: {details}", "a field breaks its rule"),
                "abnormal_time": Situation("1001", "请求时间异常: {details}", "strict mode: a skewed time")},
    message_field="errInfo",
)

SPEC = EndpointSpec(
    PING, "玩具", "Answer a ping with the amount it carried.", "ping", None,
    (FieldRule("merchantOrderId", "string", True, "商户订单号", "TOY0001", min_length=4, max_length=32),
     FieldRule("transactionAmount", "amount", True, "金额, 单位分", "100")),
    (response_field("errCode", "string", "错误代码", "00", "code", on_error=True),
     response_field("errInfo", "string", "错误说明", "成功", "message", on_error=True),
     response_field("merchantOrderId", "string", "商户订单号", "TOY0001", "echo", on_error=True),
     response_field("amount", "number", "金额", "100")),
)


class Toy(Book):
    """Answers every ping with its amount; its subject is the merchantOrderId."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def perform(self, call: Call) -> Outcome:
        return Outcome("00", "成功", None, {"amount": call.body["transactionAmount"]})

    def subject(self, spec: EndpointSpec, body: Mapping[str, object]) -> object:
        return body.get("merchantOrderId")


TOY = ProductLine(name="toy", title="A toy line", vocabulary=VOCABULARY, endpoints=(SPEC,), open=Toy,
                  answer_domains={"errCode": tuple(VOCABULARY.catalogue)})

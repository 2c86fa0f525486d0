"""POS link (B扫C): the cashier scans the customer's payment code. pay, query, voidpayment, refund, query-refund,
reversepayment and activeterminal on v2, pay on v4, and v6's five; success is `errCode "00"` with `errInfo`, and
no notifications are sent (clients poll query). Magic payment codes (`cases`) play the password, timeout and
failure cases."""

from __future__ import annotations

from collections.abc import Mapping

from mockums.ledger.calls import Call, Outcome
from mockums.lines.bundled import bundled
from mockums.lines.line import Book, LostAnswer, ProductLine, Services
from mockums.lines.poslink.cases import case_of
from mockums.lines.poslink.deviations import POS_DEVIATIONS
from mockums.lines.poslink.endpoints import POS_SPECS, V2
from mockums.lines.poslink.rules import LINE, PosRules
from mockums.lines.poslink.vocabulary import QUERY_RES_CODES, SITUATIONS, VOCABULARY
from mockums.protocol.spec import EndpointSpec
from mockums.protocol.statuses import ORDER_STATUSES


class PosLink(Book):
    """POS link's book: its rules over the ledger, and the payments whose answers a magic code loses."""

    def __init__(self, services: Services) -> None:
        self.rules = PosRules(services)

    def perform(self, call: Call) -> Outcome:
        return self.rules.rules[call.spec.action](call)

    def subject(self, spec: EndpointSpec, body: Mapping[str, object]) -> object:
        """The merchantOrderId; else, for a request by originalOrderId alone, the merchantOrderId of the payment it
        names (or the originalOrderId itself when it names none)."""
        merchant_order_id = body.get("merchantOrderId")
        if merchant_order_id not in (None, "") or spec.action == "pos_activate":
            return merchant_order_id
        original = body.get("originalOrderId")
        if isinstance(original, str) and original:
            key = self.rules.ledger.orders.key_of_target(original)
            return key[1] if key is not None else original
        return original

    def lost_answer(self, call: Call, outcome: Outcome) -> LostAnswer | None:
        """A pay made with a timeout code, that made its payment, is not answered."""
        if call.spec.action != "pos_pay" or outcome.order is None or outcome.order.created_at != call.now:
            return None
        pay_code = call.body.get("payCode", call.body.get("qrCode"))
        case = case_of(pay_code) if isinstance(pay_code, str) else None
        if case is None or case.fault is None:
            return None
        return LostAnswer(case.fault, f"magic payment code: {case.describe}")

    def refused(self, call: Call, outcome: Outcome) -> None:
        """A pay a scenario refused (`MKPOS97…`) leaves a failed payment: its query answers `5 交易失败`, not the
        paid payment the scenario's ids would otherwise be taken to be."""
        if call.spec.action == "pos_pay" and outcome.err_msg != SITUATIONS["paying"].text():
            self.rules.refused_pay(call, outcome)  # an `ER 用户支付中` answer is no refusal: the payment is paying


def open_book(services: Services) -> Book:
    """POS link's rules over the sandbox's ledger (its payment facts kept in the orders)."""
    return PosLink(services)


POSLINK = ProductLine(
    name=LINE, title="POS link (B扫C 被扫支付): the cashier scans the customer's payment code", vocabulary=VOCABULARY,
    endpoints=POS_SPECS, open=open_book,
    answer_domains={"errCode": tuple(VOCABULARY.catalogue), "queryResCode": QUERY_RES_CODES},
    order_statuses=ORDER_STATUSES, deviations=POS_DEVIATIONS, scenarios=bundled(LINE),
    order_calls={"void": f"{V2}/voidpayment", "refund": f"{V2}/refund"},
    order_call_fields={"amount": "transactionAmount", "request_id": "refundRequestId"},
)

__all__ = ["POSLINK", "PosLink"]

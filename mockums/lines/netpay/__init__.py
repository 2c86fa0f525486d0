"""The netpay line: WeChat and Alipay mini-program and APP orders, and the query, close, refund and refund
query calls every netpay-family order (H5 and a bill's payments included) goes through."""

from __future__ import annotations

from collections.abc import Callable

from mockums.lines.bundled import bundled
from mockums.lines.line import Book, ProductLine, Services
from mockums.lines.netpay.creates import OTHER_CREATE_SPECS
from mockums.lines.netpay.deviations import NETPAY_DEVIATIONS
from mockums.lines.netpay.endpoints import GUARANTEE_SPECS, NETPAY_SPECS
from mockums.lines.netpay.errors import BUSINESS_ERRORS, VOCABULARY
from mockums.lines.netpay.rules import LINE, NetpayRules
from mockums.protocol.deviations import Deviation
from mockums.protocol.spec import EndpointSpec
from mockums.protocol.statuses import ORDER_STATUSES, REFUND_STATUS_VALUES, SECURE_STATUSES
from mockums.protocol.vocabulary import Vocabulary
from mockums.protocol.wallets import TARGET_SYSTEMS

# The values a scenario may give these answer fields (a typo such as TARGET_FIAL is an error when it loads).
ANSWER_DOMAINS = {
    "errCode": tuple(BUSINESS_ERRORS),
    "status": ORDER_STATUSES,
    "refundStatus": REFUND_STATUS_VALUES,
    "targetSys": TARGET_SYSTEMS,
    "secureStatus": SECURE_STATUSES,
}


# Every netpay-family order (H5 and a bill's payments included) is closed and refunded through these.
ORDER_CALLS = {"close": "/v1/netpay/close", "refund": "/v1/netpay/refund"}


def family_line(name: str, title: str, vocabulary: Vocabulary, endpoints: tuple[EndpointSpec, ...],
                open_book: Callable[[Services], Book], deviations: tuple[Deviation, ...] = ()) -> ProductLine:
    """A line of the netpay family: its orders are the ledger's, with the family's answer values, statuses and
    close and refund calls, and its bundled scenarios are `scenarios/<name>/`."""
    return ProductLine(name=name, title=title, vocabulary=vocabulary, endpoints=endpoints, open=open_book,
                       answer_domains=ANSWER_DOMAINS, order_statuses=ORDER_STATUSES, deviations=deviations,
                       scenarios=bundled(name), order_calls=ORDER_CALLS, family=LINE)


def open_book(services: Services) -> Book:
    """The netpay rules over the sandbox's ledger."""
    return NetpayRules(services, LINE)


NETPAY = family_line(LINE, "Mini-program and APP payment (微信/支付宝小程序, APP)", VOCABULARY,
                     (*NETPAY_SPECS, *OTHER_CREATE_SPECS, *GUARANTEE_SPECS), open_book, NETPAY_DEVIATIONS)

__all__ = ["ANSWER_DOMAINS", "NETPAY", "ORDER_CALLS", "NetpayRules", "family_line"]

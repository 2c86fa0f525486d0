"""The H5 line: an order created by a browser GET (OPEN-FORM-PARAM), answered with a redirect to the cashier
page, then paid (or not) there. Its orders are netpay-family orders: queried, closed and refunded through
the netpay calls, notified in the netpay form."""

from __future__ import annotations

from collections.abc import Mapping

from mockums.lines.h5.cashier import H5Page
from mockums.lines.h5.endpoints import H5_SPECS, PORTALS
from mockums.lines.h5.links import CashierLinks
from mockums.lines.line import Book, Page, Services
from mockums.lines.netpay import family_line
from mockums.lines.netpay.errors import VOCABULARY
from mockums.lines.netpay.rules import NetpayRules
from mockums.protocol.spec import EndpointSpec

LINE = "h5"


class H5Rules(NetpayRules):
    """An H5 create is a netpay create whose success sends the browser to the cashier page."""

    def __init__(self, services: Services) -> None:
        super().__init__(services, LINE)
        self.links = CashierLinks()
        self.pages: Mapping[str, Page] = {PORTALS[spec.path].path: H5Page(spec, services, self.links)
                                          for spec in H5_SPECS}

    def redirect(self, spec: EndpointSpec, content: Mapping[str, object], app_id: str, base_url: str) -> str | None:
        return self.links.h5_location(PORTALS[spec.path], content, app_id, base_url)


def open_book(services: Services) -> Book:
    """The H5 rules over the sandbox's ledger, with the cashier pages."""
    return H5Rules(services)


H5 = family_line(LINE, "H5 payment (H5支付) with the cashier page", VOCABULARY, H5_SPECS, open_book)

__all__ = ["H5", "H5Rules"]

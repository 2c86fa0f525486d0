"""The H5 line: an order created by a browser GET (OPEN-FORM-PARAM), answered with a redirect to the cashier
page, then paid (or not) there. Its orders are netpay-family orders: queried, closed and refunded through
the netpay calls, notified in the netpay form."""

from __future__ import annotations

from collections.abc import Mapping

from mockums.ledger.ledger import text
from mockums.ledger.model import Order
from mockums.lines.h5.cashier import H5Page
from mockums.lines.h5.endpoints import H5_SPECS, PORTALS
from mockums.lines.h5.links import CashierLinks
from mockums.lines.line import Book, Page, Services
from mockums.lines.netpay import family_line
from mockums.lines.netpay.errors import VOCABULARY
from mockums.lines.netpay.rules import NetpayRules
from mockums.protocol.fields import coerce_amount
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

    def reopen(self, spec: EndpointSpec, content: Mapping[str, object], app_id: str, base_url: str,
               err_code: str) -> str | None:
        """A link opened again (a reload, the back button, a second tap) repeats its create, which the gateway
        answers DUP_ORDER; the buyer is sent to the cashier of the order the link made, as the first time (ours:
        the real answer to a repeated H5 link has not been seen). Content naming another order's id (another
        app, amount or business type) keeps the DUP_ORDER answer."""
        if err_code != REPEATED_CREATE:
            return None
        order = self.ledger.order(text(content, "mid") or "", text(content, "merOrderId") or "")
        if order is None or not made_by(order, content, app_id):
            return None
        return self.redirect(spec, content, app_id, base_url)


REPEATED_CREATE = "DUP_ORDER"  # what a create answers when its (mid, merOrderId) is taken


def made_by(order: Order, content: Mapping[str, object], app_id: str) -> bool:
    """Whether `content` is the H5 order `order` was created from: the same app, amount and business type."""
    return (order.line == LINE and order.app_id == app_id and order.inst_mid == text(content, "instMid")
            and order.total_amount == coerce_amount(content.get("totalAmount")))


def open_book(services: Services) -> Book:
    """The H5 rules over the sandbox's ledger, with the cashier pages."""
    return H5Rules(services)


H5 = family_line(LINE, "H5 payment (H5支付) with the cashier page", VOCABULARY, H5_SPECS, open_book)

__all__ = ["H5", "H5Rules"]

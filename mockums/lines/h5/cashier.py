"""The cashier page of an H5 order: what the buyer sees after the create's redirect, and what Pay, Cancel
and Leave unpaid do.

Pay marks the order paid (the notification goes out, with retries) and sends the browser to `returnUrl`
with the signed result the platform adds. Cancel leaves the order unpaid and sends the browser back to
`returnUrl` the same way (ours: the platform's behaviour on a cancel has not been seen). Leave unpaid
changes nothing: the order stays open until it expires.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from mockums.clock import format_time
from mockums.errors import Invalid, NotFound
from mockums.ledger.calls import Event
from mockums.ledger.model import Order
from mockums.lines.cashier import WALLET_NAMES, chosen_action, chosen_wallet, read_query, sendable, with_query
from mockums.lines.h5.links import CashierLinks
from mockums.lines.line import CashierRedirect, CashierView, Services
from mockums.lines.netpay.answers import describe, yuan
from mockums.lines.netpay.notification import signed_form
from mockums.protocol.spec import EndpointSpec
from mockums.protocol.statuses import OPEN_STATUSES, TRADE_CLOSED, TRADE_REFUND, TRADE_SUCCESS

_TONES = {TRADE_SUCCESS: "paid", TRADE_REFUND: "paid", TRADE_CLOSED: "closed"}
_NOTICES = {TRADE_CLOSED: "订单已关闭 (the order is closed)", TRADE_SUCCESS: "订单已支付 (already paid)",
            TRADE_REFUND: "订单已支付 (already paid, refunded since)"}


class H5Page:
    """The cashier an H5 create (`spec`) sends the browser to."""

    def __init__(self, spec: EndpointSpec, services: Services, links: CashierLinks) -> None:
        self.spec = spec
        self.services = services
        self.links = links

    def _order(self, raw_query: str) -> tuple[dict[str, str], Order]:
        params = read_query(raw_query)
        if not self.links.signed(params):
            raise Invalid("this cashier link was not issued by this sandbox, or it was changed after it was issued")
        key = (params.get("mid", ""), params.get("merOrderId", ""))
        ledger, now = self.services.ledger, self.services.clock.now()
        self.services.dispatch(ledger.catch_up(key, now))
        order = ledger.order(*key)
        if order is None:
            raise NotFound("the order of this link is not kept any more (the sandbox was reset or restarted)")
        return params, order

    def _view(self, params: Mapping[str, str], order: Order) -> CashierView:
        choose = self.spec.channel is None and order.status in OPEN_STATUSES
        merchant = str(describe(order, self.services.generator)["merName"])
        return CashierView(
            "收银台 Cashier", merchant, order.mer_order_id, yuan(order.total_amount),
            None if choose else WALLET_NAMES.get(order.target_sys, order.target_sys),
            tuple(WALLET_NAMES.items()) if choose else (), order.status, params.get("orderDesc", ""),
            format_time(order.expire_at), _NOTICES.get(order.status, ""), order.status in OPEN_STATUSES,
            tone=_TONES.get(order.status, "open"))

    def view(self, raw_query: str) -> CashierView:
        """The page an H5 link opens. NotFound for a link to nothing, Invalid for a link not ours."""
        return self._view(*self._order(raw_query))

    def act(self, raw_query: str, form: Mapping[str, str]) -> CashierView | CashierRedirect:
        """The buyer presses Pay, Cancel or Leave unpaid."""
        action = chosen_action(form)
        params, order = self._order(raw_query)
        view = self._view(params, order)
        if action == "leave":
            return replace(view, outcome="left", can_pay=False,
                           notice=f"订单未支付: it stays {order.status} until {view.expires}, then closes")
        if action == "pay":
            if not view.can_pay:
                return view
            wallet = chosen_wallet(form) if self.spec.channel is None else None
            events, _ = self.services.ledger.pay(order.key, self.services.clock.now(), "paid at the cashier", wallet)
            self.services.dispatch(events)
            order = self.services.ledger.order(*order.key) or order
            view = replace(self._view(params, order), outcome="paid", notice="")  # paid now, not "already paid"
        else:
            view = replace(view, outcome="cancelled", can_pay=False, notice="支付已取消: the order stays unpaid")
        return_url = params.get("returnUrl")
        if return_url is None or not sendable(return_url):
            return view
        return CashierRedirect(with_query(return_url, self.result(order)))

    def result(self, order: Order) -> dict[str, str]:
        """The signed fields the platform adds to returnUrl: the order's notification fields (a 2018 capture)."""
        services = self.services
        params, _, _ = signed_form(Event("payment", order), services.generator,
                                   services.settings.app(order.app_id), services.clock.now())
        return params

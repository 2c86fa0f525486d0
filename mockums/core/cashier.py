"""The cashier: what the buyer sees for an H5 order or a scanned code, and what Pay, Cancel and Leave
unpaid do. It decides; the HTTP shell renders the page (HTML and CSS shipped in the package).

Pay marks the order paid (the notification goes out in the product line's shape, with retries) and
sends the browser to `returnUrl` with the signed result the platform adds. Cancel leaves the order
unpaid and sends the browser back to `returnUrl` the same way (ours: the platform's behaviour on a
cancel has not been seen). Leave unpaid changes nothing: the order stays open until it expires.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from mockums.clock import Clock, format_time
from mockums.config import Settings
from mockums.core.errors import Invalid, NotFound
from mockums.core.links import CashierLinks, encode_query, read_query
from mockums.ledger.answers import yuan
from mockums.ledger.bill_answers import paid_payment
from mockums.ledger.bill_model import QrCode
from mockums.ledger.bills import BillBook
from mockums.ledger.generate import Generator
from mockums.ledger.model import Order
from mockums.ledger.rules import Event, Ledger
from mockums.notify.bill_form import bill_return
from mockums.notify.form import signed_form
from mockums.protocol.bills import BILL_CODE_PATH
from mockums.protocol.endpoints import ENDPOINTS
from mockums.protocol.fields import AMOUNT_MAX
from mockums.protocol.spec import EndpointSpec
from mockums.protocol.statuses import OPEN_STATUSES

WALLETS = {"WXPay": "微信支付", "Alipay 2.0": "支付宝", "UAC": "云闪付"}  # what the page calls each wallet
ACTIONS = ("pay", "cancel", "leave")
PORTALS = {spec.portal.path: spec for spec in ENDPOINTS.values() if spec.portal is not None}


@dataclass(frozen=True)
class CashierView:
    """One cashier page: the order or bill, what may be done, and what just happened (`outcome`)."""

    kind: str  # "h5" or "bill"
    merchant: str
    order_id: str
    amount: str | None  # yuan, e.g. "3.60"; None: the buyer enters the amount (a fixed code without one)
    wallet: str | None  # the wallet's name when the link decides it
    wallet_choices: tuple[tuple[str, str], ...]  # (targetSys, name) when the buyer chooses
    status: str
    description: str
    expires: str
    notice: str = ""
    can_pay: bool = False
    outcome: str = ""  # "", "paid", "cancelled" or "left"


@dataclass(frozen=True)
class CashierRedirect:
    """Send the browser elsewhere (the merchant's returnUrl, with the signed result)."""

    url: str


def with_query(url: str, params: Mapping[str, str]) -> str:
    """`url` with `params` appended to its query string."""
    return f"{url}{'&' if '?' in url else '?'}{encode_query(params)}"


def sendable(url: str | None) -> bool:
    """Whether a returnUrl can go into a Location header (no control characters, no spaces)."""
    return bool(url) and not any(ord(char) <= 32 or ord(char) == 127 for char in url or "")


def chosen_wallet(form: Mapping[str, str]) -> str | None:
    """The wallet the buyer picked, if it is one the page offers."""
    wallet = form.get("wallet")
    return wallet if wallet in WALLETS else None


def amount_fen(text: str | None) -> int | None:
    """An amount the buyer typed, in yuan ("3.6", "3.60", "12"), as fen; None when it is not one."""
    whole, _, cents = (text or "").strip().partition(".")
    if not whole.isdigit() or not whole.isascii() or len(whole) > 7 or len(cents) > 2 or not (
            cents == "" or (cents.isdigit() and cents.isascii())):
        return None
    fen = int(whole) * 100 + int(cents.ljust(2, "0") or "0")
    return fen if 1 <= fen <= AMOUNT_MAX else None


class Cashier:
    """The cashier pages: an H5 order's (`h5_page`, `h5_act`) and a scanned QR code's (`code_page`, `code_act`)."""

    def __init__(self, settings: Settings, clock: Clock, ledger: Ledger, bills: BillBook, generator: Generator,
                 links: CashierLinks, dispatch: Callable[[Sequence[Event]], None]) -> None:
        self.settings = settings
        self.clock = clock
        self.ledger = ledger
        self.bills = bills
        self.generator = generator
        self.links = links
        self.dispatch = dispatch

    def page(self, path: str, raw_query: str) -> CashierView:
        """The page a link opens (an H5 order's or a QR code's)."""
        return self.code_page(raw_query) if path == BILL_CODE_PATH else self.h5_page(path, raw_query)

    def act(self, path: str, raw_query: str, form: Mapping[str, str]) -> CashierView | CashierRedirect:
        """The buyer's choice on a page."""
        return self.code_act(raw_query, form) if path == BILL_CODE_PATH else self.h5_act(path, raw_query, form)

    def is_h5(self, path: str) -> bool:
        """Whether `path` is an H5 cashier page."""
        return path in PORTALS

    def _order(self, path: str, raw_query: str) -> tuple[EndpointSpec, dict[str, str], Order]:
        spec = PORTALS.get(path)
        if spec is None:
            raise NotFound(f"no cashier page at {path}")
        params = read_query(raw_query)
        if not self.links.signed(params):
            raise Invalid("this cashier link was not issued by this sandbox, or it was changed after it was issued")
        order = self.ledger.orders.get(params.get("mid", ""), params.get("merOrderId", ""))
        if order is None:
            raise NotFound("the order of this link is not kept any more (the sandbox was reset or restarted)")
        self.dispatch(self.ledger.catch_up(order, self.clock.now()))
        return spec, params, order

    def _view(self, spec: EndpointSpec, params: Mapping[str, str], order: Order) -> CashierView:
        choose = spec.channel is None and order.status in OPEN_STATUSES
        notice = {"TRADE_CLOSED": "订单已关闭 (the order is closed)", "TRADE_SUCCESS": "订单已支付 (already paid)",
                  "TRADE_REFUND": "订单已支付 (already paid, refunded since)"}.get(order.status, "")
        return CashierView(
            "h5", str(self.ledger.describe(order)["merName"]), order.mer_order_id, yuan(order.total_amount),
            None if choose else WALLETS.get(order.target_sys, order.target_sys),
            tuple(WALLETS.items()) if choose else (), order.status, params.get("orderDesc", ""),
            format_time(order.expire_at), notice, order.status in OPEN_STATUSES)

    def h5_page(self, path: str, raw_query: str) -> CashierView:
        """The page an H5 link opens. NotFound for a link to nothing, Invalid for a link not ours."""
        return self._view(*self._order(path, raw_query))

    def h5_act(self, path: str, raw_query: str, form: Mapping[str, str]) -> CashierView | CashierRedirect:
        """The buyer presses Pay, Cancel or Leave unpaid on an H5 order's page."""
        action = form.get("action", "")
        if action not in ACTIONS:
            raise Invalid(f"action must be one of {', '.join(ACTIONS)}, got {action[:20]!r}")
        spec, params, order = self._order(path, raw_query)
        view = self._view(spec, params, order)
        if action == "leave":
            return replace(view, outcome="left", can_pay=False,
                           notice=f"订单未支付: it stays {order.status} until {view.expires}, then closes")
        if action == "pay":
            if not view.can_pay:
                return view
            wallet = chosen_wallet(form)
            if spec.channel is None and wallet is not None:
                order.target_sys = wallet
            events, _ = self.ledger.pay_now(order, self.clock.now(), "paid at the cashier")
            self.dispatch(events)
            view = replace(self._view(spec, params, order), outcome="paid")
        else:
            view = replace(view, outcome="cancelled", can_pay=False, notice="支付已取消: the order stays unpaid")
        return_url = params.get("returnUrl")
        if return_url is None or not sendable(return_url):
            return view
        return CashierRedirect(with_query(return_url, self.result(order)))

    def result(self, order: Order) -> dict[str, str]:
        """The signed fields the platform adds to returnUrl: the order's notification fields (a 2018 capture)."""
        params, _, _ = signed_form(Event("payment", order), self.generator, self.settings.app(order.app_id),
                                   self.clock.now())
        return params

    # -- QR codes --------------------------------------------------------------------------------------

    def _code(self, raw_query: str) -> QrCode:
        qr_code_id = read_query(raw_query).get("id", "")
        code = self.bills.code(qr_code_id)
        if code is None:
            raise NotFound(f"no QR code {qr_code_id[:40]!r} is kept (it was never issued, or the sandbox was reset)")
        return code

    def _code_view(self, code: QrCode) -> CashierView:
        now = self.clock.now()
        bill = self.bills.current(code)
        payments = self.bills.payments(bill) if bill else []
        self.dispatch([event for order in payments for event in self.ledger.catch_up(order, now)])
        paid = paid_payment(payments) is not None
        live = bill is not None and not bill.closed and (code.one_time or not paid)
        status = self.bills.status(code, bill if live else None, now)
        amount = bill.total_amount if live and bill else code.amount
        notice, can_pay = "", code.open_at(now)
        if not can_pay:
            notice = "二维码已失效 (the code is closed or has expired)"
        elif live and paid and code.wallet_option == "SINGLE":
            notice, can_pay = "账单已支付 (paid; walletOption SINGLE allows one payment)", False
        elif live and paid:
            notice = "账单已支付: paying again makes a second payment (walletOption is not SINGLE)"
        return CashierView(
            "bill", code.merchant, bill.bill_no if live and bill else code.qr_code_id,
            yuan(amount) if amount is not None else None, None, tuple(WALLETS.items()), status,
            (bill.bill_desc if live and bill else None) or code.bill_desc or "",
            format_time(code.expire_at) if code.expire_at is not None else "长期有效 (a fixed code never expires)",
            notice, can_pay)

    def code_page(self, raw_query: str) -> CashierView:
        """What the buyer sees after scanning a code (opening its billQRCode)."""
        return self._code_view(self._code(raw_query))

    def code_act(self, raw_query: str, form: Mapping[str, str]) -> CashierView | CashierRedirect:
        """The buyer presses Pay, Cancel or Leave unpaid after scanning a code."""
        action = form.get("action", "")
        if action not in ACTIONS:
            raise Invalid(f"action must be one of {', '.join(ACTIONS)}, got {action[:20]!r}")
        code = self._code(raw_query)
        view = self._code_view(code)
        if action != "pay":
            notice = "支付已取消: nothing was paid" if action == "cancel" else "账单未支付: nothing was paid"
            return replace(view, outcome="cancelled" if action == "cancel" else "left", can_pay=False, notice=notice)
        typed = form.get("amount")
        amount = amount_fen(typed) if view.amount is None else None
        if view.amount is None and amount is None:
            return replace(view, notice=f"请输入金额: {(typed or '')[:20]!r} is not an amount in yuan (e.g. 3.60)")
        events, problem = self.bills.pay_code(code, self.clock.now(), chosen_wallet(form), amount,
                                              "paid at the cashier (scanned)")
        self.dispatch(events)
        if problem is not None:
            return replace(view, notice=problem, can_pay=False)
        order = next(event.order for event in reversed(events) if event.kind == "payment")
        facts = self.bills.facts(order, self.clock.now())
        if code.return_url is None or not sendable(code.return_url) or facts is None:
            return replace(self._code_view(code), outcome="paid")
        app = self.settings.app(code.app_id)
        return CashierRedirect(with_query(code.return_url, bill_return(Event("payment", order), facts,
                                                                          self.generator, app)))

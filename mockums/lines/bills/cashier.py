"""The page a scanned QR code opens (its billQRCode): the bill to pay, or an amount to enter for a fixed
code without one, and what Pay, Cancel and Leave unpaid do."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from mockums.clock import format_time
from mockums.errors import NotFound
from mockums.ledger.calls import Event
from mockums.lines.bills.answers import paid_payment
from mockums.lines.bills.lookups import BillLookups
from mockums.lines.bills.model import QrCode
from mockums.lines.bills.notification import bill_return
from mockums.lines.bills.payments import Payments
from mockums.lines.cashier import (
    WALLET_NAMES,
    amount_fen,
    chosen_action,
    chosen_wallet,
    read_query,
    sendable,
    with_query,
)
from mockums.lines.line import CashierRedirect, CashierView, Services
from mockums.lines.netpay.answers import yuan

_TONES = {"PAID": "paid", "REFUND": "paid", "CLOSED": "closed"}  # how a bill's status looks


class CodePage:
    """The cashier of a scanned code."""

    def __init__(self, services: Services, lookups: BillLookups, payments: Payments) -> None:
        self.services = services
        self.lookups = lookups
        self.payments = payments

    def _code(self, raw_query: str) -> QrCode:
        qr_code_id = read_query(raw_query).get("id", "")
        code = self.lookups.code(qr_code_id)
        if code is None:
            raise NotFound(f"no QR code {qr_code_id[:40]!r} is kept (it was never issued, or the sandbox was reset)")
        return code

    def _view(self, code: QrCode) -> CashierView:
        now = self.services.clock.now()
        bill = self.lookups.current(code)
        payments, events = self.lookups.caught_up(bill, now)
        self.services.dispatch(events)
        paid = paid_payment(payments) is not None
        live = bill is not None and not bill.closed and (code.one_time or not paid)
        status = self.lookups.status(code, bill if live else None, now)
        amount = bill.total_amount if live and bill else code.amount
        notice, can_pay = "", code.open_at(now)
        if not can_pay:
            notice = "二维码已失效 (the code is closed or has expired)"
        elif live and paid and code.wallet_option == "SINGLE":
            notice, can_pay = "账单已支付 (paid; walletOption SINGLE allows one payment)", False
        elif live and paid:
            notice = "账单已支付: paying again makes a second payment (walletOption is not SINGLE)"
        return CashierView(
            "扫码支付 QR payment", code.merchant, bill.bill_no if live and bill else code.qr_code_id,
            yuan(amount) if amount is not None else None, None, tuple(WALLET_NAMES.items()), status,
            (bill.bill_desc if live and bill else None) or code.bill_desc or "",
            format_time(code.expire_at) if code.expire_at is not None else "长期有效 (a fixed code never expires)",
            notice, can_pay, tone=_TONES.get(status, "open"))

    def view(self, raw_query: str) -> CashierView:
        """What the buyer sees after scanning a code (opening its billQRCode)."""
        return self._view(self._code(raw_query))

    def act(self, raw_query: str, form: Mapping[str, str]) -> CashierView | CashierRedirect:
        """The buyer presses Pay, Cancel or Leave unpaid after scanning a code."""
        action = chosen_action(form)
        code = self._code(raw_query)
        view = self._view(code)
        if action != "pay":
            notice = "支付已取消: nothing was paid" if action == "cancel" else "账单未支付: nothing was paid"
            return replace(view, outcome="cancelled" if action == "cancel" else "left", can_pay=False, notice=notice)
        typed = form.get("amount")
        amount = amount_fen(typed) if view.amount is None else None
        if view.amount is None and amount is None:
            return replace(view, notice=f"请输入金额: {(typed or '')[:20]!r} is not an amount in yuan (e.g. 3.60)")
        services = self.services
        events, problem = self.payments.pay_code(code, services.clock.now(), chosen_wallet(form), amount,
                                                 "paid at the cashier (scanned)")
        services.dispatch(events)
        if problem is not None:
            return replace(view, notice=problem, can_pay=False)
        order = next(event.order for event in reversed(events) if event.kind == "payment")
        facts = self.lookups.facts(order, services.clock.now())
        if code.return_url is None or not sendable(code.return_url) or facts is None:
            return replace(self._view(code), outcome="paid", notice="")  # paid now, not "already paid"
        app = services.settings.app(code.app_id)
        return CashierRedirect(with_query(code.return_url, bill_return(Event("payment", order), facts,
                                                                          services.generator, app)))

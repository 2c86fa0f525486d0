"""QR pre-authorisation (预授权) on bills: a one-time bill created with `preauthTransaction` is authorised when its
code is paid; `bills/preauthed` completes it for `completedAmount` (at most the amount authorised),
`bills/preauthed-cancel` undoes a completion, and `preauth-cancel` releases an authorisation not completed.

Evidence: the C扫B document lists bills/preauthed and a pre-authorisation cancel for UnionPay codes; one public
client (majiameng/chinaums-php) calls the three paths served here with merOrderId, instMid QRPAYDEFAULT and,
to complete, completedAmount. Nothing public shows their answers or refusals: the states, the answer fields
beyond the common ones and every refusal here are ours. The payment order stays paid in the ledger whatever is
done to its authorisation (ours: no notification of a pre-authorisation has been seen). Pure: no HTTP.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from mockums.ledger.calls import Call, Outcome
from mockums.ledger.ledger import Ledger, text
from mockums.ledger.model import Order
from mockums.lines.bills.errors import VOCABULARY
from mockums.lines.bills.lookups import BillLookups
from mockums.lines.bills.model import Bill
from mockums.protocol.fields import coerce_amount
from mockums.protocol.statuses import PAID_STATUSES


def said(name: str, **details: object) -> Outcome:
    """A pre-authorisation refusal the vocabulary names."""
    known = VOCABULARY.situations[name]
    return Outcome(known.err_code, known.text(**details))


class PreauthRules:
    """The three pre-authorisation calls over the bills kept and the ledger's payments."""

    def __init__(self, lookups: BillLookups, ledger: Ledger) -> None:
        self.lookups = lookups
        self.store = lookups.store
        self.ledger = ledger
        self.rules: Mapping[str, Callable[[Call], Outcome]] = {
            "preauth_complete": self.complete, "preauth_complete_cancel": self.cancel_completion,
            "preauth_cancel": self.cancel}

    def complete(self, call: Call) -> Outcome:
        """bills/preauthed: complete an authorisation for completedAmount, once."""
        amount = coerce_amount(call.body.get("completedAmount")) or 0

        def step(bill: Bill, order: Order) -> Outcome:
            if bill.completed_amount is not None:
                return said("preauth_completed")
            if amount > order.total_amount:
                return said("preauth_over", amount=amount, total=order.total_amount)
            return self._changed(bill, order, lambda old: replace(old, completed_amount=amount))
        return self._on_authorised(call, step)

    def cancel_completion(self, call: Call) -> Outcome:
        """bills/preauthed-cancel: undo a completion; the authorisation stands again."""
        def step(bill: Bill, order: Order) -> Outcome:
            if bill.completed_amount is None:
                return said("preauth_not_completed")
            return self._changed(bill, order, lambda old: replace(old, completed_amount=None))
        return self._on_authorised(call, step)

    def cancel(self, call: Call) -> Outcome:
        """preauth-cancel: release an authorisation that was not completed."""
        def step(bill: Bill, order: Order) -> Outcome:
            if bill.completed_amount is not None:
                return said("preauth_completed")
            return self._changed(bill, order, lambda old: replace(old, preauth_cancelled=True))
        return self._on_authorised(call, step)

    def _on_authorised(self, call: Call, step: Callable[[Bill, Order], Outcome]) -> Outcome:
        """`step` on the bill and payment merOrderId names, when it is a live, paid pre-authorisation; else the
        refusal. Time catches up on the payment first (its events come with the answer)."""
        mid, mer_order_id = str(call.body["mid"]), text(call.body, "merOrderId") or ""
        key = self.store.bill_of_payment(mid, mer_order_id)
        bill = self.store.bill(key) if key else None
        if bill is None:
            return said("bill_unknown")
        events = self.ledger.catch_up((mid, mer_order_id), call.now)
        order = self.ledger.order(mid, mer_order_id)
        if not bill.preauth:
            outcome = said("not_preauth")
        elif order is None or order.status not in PAID_STATUSES or order.paid_at is None:
            outcome = said("preauth_unpaid")
        elif bill.preauth_cancelled:
            outcome = said("preauth_cancelled")
        else:
            outcome = step(bill, order)
        return outcome.after(events)

    def _changed(self, bill: Bill, order: Order, change: Callable[[Bill], Bill]) -> Outcome:
        """The bill changed, and the answer showing it."""
        kept = self.store.update_bill(bill.key, lambda old: change(old) if old is not None else None) or bill
        values: dict[str, object] = {"billNo": kept.bill_no, "billDate": kept.bill_date,
                                     "merOrderId": order.mer_order_id, "totalAmount": order.total_amount}
        if kept.completed_amount is not None:
            values["completedAmount"] = kept.completed_amount
        return Outcome("SUCCESS", "", order, values)

"""The rules of 担保 (guarantee) orders: an order created with `secureTransaction` true is paid as usual, then held
until the merchant completes it (`/v1/netpay/secure-complete`: all of it, or part of it with the rest refunded to
the buyer) or cancels it (`/v1/netpay/secure-cancel`: everything refunded); neither within 30 days of payment, it
cancels itself (`moves.catch_up`). Until then it cannot be refunded. Pure: steps the ledger applies, no HTTP.

Sources (protocol-evidence §11, client-coverage §2.2): the official documents as copied into a published Java
client (shishuihao/third-party-api): the fields, `secureStatus`' values, the complete answer's example
(`担保完成成功`, `ALL_COMPLETED`), `HAS_CANCELLED 该笔担保交易已撤销`, the 30 days, and "担保未完成的交易不允许直接
做反交易". Everything else (the codes of the other refusals, the cancel's message, the rest refunded as a refund on
the order, the statuses it leaves) is ours: `docs/background/confirmed.md`.
"""

from __future__ import annotations

from collections.abc import Mapping

from mockums.ledger import moves
from mockums.ledger.calls import Call, Outcome
from mockums.ledger.generate import Generator
from mockums.ledger.model import Order
from mockums.lines.netpay import answers
from mockums.lines.netpay.errors import SITUATIONS
from mockums.protocol.fields import coerce_amount, is_true
from mockums.protocol.statuses import (
    ALL_COMPLETED,
    CANCELED,
    PAID_STATUSES,
    PARTLY_COMPLETED,
    TRADE_CLOSED,
    UNCOMPLETED,
)

COMPLETE, CANCEL = "担保完成", "担保撤销"  # the operations, as the refusals name them
CARD_ATTR = "BALANCE"  # the complete answer's card attribute: the documentation's example value (ours for every wallet)


def opened(order: Order, body: Mapping[str, object]) -> Order:
    """The order a create call makes, held as a guarantee (UNCOMPLETED) when it asks for one (`secureTransaction`
    true, as a boolean or a string)."""
    return order._replace(secure_status=UNCOMPLETED) if is_true(body.get("secureTransaction")) else order


def _said(name: str, **details: object) -> Outcome:
    """A refusal the catalogue names (`errors.SITUATIONS`), with no order fields: as the documentation's example
    of HAS_CANCELLED answers."""
    known = SITUATIONS[name]
    return Outcome(known.err_code, known.text(**details))


def _refusal(order: Order, operation: str) -> Outcome | None:
    """Why a guarantee cannot be completed or cancelled now (not a guarantee, cancelled, completed, closed,
    unpaid), or None."""
    if order.secure_status is None:
        return _said("secure_not_guarantee", operation=operation)
    if order.secure_status == CANCELED:
        return _said("secure_has_cancelled")
    if order.secure_status != UNCOMPLETED:
        return _said("secure_done")
    if order.status == TRADE_CLOSED:
        return _said("order_closed")
    if order.status not in PAID_STATUSES:
        return _said("secure_unpaid", operation=operation)
    return None


def refund_refusal(order: Order) -> str | None:
    """The situation that refuses a refund of a paid guarantee order (neither completed nor cancelled, or
    cancelled), or None: a completed guarantee is refunded like any order, up to what was completed."""
    if order.secure_status == UNCOMPLETED:
        return "secure_refund_uncompleted"
    if order.secure_status == CANCELED:
        return "secure_has_cancelled"
    return None


def complete(order: Order, call: Call, generator: Generator) -> tuple[Order, Outcome]:
    """secure-complete: the guarantee completed for `completedAmount`, the rest refunded to the buyer at once."""
    refused = _refusal(order, COMPLETE)
    if refused is not None:
        return order, refused
    amount = coerce_amount(call.body.get("completedAmount")) or 0
    if amount > order.total_amount:
        return order, _said("secure_too_much", total=order.total_amount)
    status = ALL_COMPLETED if amount == order.total_amount else PARTLY_COMPLETED
    order, events = moves.secure_finish(order, call.now, status, amount, "secure-complete")
    done = SITUATIONS["secure_completed"]
    return order, Outcome(done.err_code, done.text(), order, _values(order, generator), events)


def cancel(order: Order, call: Call, generator: Generator) -> tuple[Order, Outcome]:
    """secure-cancel: the guarantee cancelled, everything refunded to the buyer at once."""
    refused = _refusal(order, CANCEL)
    if refused is not None:
        return order, refused
    order, events = moves.secure_finish(order, call.now, CANCELED, 0, "secure-cancel")
    done = SITUATIONS["secure_canceled"]
    return order, Outcome(done.err_code, done.text(), order, _values(order, generator), events)


def _values(order: Order, generator: Generator) -> dict[str, object]:
    """What the secure-complete and secure-cancel answers show of the order."""
    return {**answers.describe(order, generator), "completedAmount": order.completed_amount, "cardAttr": CARD_ATTR}

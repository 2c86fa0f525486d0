"""分账 split settlement: the rules a split must satisfy on create, on a refund of a split order and on
sub-orders-confirm, and what a query shows of a split. Pure: request bodies and orders in, values or a refusal out.

Sources (shared client-coverage §2.3, protocol-evidence §4 and §11): `divisionFlag`, `asynDivisionFlag`,
`platformAmount` and `subOrders[{mid, merOrderId, totalAmount}]` on create, `totalAmount = Σ subOrders.totalAmount
+ platformAmount`, at most 20 sub-merchants, not with `secureTransaction` (confirmed); a refund's `platformAmount`
and `subOrders[{mid, merOrderId, refundOrderId, totalAmount}]`, required when the order was split (confirmed);
sub-orders-confirm's `platformAmount` (required, may be 0) and `subOrders`, its answer `asynDivisionStatus`
(`success` / `fail`) and `asynDivisionMsg`, no second confirmation and no sub-order operation after a refund
(single-source). The refusals' codes and texts, what a query shows, and every check not listed are ours.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from mockums.ledger import moves
from mockums.ledger.model import Order
from mockums.ledger.split import (
    SUB_MID_LENGTH,
    SUB_ORDER_ID_LENGTH,
    SUM_RULE,
    Division,
    SplitRefund,
    SubOrder,
    SubRefund,
    shares_text,
)
from mockums.limits import MAX_SUB_MERCHANTS
from mockums.protocol.clipping import quoted
from mockums.protocol.fields import AMOUNT_MAX, AMOUNT_MIN, Violation, coerce_amount, is_true

__all__ = ["Refusal", "confirm", "refund_split", "split_of", "split_values", "with_split",
           "with_split_refund"]

# The rules a split breaks, each stated once: the BAD_REQUEST answer names the one broken.
COUNT_RULE = f"at most {MAX_SUB_MERCHANTS} sub-merchants in subOrders"
SECURE_RULE = "divisionFlag and asynDivisionFlag are not allowed together with secureTransaction true"
ONE_FLAG_RULE = "divisionFlag or asynDivisionFlag, not both"
FLAG_RULE = "subOrders only with divisionFlag or asynDivisionFlag true"
PLATFORM_RULE = f"platformAmount required with a split, integer fen 0..{AMOUNT_MAX}"
SUB_ORDERS_RULE = "subOrders required with a split: a list of {mid, merOrderId, totalAmount}"
SUB_ORDER_RULE = (f"each subOrders item: mid {'..'.join(map(str, SUB_MID_LENGTH))} characters, merOrderId "
                  f"{'..'.join(map(str, SUB_ORDER_ID_LENGTH))} characters (optional), "
                  f"totalAmount integer fen {AMOUNT_MIN}..{AMOUNT_MAX}")
REFUND_FIELDS_RULE = "a refund of a split order carries platformAmount (and subOrders unless the platform refunds all)"
REFUND_SUM_RULE = "refundAmount = Σ subOrders.totalAmount + platformAmount"
REFUND_MID_RULE = "each refund subOrders mid is one of the order's sub-merchants"
REFUND_SUB_ORDER_RULE = (f"each refund subOrders item: mid, merOrderId and refundOrderId (optional), totalAmount "
                         f"integer fen {AMOUNT_MIN}..{AMOUNT_MAX}")
CONFIRM_SUM_RULE = "the order's totalAmount = Σ subOrders.totalAmount + platformAmount"


class Refusal(NamedTuple):
    """Why a split is refused: the situation of the line's catalogue (`errors.SITUATIONS`) and its details."""

    situation: str
    details: Mapping[str, object]


def _bad(*violations: Violation) -> Refusal:
    return Refusal("bad_request", {"details": "; ".join(str(violation) for violation in violations)})


def _amount(value: object, low: int) -> int | None:
    """An amount in fen from low..AMOUNT_MAX (a number or numeric string), or None."""
    amount = coerce_amount(value)
    return amount if amount is not None and low <= amount <= AMOUNT_MAX else None


def _text(item: Mapping[str, object], name: str, low: int, high: int) -> tuple[str | None, bool]:
    """(the item's field as text, or None when absent; whether it is well formed)."""
    value = item.get(name)
    if value is None or value == "":
        return None, True
    return (value, low <= len(value) <= high) if isinstance(value, str) else (None, False)


def _items(value: object) -> list[Mapping[str, object]] | None:
    """subOrders as a list of objects, or None when it is not one."""
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        return None
    return list(value)


def _sent(value: object) -> bool:
    return value not in (None, "", [])


# -- create ----------------------------------------------------------------------------------------


def split_of(body: Mapping[str, object], total_amount: int) -> Division | Refusal | None:
    """The split a create call asks for (None: not split), or why it is refused."""
    synchronous, asynchronous = is_true(body.get("divisionFlag")), is_true(body.get("asynDivisionFlag"))
    if not (synchronous or asynchronous):
        if _sent(body.get("subOrders")):
            return _bad(Violation("subOrders", FLAG_RULE, "sent, but divisionFlag and asynDivisionFlag are not true"))
        return None
    flag = "asynDivisionFlag" if asynchronous else "divisionFlag"
    if synchronous and asynchronous:
        return _bad(Violation("asynDivisionFlag", ONE_FLAG_RULE, "both are true"))
    if is_true(body.get("secureTransaction")):
        return _bad(Violation(flag, SECURE_RULE, "secureTransaction is true"))
    platform = _amount(body.get("platformAmount"), 0)
    if platform is None:
        return _bad(Violation("platformAmount", PLATFORM_RULE, f"is {quoted(body.get('platformAmount'))}"))
    sub_orders = _sub_orders(body.get("subOrders"))
    if isinstance(sub_orders, Refusal):
        return sub_orders
    unequal = _sum_refusal(SUM_RULE, sum(sub.total_amount for sub in sub_orders), platform, total_amount,
                           "totalAmount")
    return unequal or Division(asynchronous, platform, sub_orders)


def _sum_refusal(rule: str, split: int, platform: int, expected: int, expected_name: str) -> Refusal | None:
    """The refusal of shares (Σ subOrders.totalAmount `split` + `platform`) that do not add up to `expected`."""
    if split + platform == expected:
        return None
    return _bad(Violation("subOrders", rule, f"Σ subOrders.totalAmount {split} + platformAmount {platform} = "
                                             f"{split + platform}, not {expected_name} {expected}"))


def _sub_orders(value: object) -> tuple[SubOrder, ...] | Refusal:
    """subOrders[{mid, merOrderId, totalAmount}] as sent on create or sub-orders-confirm, or why not."""
    items = _items(value)
    if not items:
        return _bad(Violation("subOrders", SUB_ORDERS_RULE, "is missing, empty or not a list of objects"))
    if len(items) > MAX_SUB_MERCHANTS:
        return _bad(Violation("subOrders", COUNT_RULE, f"{len(items)} sub-orders"))
    sub_orders: list[SubOrder] = []
    for index, item in enumerate(items):
        mid, mid_ok = _text(item, "mid", *SUB_MID_LENGTH)
        mer_order_id, id_ok = _text(item, "merOrderId", *SUB_ORDER_ID_LENGTH)
        amount = _amount(item.get("totalAmount"), AMOUNT_MIN)
        if mid is None or not (mid_ok and id_ok) or amount is None:
            return _bad(Violation(f"subOrders[{index}]", SUB_ORDER_RULE, f"is {quoted(dict(item))}"))
        sub_orders.append(SubOrder(mid, mer_order_id, amount))
    return tuple(sub_orders)


# -- refund ----------------------------------------------------------------------------------------


def _counted(order: Order) -> tuple[SplitRefund, ...]:
    """The split refunds of an order whose refund succeeded or may still succeed."""
    division = order.division
    if division is None:
        return ()
    counting = {refund.refund_order_id for refund in order.refunds if refund.counts}
    return tuple(split for split in division.refunds if split.refund_order_id in counting)


def refund_split(order: Order, body: Mapping[str, object], amount: int) -> SplitRefund | Refusal | None:
    """How a refund of `amount` is split between the platform and the order's sub-merchants (None: the order
    is not split; the refund id is filled in once known), or why it is refused."""
    division = order.division
    if division is None:  # what a client sends of a split that was never made is ignored, as before (ours)
        return None
    platform = _amount(body.get("platformAmount"), 0)
    if platform is None:
        return _bad(Violation("platformAmount", REFUND_FIELDS_RULE, f"is {quoted(body.get('platformAmount'))}"))
    items = _items(body.get("subOrders") or [])
    if items is None or (not items and platform != amount):
        return _bad(Violation("subOrders", REFUND_FIELDS_RULE, "is missing, empty or not a list of objects"))
    sub_refunds: list[SubRefund] = []
    for index, item in enumerate(items):
        mid, mid_ok = _text(item, "mid", *SUB_MID_LENGTH)
        mer_order_id, id_ok = _text(item, "merOrderId", *SUB_ORDER_ID_LENGTH)
        refund_order_id, refund_id_ok = _text(item, "refundOrderId", *SUB_ORDER_ID_LENGTH)
        sub_amount = _amount(item.get("totalAmount"), AMOUNT_MIN)
        if mid is None or not (mid_ok and id_ok and refund_id_ok) or sub_amount is None:
            return _bad(Violation(f"subOrders[{index}]", REFUND_SUB_ORDER_RULE, f"is {quoted(dict(item))}"))
        if division.share_of(mid) is None:
            return _bad(Violation(f"subOrders[{index}].mid", REFUND_MID_RULE,
                                  f"{mid} is not a sub-merchant of order {order.mer_order_id}"))
        sub_refunds.append(SubRefund(mid, mer_order_id, refund_order_id, sub_amount))
    unequal = _sum_refusal(REFUND_SUM_RULE, sum(sub.amount for sub in sub_refunds), platform, amount, "refundAmount")
    if unequal is not None:
        return unequal
    return _within_shares(order, division, SplitRefund("", platform, tuple(sub_refunds)))


def _within_shares(order: Order, division: Division, split: SplitRefund) -> SplitRefund | Refusal:
    """The split refund when no share gives back more than is left of it, else the refusal naming the first."""
    counted = _counted(order)
    platform_left = division.platform_amount - sum(refund.platform_amount for refund in counted)
    if split.platform_amount > platform_left:
        return Refusal("division_platform_too_much", {"refundable": platform_left})
    for mid in dict.fromkeys(sub.mid for sub in split.sub_refunds):
        asked = sum(sub.amount for sub in split.sub_refunds if sub.mid == mid)
        taken = sum(sub.amount for refund in counted for sub in refund.sub_refunds if sub.mid == mid)
        left = (division.share_of(mid) or 0) - taken
        if asked > left:
            return Refusal("division_sub_too_much", {"mid": mid, "refundable": left})
    return split


# -- sub-orders-confirm ----------------------------------------------------------------------------


def confirm(order: Order, body: Mapping[str, object], now: float) -> Division | Refusal:
    """The order's asynchronous split confirmed at `now` (with the subOrders sent, else those of the create
    call), or why it is refused: not an asynchronous split, refunded, unpaid, already confirmed, or a split
    that does not add up."""
    division = order.division
    if division is None or not division.asynchronous:
        return Refusal("division_not_async", {})
    if any(refund.counts for refund in order.refunds):
        return Refusal("division_after_refund", {})
    if order.paid_at is None:
        return Refusal("division_unpaid", {})
    if division.confirmed_at is not None:
        return Refusal("division_confirmed", {})
    platform = _amount(body.get("platformAmount"), 0)
    if platform is None:
        return _bad(Violation("platformAmount", PLATFORM_RULE, f"is {quoted(body.get('platformAmount'))}"))
    sub_orders = _sub_orders(body["subOrders"]) if _sent(body.get("subOrders")) else division.sub_orders
    if isinstance(sub_orders, Refusal):
        return sub_orders
    unequal = _sum_refusal(CONFIRM_SUM_RULE, sum(sub.total_amount for sub in sub_orders), platform,
                           order.total_amount, "the order's totalAmount")
    if unequal is not None:
        return unequal
    return division._replace(platform_amount=platform, sub_orders=sub_orders, confirmed_at=now)


# -- keeping it on the order ----------------------------------------------------------------------


def with_split(order: Order, split: Division | None, now: float) -> Order:
    """The order carrying `split` (made on create, or confirmed), its history saying so (the dashboard shows it)."""
    if split is None:
        return order
    return moves.noted(order._replace(division=split), now, split.describe())


def with_split_refund(order: Order, split: SplitRefund, now: float) -> Order:
    """The split order with one more split refund, its history saying how the refund was split."""
    if order.division is None:
        return order
    order = order._replace(division=order.division._replace(refunds=(*order.division.refunds, split)))
    shares = tuple((sub.mid, sub.amount) for sub in split.sub_refunds)
    text = f"refund {split.refund_order_id} split: {shares_text(split.platform_amount, shares)}"
    return moves.noted(order, now, text)


# -- what answers show -----------------------------------------------------------------------------


def split_values(order: Order) -> dict[str, object]:
    """What a query answer shows of the order's split (nothing when it was not split): its flag, the platform's
    amount, the sub-orders, and for an asynchronous split its confirmation once made (ours)."""
    division = order.division
    if division is None:
        return {}
    values: dict[str, object] = {
        "asynDivisionFlag" if division.asynchronous else "divisionFlag": True,
        "platformAmount": division.platform_amount,
        "subOrders": [{"mid": sub.mid, **({"merOrderId": sub.mer_order_id} if sub.mer_order_id else {}),
                       "totalAmount": sub.total_amount} for sub in division.sub_orders],
    }
    if division.asynchronous and division.confirmed_at is not None:
        values["asynDivisionStatus"] = "success"
    return values

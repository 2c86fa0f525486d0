"""A step's `order`: what the order a scenario implies is (one that exists in its world with no create call), when
it is first taken to exist: its amount, a 担保 guarantee, a 分账 split.

    order:
      totalAmount: 1000              # fen; else generated (a split's is its shares' sum)
      secure: true                   # a guarantee order, to complete or cancel (not with split)
      split:
        async: true                  # asynDivisionFlag (confirmed by sub-orders-confirm); false: divisionFlag
        platformAmount: 100          # the platform merchant's share, fen (0 allowed)
        subOrders:                   # 1 to 20 sub-merchants' shares
          - {mid: "898201612345001", merOrderId: "SUBA00000001", totalAmount: 600}

The values obey the rules a create call's split obeys (the sub-orders' id lengths, the amounts' bounds, at most
20 sub-merchants, totalAmount = Σ subOrders.totalAmount + platformAmount, not with a guarantee); an error names
the field, its line and the rule.
"""

from __future__ import annotations

from yaml.nodes import MappingNode, Node, SequenceNode

from mockums.ledger.plans import ImpliedOrder
from mockums.ledger.split import SUB_MID_LENGTH, SUB_ORDER_ID_LENGTH, SUM_RULE, Division, SubOrder
from mockums.limits import MAX_SUB_MERCHANTS
from mockums.protocol.fields import AMOUNT_MAX, AMOUNT_MIN

from .walker import BOOL, INT, Walker, kind_of, optional

ORDER_KEYS = ("totalAmount", "secure", "split")
SPLIT_KEYS = ("async", "platformAmount", "subOrders")
SUB_ORDER_KEYS = ("mid", "merOrderId", "totalAmount")
SECURE_RULE = "an order is a guarantee (secure) or split, not both, as secureTransaction excludes a split"


def implied_order(walker: Walker, node: Node, where: str) -> ImpliedOrder | None:
    """A step's `order`, or None (with the errors recorded) when any part of it is invalid."""
    errors_before = len(walker.errors)
    entries = walker.mapping(node, where, ORDER_KEYS)
    if entries is None:
        return None
    if not entries:
        walker.error(node, where, f"set at least one of {', '.join(ORDER_KEYS)}")
    total = optional(entries, "totalAmount", lambda n, w: _amount(walker, n, w, AMOUNT_MIN), where)
    secure = optional(entries, "secure", lambda n, w: _flag(walker, n, w), where, False)
    division = optional(entries, "split", lambda n, w: _split(walker, n, w), where)
    if division is not None:
        if secure:
            walker.error(entries["split"][0], f"{where}.split", f"not allowed with secure: true (rule: {SECURE_RULE})")
        shares = division.platform_amount + sum(sub.total_amount for sub in division.sub_orders)
        if total is not None and total != shares:
            walker.error(entries["totalAmount"][1], f"{where}.totalAmount",
                         f"{total} is not Σ subOrders.totalAmount + platformAmount = {shares} (rule: {SUM_RULE}; "
                         "leave totalAmount out to take the sum)")
        total = shares
    if len(walker.errors) > errors_before:
        return None
    return ImpliedOrder(total_amount=total, secure=secure, division=division)


def _flag(walker: Walker, node: Node, where: str) -> bool:
    valid, value = walker.scalar(node, where, (BOOL,), "true or false")
    return bool(value) if valid else False


def _amount(walker: Walker, node: Node, where: str, low: int) -> int | None:
    """An amount in fen from `low` to the gateway's maximum."""
    valid, value = walker.scalar(node, where, (INT,), "a whole number of fen")
    if not valid or not isinstance(value, int):
        return None
    if not low <= value <= AMOUNT_MAX:
        walker.error(node, where, f"must be between {low} and {AMOUNT_MAX} fen, got {value}")
        return None
    return value


def _split(walker: Walker, node: Node, where: str) -> Division | None:
    """`split`: asynchronous or not, the platform's share and the sub-merchants' (all required but `async`)."""
    entries = walker.mapping(node, where, SPLIT_KEYS, required=("platformAmount", "subOrders"))
    if entries is None or "platformAmount" not in entries or "subOrders" not in entries:
        return None
    asynchronous = optional(entries, "async", lambda n, w: _flag(walker, n, w), where, False)
    platform = _amount(walker, entries["platformAmount"][1], f"{where}.platformAmount", 0)
    sub_orders = _sub_orders(walker, entries["subOrders"][1], f"{where}.subOrders")
    if platform is None or sub_orders is None:
        return None
    return Division(asynchronous, platform, sub_orders)


def _sub_orders(walker: Walker, node: Node, where: str) -> tuple[SubOrder, ...] | None:
    if not isinstance(node, SequenceNode) or not 1 <= len(node.value) <= MAX_SUB_MERCHANTS:
        got = f"{len(node.value)} items" if isinstance(node, SequenceNode) else kind_of(node)
        walker.error(node, where, f"expected a list of 1 to {MAX_SUB_MERCHANTS} sub-orders, got {got}")
        return None
    items = [_sub_order(walker, item, f"{where}[{index}]") for index, item in enumerate(node.value)]
    valid = tuple(item for item in items if item is not None)
    return valid if len(valid) == len(items) else None


def _sub_order(walker: Walker, node: Node, where: str) -> SubOrder | None:
    """One sub-merchant's share: {mid, merOrderId (optional), totalAmount}."""
    if not isinstance(node, MappingNode):
        walker.error(node, where, f"expected a mapping {{mid, merOrderId, totalAmount}}, got {kind_of(node)}")
        return None
    entries = walker.mapping(node, where, SUB_ORDER_KEYS, required=("mid", "totalAmount"))
    if entries is None or "mid" not in entries or "totalAmount" not in entries:
        return None
    mid = _id(walker, entries["mid"][1], f"{where}.mid", SUB_MID_LENGTH)
    mer_order_id = optional(entries, "merOrderId", lambda n, w: _id(walker, n, w, SUB_ORDER_ID_LENGTH), where)
    amount = _amount(walker, entries["totalAmount"][1], f"{where}.totalAmount", AMOUNT_MIN)
    if mid is None or amount is None or ("merOrderId" in entries and mer_order_id is None):
        return None
    return SubOrder(mid, mer_order_id, amount)


def _id(walker: Walker, node: Node, where: str, length: tuple[int, int]) -> str | None:
    """An id (quoted or not) of `length` characters."""
    value = walker.text(node, where, id_like=True)
    if value is not None and not length[0] <= len(value) <= length[1]:
        walker.error(node, where, f"must be {length[0]} to {length[1]} characters, got {len(value)} ({value!r})")
        return None
    return value

"""分账: how an order's amount is split between the platform merchant and its sub-merchants, as values kept on
the order (`Order.division`). What a split must satisfy is the product line's rule
(`mockums.lines.netpay.division`); here are only the values.
"""

from __future__ import annotations

from typing import NamedTuple

# The lengths a sub-order's ids may have, as create, refund and sub-orders-confirm check them (and scenario files
# that split the order they imply).
SUB_MID_LENGTH = (8, 15)
SUB_ORDER_ID_LENGTH = (6, 32)
SUM_RULE = "totalAmount = Σ subOrders.totalAmount + platformAmount"  # what a split's shares add up to


def shares_text(platform_amount: int, shares: tuple[tuple[str, int], ...]) -> str:
    """A split's shares as the order's history shows them: the platform's, then each sub-merchant's."""
    return ", ".join((f"platform {platform_amount} fen", *(f"{mid} {amount} fen" for mid, amount in shares)))


class SubOrder(NamedTuple):
    """One sub-merchant's share of a split order (`subOrders[]` on create and sub-orders-confirm)."""

    mid: str
    mer_order_id: str | None
    total_amount: int


class SubRefund(NamedTuple):
    """One sub-merchant's share of a split refund (`subOrders[]` on refund)."""

    mid: str
    mer_order_id: str | None
    refund_order_id: str | None
    amount: int


class SplitRefund(NamedTuple):
    """How one refund of a split order was split: the platform's part and each sub-merchant's."""

    refund_order_id: str
    platform_amount: int
    sub_refunds: tuple[SubRefund, ...]


class Division(NamedTuple):
    """An order's split: synchronous (`divisionFlag`, settled as paid) or asynchronous (`asynDivisionFlag`,
    confirmed later by sub-orders-confirm), the platform's amount and the sub-merchants' orders."""

    asynchronous: bool
    platform_amount: int
    sub_orders: tuple[SubOrder, ...]
    confirmed_at: float | None = None  # when sub-orders-confirm confirmed an asynchronous split
    refunds: tuple[SplitRefund, ...] = ()  # oldest first

    def describe(self) -> str:
        """The split as the order's history shows it: how it settles, and each share."""
        how = ("confirmed" if self.confirmed_at is not None else "asynchronous, to be confirmed") \
            if self.asynchronous else "divisionFlag"
        shares = tuple((sub.mid, sub.total_amount) for sub in self.sub_orders)
        return f"split ({how}): {shares_text(self.platform_amount, shares)}"

    def share_of(self, mid: str) -> int | None:
        """Sub-merchant `mid`'s share of the order (None: it has none)."""
        shares = [sub.total_amount for sub in self.sub_orders if sub.mid == mid]
        return sum(shares) if shares else None

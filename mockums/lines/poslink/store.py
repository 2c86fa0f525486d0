"""What POS link knows of a payment beyond its order in the ledger: the payment code, how a payment that did not
stay paid ended (voided, reversed, failed, timed out), and a paying payment's password plan. Kept in the order itself
(`Order.line_state`, as plain values), so that they change in the same atomic update as the payment's order.
"""

from __future__ import annotations

from typing import NamedTuple

from mockums.ledger.model import Order
from mockums.lines.poslink.cases import PayCase, case_of


class PosFacts(NamedTuple):
    """One payment's POS-link facts."""

    pay_code: str
    ending: str | None = None  # None while paid or paying; else voided, reversed, failed or timeout
    why: str = ""  # why it failed (the errInfo a query shows)
    paying_until: float | None = None  # a paying payment that settles by sandbox time: when
    queries: int = 0  # queries that reported it paying
    plays: bool = True  # whether its code plays its magic case (a pay a scenario refused plays none)

    @property
    def case(self) -> PayCase | None:
        """What its magic payment code makes it do (None: an ordinary code, or one that plays no case)."""
        return case_of(self.pay_code) if self.plays else None


def facts_of(order: Order) -> PosFacts | None:
    """The POS-link facts kept in a payment's order; None for one that has none (a payment a scenario implied)."""
    state = order.line_state
    if len(state) != len(PosFacts._fields):
        return None
    pay_code, ending, why, paying_until, queries, plays = state
    return PosFacts(str(pay_code), None if ending is None else str(ending), str(why),
                    None if paying_until is None else float(paying_until), int(queries or 0), bool(plays))


def with_facts(order: Order, facts: PosFacts | None) -> Order:
    """The order keeping `facts` (unchanged when they are the ones it keeps)."""
    state = () if facts is None else tuple(facts)
    return order if state == order.line_state else order._replace(line_state=state)

"""The classes of the sandbox's state that a Redis store writes and reads back: one list, so the codec
rebuilds these and nothing else (a product line adds its own records' classes)."""

from __future__ import annotations

from collections.abc import Iterable

from mockums.auth.tokens import Issued
from mockums.clock import ClockSetting
from mockums.ledger.model import Order, Refund
from mockums.ledger.plans import ImpliedOrder, Lifecycle, NotifyPlan, PayPlan, RefundPlan
from mockums.ledger.split import Division, SplitRefund, SubOrder, SubRefund
from mockums.notify.deliveries import Attempt, Delivery
from mockums.scenarios.active import ScenarioChanges
from mockums.scenarios.model import Fault, IdMatch, MatchRule, Scenario, SourceRef, Step, Then
from mockums.state.redis.codec import Codec

STATE_TYPES: tuple[type, ...] = (
    Order, Refund, PayPlan, RefundPlan, NotifyPlan, Lifecycle, ImpliedOrder, Division, SubOrder, SubRefund,
    SplitRefund, Issued, ClockSetting, Delivery, Attempt, ScenarioChanges, Scenario, SourceRef, MatchRule, Step,
    Fault, Then, IdMatch,
)
# Made again from the rule's text when it is read back (a compiled pattern and its required literal).
DERIVED = {MatchRule: ("pattern", "literal")}


def value_codec(extra: Iterable[type] = ()) -> Codec:
    """A codec for the sandbox's state, and `extra` classes besides."""
    return Codec((*STATE_TYPES, *extra), DERIVED)

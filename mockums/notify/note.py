"""A notification ready to send: where, the signed form fields, its notifyId, and how its order's scenario
wants it to misbehave. Product lines build them (`mockums.lines`); the sender delivers them."""

from __future__ import annotations

from dataclasses import dataclass

from mockums.ledger.plans import NotifyPlan


@dataclass(frozen=True)
class Notification:
    """One signed notification of one event."""

    url: str
    params: dict[str, str]
    notify_id: str
    kind: str  # "payment" or "refund"
    mid: str
    mer_order_id: str
    plan: NotifyPlan

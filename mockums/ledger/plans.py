"""What an order obeys over time: when its customer pays, how its refunds settle, how its notifications
misbehave; and what an order a scenario implies is. Scenarios set these plans; the ledger carries them out."""

from __future__ import annotations

from dataclasses import dataclass

from mockums.ledger.split import Division


@dataclass(frozen=True)
class PayPlan:
    """When an order's customer pays: never (until a control call), at creation, after N queries or T seconds."""

    mode: str  # "never", "immediately", "twice" (QR bills: a second payment at once), "after_queries", "after_seconds"
    count: int = 0
    seconds: float = 0.0


@dataclass(frozen=True)
class RefundPlan:
    """How refunds of the order turn out: at once, or PROCESSING until N refund queries or T seconds pass."""

    status: str = "SUCCESS"  # SUCCESS, PROCESSING or FAIL
    settle_after_queries: int | None = None
    settle_after_seconds: float | None = None


@dataclass(frozen=True)
class NotifyPlan:
    """How the order's notifications misbehave: late, twice, wrongly signed, or on another retry schedule."""

    delay: float | None = None
    duplicate: bool = False
    bad_signature: bool = False
    schedule: tuple[float, ...] | None = None
    sign_type: str | None = None  # SHA256 or MD5; None = the app's setting


@dataclass(frozen=True)
class Lifecycle:
    pay: PayPlan | None = None
    expire_after: float | None = None  # seconds after creation, instead of expireTime or 30 minutes
    refund: RefundPlan | None = None
    notify: NotifyPlan | None = None


NO_LIFECYCLE = Lifecycle()  # an order no scenario scripts: frozen, so one is shared


@dataclass(frozen=True)
class ImpliedOrder:
    """What a scenario says of the order it implies, one never created here (`respond.order`): its amount (None:
    generated), whether it is a 担保 guarantee, and its 分账 split. An order a create call makes is what its request
    says instead."""

    total_amount: int | None = None
    secure: bool = False
    division: Division | None = None

    def describe(self) -> str:
        """What the order's history says of it ("" when nothing is said)."""
        said = [f"{self.total_amount} fen"] if self.total_amount is not None else []
        said += ["a 担保 guarantee"] if self.secure else []
        said += [self.division.describe()] if self.division is not None else []
        return "; ".join(said)

"""What a product line's rule is given (`Call`) and what it decides (`Outcome`, with the `Event`s that
notifications report)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal, NamedTuple

from mockums.ledger.model import Order, Refund
from mockums.ledger.plans import ImpliedOrder, Lifecycle
from mockums.protocol.spec import EndpointSpec

NO_VALUES: Mapping[str, object] = MappingProxyType({})


class Event(NamedTuple):
    """Something a notification reports: an order paid, or one of its refunds settled (the order as it
    was then)."""

    kind: Literal["payment", "refund"]
    order: Order
    refund: Refund | None = None


@dataclass(slots=True)  # one per request: not frozen, which would make it cost about twice as much
class Call:
    """One validated request, in its context. Not changed once made."""

    spec: EndpointSpec
    body: Mapping[str, object]
    now: float
    app_id: str | None = None
    # Why an order never created may be taken to exist ("scenario X speaks for this merOrderId",
    # "assume_orders is on"); None: it answers NO_ORDER, as the gateway does.
    implied_by: str | None = None
    status: str | None = None  # a scenario's order_status: the order is put in this state first
    lifecycle: Lifecycle | None = None
    base_url: str = ""  # where the buyer's browser reaches the sandbox (a QR code's billQRCode)
    implied: ImpliedOrder | None = None  # a scenario's `order`: what the order it implies is, when first taken to exist


@dataclass(slots=True)  # one or two per request: not frozen, which would make each cost about twice as much
class Outcome:
    """What a rule decided: its result code and message, the order concerned, the values the answer
    shows, and the events that send notifications. Not changed once made."""

    err_code: str
    err_msg: str
    order: Order | None = None
    values: Mapping[str, object] = field(default_factory=lambda: NO_VALUES)
    events: tuple[Event, ...] = ()

    def after(self, events: tuple[Event, ...]) -> Outcome:
        """This outcome, with `events` (what happened first, such as time catching up) before its own."""
        if not events:
            return self
        return Outcome(self.err_code, self.err_msg, self.order, self.values, (*events, *self.events))

"""What a product line's rule is given (`Call`) and what it decides (`Outcome`, with the `Event`s that
notifications report)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal, NamedTuple

from mockums.ledger.model import Order, Refund
from mockums.ledger.plans import Lifecycle
from mockums.protocol.spec import EndpointSpec


class Event(NamedTuple):
    """Something a notification reports: an order paid, or one of its refunds settled (the order as it
    was then)."""

    kind: Literal["payment", "refund"]
    order: Order
    refund: Refund | None = None


class Call(NamedTuple):
    """One validated request, in its context."""

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


class Outcome(NamedTuple):
    """What a rule decided: its result code and message, the order concerned, the values the answer
    shows, and the events that send notifications."""

    err_code: str
    err_msg: str
    order: Order | None = None
    values: Mapping[str, object] = MappingProxyType({})
    events: tuple[Event, ...] = ()

    def after(self, events: tuple[Event, ...]) -> Outcome:
        """This outcome, with `events` (what happened first, such as time catching up) before its own."""
        if not events:
            return self
        return Outcome(self.err_code, self.err_msg, self.order, self.values, (*events, *self.events))

"""What a product line is: a package that declares its endpoints (any version prefix) with their field
rules and answer shapes, its vocabulary (success code, error catalogue, situations), the values scenarios
may set, its bundled scenarios, and a `Book`: the rules its requests follow, the notifications its orders
send, and the cashier pages its buyers see.

The core knows lines only through this contract and the `Registry`: it never asks which line a request
belongs to, it asks the request's line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Protocol

from mockums.clock import Clock
from mockums.config import App, Settings
from mockums.ledger.calls import Call, Event, Outcome
from mockums.ledger.generate import Generator
from mockums.ledger.ledger import Ledger
from mockums.ledger.model import OrderKey
from mockums.notify.note import Notification
from mockums.protocol.deviations import Deviation
from mockums.protocol.spec import EndpointSpec
from mockums.protocol.vocabulary import Vocabulary
from mockums.scenarios.model import Fault
from mockums.state.records import MemoryRecords, Records

Dispatch = Callable[[Sequence[Event]], None]
# Records of one kind, from the sandbox's store: (kind, capacity, the value classes a shared store may rebuild).
RecordsOf = Callable[[str, int, tuple[type, ...]], Records[Any]]


def memory_records(kind: str, capacity: int, types: tuple[type, ...]) -> Records[Any]:
    """Records in this process (the default store's)."""
    return MemoryRecords(capacity)


@dataclass(frozen=True)
class Services:
    """What a line's book works with: the settings, the sandbox clock, the order ledger, the generator of
    values, where events go to be notified, and where the line keeps records of its own."""

    settings: Settings
    clock: Clock
    ledger: Ledger
    generator: Generator
    dispatch: Dispatch
    records: RecordsOf = memory_records


@dataclass(frozen=True)
class CashierView:
    """One cashier page: the order or bill, what may be done, and what just happened (`outcome`)."""

    title: str  # the page's title: 收银台 (an order's cashier), 扫码支付 (a scanned code)
    merchant: str
    order_id: str
    amount: str | None  # yuan, e.g. "3.60"; None: the buyer enters the amount (a fixed code without one)
    wallet: str | None  # the wallet's name when the link decides it
    wallet_choices: tuple[tuple[str, str], ...]  # (targetSys, name) when the buyer chooses
    status: str
    description: str
    expires: str
    notice: str = ""
    can_pay: bool = False
    outcome: str = ""  # "", "paid", "cancelled" or "left"
    tone: str = "open"  # how the status looks: "open", "paid" or "closed"


@dataclass(frozen=True)
class CashierRedirect:
    """Send the browser elsewhere (the merchant's returnUrl, with the signed result)."""

    url: str


class Page(Protocol):
    """A cashier page a line serves: what a link shows, and what the buyer's choice does.

    Both raise `mockums.errors.NotFound` for a link to nothing, `Invalid` for a link not ours.
    """

    def view(self, raw_query: str) -> CashierView:
        """The page a link opens."""

    def act(self, raw_query: str, form: Mapping[str, str]) -> CashierView | CashierRedirect:
        """The buyer pressed Pay, Cancel or Leave unpaid."""


@dataclass(frozen=True)
class Paid:
    """What a control-API payment did: the events to notify, and the order paid (None: not payable, `problem`
    says why)."""

    events: tuple[Event, ...]
    order_key: tuple[str, str] | None
    problem: str | None = None


@dataclass(frozen=True)
class LostAnswer:
    """A request whose operation happened but whose answer is lost on the way back (a POS payment that times out
    after the money moved): the transport fault the client sees instead, and why."""

    fault: Fault
    why: str


class Book:
    """A line's rules, bound to the sandbox's state. Subclasses implement `perform`; the rest has defaults
    that suit a line with no notifications, no browser pages and merOrderId as its subject."""

    pages: Mapping[str, Page] = MappingProxyType({})  # the cashier pages it serves, by path

    def perform(self, call: Call) -> Outcome:
        """Apply the endpoint's rule to a validated request."""
        raise NotImplementedError

    def subject(self, spec: EndpointSpec, body: Mapping[str, object]) -> object:
        """What the journal files a request under and scenarios match as its merOrderId."""
        return body.get("merOrderId")

    def redirect(self, spec: EndpointSpec, content: Mapping[str, object], app_id: str, base_url: str) -> str | None:
        """Where a successful GET (OPEN-FORM-PARAM) sends the browser; None: this line answers GETs in JSON."""
        return None

    def reopen(self, spec: EndpointSpec, content: Mapping[str, object], app_id: str, base_url: str,
               err_code: str) -> str | None:
        """Where a GET this line refused with `err_code` sends the browser instead of the JSON answer (an H5 link
        opened a second time: the cashier of the order it made the first time); None: the answer stands."""
        return None

    def notification(self, event: Event, app: App, now: float) -> Notification | None:
        """The signed notification an event of this line's orders sends; None: none (no notifyUrl)."""
        return None

    def pay(self, mid: str, some_id: str, now: float) -> Paid | None:
        """Pay what `some_id` names for this line (the control API's pay), or None when it names nothing here."""
        return None

    def lost_answer(self, call: Call, outcome: Outcome) -> LostAnswer | None:
        """The fault that replaces the answer to a request performed as `outcome`; None (the default): it is answered.
        """
        return None

    def refused(self, call: Call, outcome: Outcome) -> None:
        """A scenario refused `call` (its errCode, not the rules, answered `outcome`): what the refusal leaves
        behind, if anything. The default leaves the order as it was."""

    def forget(self, key: OrderKey) -> None:
        """Forget what the line keeps of one order beyond the ledger (the order itself is forgotten there)."""

    def clear(self) -> None:
        """Forget the line's own state (a reset); the orders are the ledger's."""


@dataclass(frozen=True)
class ProductLine:
    """One product line, as data plus the book that opens on the sandbox's services."""

    name: str
    title: str
    vocabulary: Vocabulary
    endpoints: tuple[EndpointSpec, ...]
    open: Callable[[Services], Book]
    # Answer fields whose values come from a known list: a scenario that writes one is checked against it.
    answer_domains: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    order_statuses: tuple[str, ...] = ()  # what a scenario's `order_status` may say for this line's orders
    deviations: tuple[Deviation, ...] = ()  # values real clients send that the tables do not list
    scenarios: Path | None = None  # the folder of its bundled scenarios
    # The calls a merchant closes and refunds this line's orders with ("close", "refund" -> a path): the
    # dashboard's buttons send them.
    order_calls: Mapping[str, str] = field(default_factory=dict)
    # The request fields those calls carry their values in, when not the netpay family's: {"amount":
    # "transactionAmount", "request_id": "refundRequestId"} (the dashboard fills a fresh request id).
    order_call_fields: Mapping[str, str] = field(default_factory=dict)
    # The lines that answer in the same words (the netpay family: netpay, h5, bills) share a family name; a line
    # alone is its own family (""). A bundled scenario that names no endpoint applies to its family's endpoints.
    family: str = ""

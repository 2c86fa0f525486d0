"""The order ledger of the netpay family (mini-program/APP, H5, a bill's payments): finding the order a
request names, taking one to exist when something implies it, and applying a line's rule to it caught up
with time. Every change is one atomic update of the order repository; an order that time will change by
itself (a timed payment, a refund settling) has a timer, claimed by `tick` when it falls due.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from mockums.clock import epoch_of
from mockums.ledger import moves
from mockums.ledger.calls import Call, Event, Outcome
from mockums.ledger.generate import Generator
from mockums.ledger.model import AT_ONCE, NEVER, Order, OrderKey, shared
from mockums.ledger.orders import OrderRepository
from mockums.ledger.plans import NO_LIFECYCLE, PayPlan
from mockums.limits import ORDER_EXPIRY_SECONDS, REFUNDS_PER_ORDER
from mockums.protocol.fields import coerce_amount
from mockums.protocol.statuses import OPEN_STATUSES, UNCOMPLETED
from mockums.protocol.wallets import WALLETS
from mockums.state.timers import TimerRepository

R = TypeVar("R")
Step = Callable[[Order, Call], tuple[Order, Outcome]]


def text(body: Mapping[str, object], name: str) -> str | None:
    """A request field as text; None when absent, empty or a structure: an object or a list is no id, and its text
    may be the repr of a value nested ~1,000 levels deep (a body refused as too deep is still filed by its ids),
    which raises RecursionError."""
    value = body.get(name)
    if type(value) is str:  # what JSON gives nearly always; `value not in (None, "")` compared it to None first
        return value or None
    return str(value) if value is not None and not isinstance(value, (dict, list)) else None


class Ledger:
    """The orders, the moves requests and time make them take, and their timers (`timers`: those the order
    repository sets, claimed here by `tick`)."""

    def __init__(self, orders: OrderRepository, timers: TimerRepository, generator: Generator,
                 refunds_per_order: int = REFUNDS_PER_ORDER) -> None:
        self.orders = orders
        self.timers = timers
        self.generator = generator
        self.refunds_per_order = refunds_per_order

    # -- reading --------------------------------------------------------------------------------

    def order(self, mid: str, mer_order_id: str) -> Order | None:
        """The order under (mid, merOrderId), as it stands (not caught up with time)."""
        return self.orders.get((mid, mer_order_id))

    def locate(self, call: Call) -> OrderKey | None:
        """The key of the order a request names: its merOrderId, else its targetOrderId (of the same mid), else
        the merOrderId of an order something implies (a scenario that speaks for it, or `assume_orders`)."""
        body = call.body
        mid, mer_order_id = str(body["mid"]), text(body, "merOrderId")
        if mer_order_id and self.orders.get((mid, mer_order_id)) is not None:
            return (mid, mer_order_id)
        target = text(body, "targetOrderId")
        if target:
            key = self.orders.key_of_target(target)
            if key is not None and key[0] == mid:
                return key
        if mer_order_id and call.implied_by is not None:
            return (mid, mer_order_id)
        return None

    # -- changing -------------------------------------------------------------------------------

    def change(self, key: OrderKey, change: Callable[[Order | None], tuple[Order | None, R]]) -> R:
        """Apply `change` to the order under `key` as one atomic update (which sets its timer anew)."""
        return self.orders.update(key, change)[1]

    def act(self, call: Call, line: str, step: Step) -> Outcome | None:
        """Apply `step` to the order the request names, caught up with time and put in the scenario's status
        first; None when there is no such order (and nothing implies one). The outcome carries the events
        of time catching up before the step's own."""
        key = self.locate(call)
        if key is None:
            return None

        def apply(old: Order | None) -> tuple[Order | None, Outcome | None]:
            if old is None:
                if call.implied_by is None:  # gone between the look and the change
                    return None, None
                order = self.assumed(call, key, line)
            else:
                order = old
            order, events = moves.catch_up(order, call.now)
            order = moves.scripted(order, call.status, call.now)
            order, outcome = step(order, call)
            return order, outcome.after(events)

        return self.change(key, apply)

    def create(self, call: Call, line: str, *, mer_name: str | None = None, expire_at: float | None = None,
               pay: PayPlan | None = None, amend: Callable[[Order], Order] | None = None,
               ) -> tuple[Order, tuple[Event, ...]] | None:
        """A new order for the request, as it was created (then paid at once when its plan says so: the events
        say so); None when (mid, merOrderId) is taken by a real order. An order only taken to exist, that nothing
        has happened to, is replaced. `amend` adds what the line's own rule read from the request (a 担保
        guarantee, a 分账 split)."""
        mid, mer_order_id = str(call.body["mid"]), str(call.body["merOrderId"])

        def apply(old: Order | None) -> tuple[Order | None, tuple[Order, tuple[Event, ...]] | None]:
            events: tuple[Event, ...]
            if old is not None and not (old.assumed and old.status in OPEN_STATUSES and old.paid_at is None
                                        and not old.refunds):
                return old, None
            created = self.new_order(call, (mid, mer_order_id), line, mer_name=mer_name, expire_at=expire_at, pay=pay)
            if amend is not None:
                created = amend(created)
            order, events = created, ()
            if order.pay_plan.mode in ("immediately", "twice"):  # a second payment only exists for QR bills
                order, events = moves.pay(order, call.now, "paid at once (scenario)")
            return order, (created, events)

        return self.change((mid, mer_order_id), apply)

    def pay(self, key: OrderKey, now: float, why: str, wallet: str | None = None) -> tuple[tuple[Event, ...], bool]:
        """Catch the order up with time, then pay it (through `wallet` when the buyer chose one): (events,
        whether it was payable)."""

        def apply(old: Order | None) -> tuple[Order | None, tuple[tuple[Event, ...], bool]]:
            if old is None:
                return None, ((), False)
            order, events = moves.catch_up(old, now)
            if wallet is not None and order.is_open:
                order = order._replace(target_sys=wallet)
            order, paid = moves.pay(order, now, why)
            return order, ((*events, *paid), bool(paid))

        return self.change(key, apply)

    def catch_up(self, key: OrderKey, now: float) -> tuple[Event, ...]:
        """Apply what time has done to one order."""

        def apply(old: Order | None) -> tuple[Order | None, tuple[Event, ...]]:
            return moves.catch_up(old, now) if old is not None else (None, ())

        return self.change(key, apply)

    def note(self, key: OrderKey, at: float, line: str) -> None:
        """Add a line to an order's history (nothing when it is not kept)."""
        self.change(key, lambda old: (moves.noted(old, at, line) if old is not None else None, None))

    def tick(self, now: float) -> list[Event]:
        """Everything due by `now` across the orders whose timers fall due (each timer claimed once)."""
        events: list[Event] = []
        for key in self.timers.claim_due(now):
            events += self.catch_up((key[1], key[2]), now)
        return events

    def forget(self, key: OrderKey) -> bool:
        """Forget one order and its timer."""
        return self.orders.remove(key)

    def clear(self) -> None:
        """Forget every order and timer."""
        self.orders.clear()
        self.timers.clear()

    # -- making orders --------------------------------------------------------------------------

    def assumed(self, call: Call, key: OrderKey, line: str) -> Order:
        """An order never created here that something implies: unpaid (paid at once when its scenario's plan
        says so, as in its world it was created)."""
        order = self.new_order(call, key, line, assumed=True)
        if order.pay_plan.mode == "immediately":
            order, _ = moves.pay(order, call.now, "paid at once (scenario)")
        return order

    def new_order(self, call: Call, key: OrderKey, line: str, *, assumed: bool = False, mer_name: str | None = None,
                  expire_at: float | None = None, pay: PayPlan | None = None) -> Order:
        """An order made from the request (the request's own values unless `assumed`; then what its scenario says
        of it, `Call.implied`), its history saying how."""
        mid, mer_order_id = key
        wallet = WALLETS[call.spec.channel or "WXPay"]
        seed = self.generator.seed  # read once: the values and the order follow the same seed
        values = self.generator.order_values(mid, mer_order_id, wallet, call.now, seed)
        body = call.body
        said = call.implied if assumed else None  # what a scenario says of the order it implies
        amount = said.total_amount if said is not None else None if assumed else coerce_amount(body.get("totalAmount"))
        lifecycle = call.lifecycle or NO_LIFECYCLE
        if expire_at is None:
            expire_time = None if assumed else text(body, "expireTime")
            expires = epoch_of(expire_time) if expire_time else None
            expire_at = expires if expires is not None else call.now + ORDER_EXPIRY_SECONDS
            if lifecycle.expire_after is not None:
                expire_at = call.now + lifecycle.expire_after
        notify_url = text(body, "notifyUrl")
        made = (f"taken to exist, unpaid, never created here: {call.implied_by}" if assumed
                else f"created by {call.spec.path} ({amount if amount is not None else values['totalAmount']} fen)")
        described = said.describe() if said is not None else ""
        if described:
            made += f" ({described})"
        # By position, in the order of Order's fields (tests/ledger/test_order_memory.py checks each field): a keyword
        # call matches each of the 24 names against the 30 fields, 21.4k instructions against 7.3k, 2.1 % of a
        # request that closes an order never created (callgrind, benchmarks/bench_instructions.py).
        return Order(
            shared(mid),  # mid
            mer_order_id,
            line,
            wallet.initial_status,  # status
            amount if amount is not None else int(str(values["totalAmount"])),  # total_amount
            seed,
            str(values["targetOrderId"]),  # target_order_id
            call.now,  # created_at
            expire_at,
            shared(call.app_id) if call.app_id else call.app_id,  # app_id
            shared(text(body, "instMid") or ""),  # inst_mid
            shared(text(body, "tid") or ""),  # tid
            wallet.target_sys,
            shared(notify_url) if notify_url else None,  # notify_url
            text(body, "attachedData"),  # attached_data
            text(body, "orderDesc"),  # order_desc
            assumed,
            None,  # paid_at
            0,  # queries
            pay or lifecycle.pay or NEVER,  # pay_plan
            lifecycle.refund or AT_ONCE,  # refund_plan
            call.lifecycle,  # lifecycle
            None,  # scripted_status
            mer_name,
            (),  # refunds
            (call.now, shared(made)),  # notes
            UNCOMPLETED if said is not None and said.secure else None,  # secure_status
            0,  # completed_amount
            said.division if said is not None else None,  # division
        )

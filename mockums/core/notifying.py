"""From ledger events to notifications on their way: build the signed form, note it in the order's
history, hand it to the sender (which retries on the sandbox clock)."""

from __future__ import annotations

from collections.abc import Sequence

from mockums.clock import Clock
from mockums.config import Settings
from mockums.ledger.bills import BillBook
from mockums.ledger.generate import Generator
from mockums.ledger.rules import Event
from mockums.notify import Notifier
from mockums.notify.bill_form import build_bill
from mockums.notify.form import build


class Notifications:
    """Sends what ledger events report, as the order's scenario and app say."""

    def __init__(self, settings: Settings, clock: Clock, generator: Generator, notifier: Notifier,
                 bills: BillBook) -> None:
        self.settings = settings
        self.clock = clock
        self.generator = generator
        self.notifier = notifier
        self.bills = bills

    def send(self, events: Sequence[Event]) -> None:
        """One notification per event (two when the scenario says `duplicate`); none without notifyUrl."""
        for event in events:
            order = event.order
            now = self.clock.now()
            app = self.settings.app(order.app_id)
            facts = self.bills.facts(order, now)  # a bill's payment is notified in the bills shape
            note = build_bill(event, facts, self.generator, app) if facts else build(event, self.generator, app, now)
            if note is None:
                order.record(now, f"{event.kind} notification not sent: the order has no notifyUrl")
                continue
            copies = 2 if note.plan.duplicate else 1
            for _ in range(copies):
                self.notifier.send(note.url, note.params, kind=note.kind, mid=note.mid,
                                   mer_order_id=note.mer_order_id, notify_id=note.notify_id, delay=note.plan.delay,
                                   schedule=note.plan.schedule)
            order.record(now, f"{event.kind} notification {note.notify_id} queued for {note.url}"
                         + (" (twice)" if copies == 2 else ""))

"""From events to notifications on their way: the order's product line builds the signed form, the order's
history notes it, and the sender delivers it (retrying on the sandbox clock)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from mockums.clock import Clock
from mockums.config import Settings
from mockums.ledger.calls import Event
from mockums.ledger.ledger import Ledger
from mockums.lines.line import Book
from mockums.notify.sender import Notifier


class Notifications:
    """Sends what events report, in the form of the line that made each order."""

    def __init__(self, settings: Settings, clock: Clock, books: Mapping[str, Book], ledger: Ledger,
                 notifier: Notifier) -> None:
        self.settings = settings
        self.clock = clock
        self.books = books
        self.ledger = ledger
        self.notifier = notifier

    def send(self, events: Sequence[Event]) -> None:
        """One notification per event (two when the scenario says `duplicate`); none without notifyUrl."""
        for event in events:
            order = event.order
            now = self.clock.now()
            note = self.books[order.line].notification(event, self.settings.app(order.app_id), now)
            if note is None:
                self.ledger.note(order.key, now, f"{event.kind} notification not sent: the order has no notifyUrl")
                continue
            copies = 2 if note.plan.duplicate else 1
            for _ in range(copies):
                self.notifier.send(note.url, note.params, kind=note.kind, mid=note.mid,
                                   mer_order_id=note.mer_order_id, notify_id=note.notify_id, delay=note.plan.delay,
                                   schedule=note.plan.schedule)
            self.ledger.note(order.key, now, f"{event.kind} notification {note.notify_id} queued for {note.url}"
                             + (" (twice)" if copies == 2 else ""))

"""The order half of the core facade: list, show, pay, notify and forget orders, and redeliver notifications.

A mixin of `Sandbox` (the one door); it works on the sandbox's ledger, its lines' books, the notifier, the
sequences and the journal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mockums.clock import Clock
from mockums.core import views
from mockums.core.journal import JournalRepository
from mockums.errors import Conflict, NotFound
from mockums.ledger import moves
from mockums.ledger.calls import Event
from mockums.ledger.ledger import Ledger
from mockums.ledger.model import Order
from mockums.lines import Book, Registry
from mockums.notify.sender import Notifier
from mockums.scenarios import SequenceTracker
from mockums.scenarios.script import sequence_key

MAX_LISTED = 1000  # orders listed at most by one call
NO_ORDER = "no such order: create it, or call any endpoint with this merOrderId first"


class OrderControl:
    """Order operations of the facade."""

    clock: Clock
    lines: Registry
    _ledger: Ledger
    _books: Mapping[str, Book]
    _notifier: Notifier
    _sequences: SequenceTracker
    _journal: JournalRepository

    def _dispatch(self, events: Sequence[Event]) -> None:
        raise NotImplementedError

    def orders(self, mid: str | None = None, mer_order_id: str | None = None,
               limit: int | None = None) -> list[dict[str, Any]]:
        """Orders, oldest first (at most `limit` or MAX_LISTED, the newest), filtered by mid and merOrderId."""
        count = min(limit or MAX_LISTED, MAX_LISTED)
        orders = self._ledger.orders
        if mid is None and mer_order_id is None:  # a list that does not read every kept order
            found = orders.newest(count)
        else:
            found = [o for o in orders.all() if mid in (None, o.mid) and mer_order_id in (None, o.mer_order_id)]
        return [views.order_summary(o) for o in found[-count:]]

    def order(self, mid: str, mer_order_id: str) -> dict[str, Any]:
        """One order in full, with its notification deliveries; NotFound if unknown."""
        return self._order_view(self._order(mid, mer_order_id))

    def notifications(self, mid: str | None = None, mer_order_id: str | None = None) -> list[dict[str, Any]]:
        """Notification deliveries and their attempts, oldest first."""
        return [views.delivery_view(d) for d in self._notifier.deliveries(mid, mer_order_id)]

    def _order(self, mid: str, mer_order_id: str) -> Order:
        order = self._ledger.order(mid, mer_order_id)
        if order is None:
            raise NotFound(NO_ORDER)
        return order

    def _order_view(self, order: Order) -> dict[str, Any]:
        line = self.lines.line(order.line)
        deliveries = self._notifier.deliveries(order.mid, order.mer_order_id)
        return views.order_view(order, deliveries, line.order_calls, line.order_call_fields)

    def pay(self, mid: str, mer_order_id: str) -> dict[str, Any]:
        """The customer pays: TRADE_SUCCESS, and the notification is sent. Conflict if not payable.

        An id no order has may name something a product line pays otherwise: a QR-code bill is paid by its
        billNo (or its code by qrCodeId), as if its code were scanned and paid.
        """
        now = self.clock.now()
        if self._ledger.order(mid, mer_order_id) is None:
            for book in self._books.values():
                paid = book.pay(mid, mer_order_id, now)
                if paid is not None:
                    self._dispatch(paid.events)
                    if paid.problem is not None or paid.order_key is None:
                        raise Conflict(paid.problem or "nothing was paid")
                    return self._order_view(self._order(*paid.order_key))
        order = self._order(mid, mer_order_id)
        events, payable = self._ledger.pay(order.key, now, "paid by control call")
        self._dispatch(events)
        if not payable:
            status = self._order(mid, mer_order_id).status
            raise Conflict(f"order is {status}; only NEW_ORDER or WAIT_BUYER_PAY orders can be paid")
        return self._order_view(self._order(mid, mer_order_id))

    def notify(self, mid: str, mer_order_id: str) -> dict[str, Any]:
        """Send the order's notification again for its current state (payment, or its latest refund)."""
        order = self._order(mid, mer_order_id)
        event = moves.latest_event(order)
        if event is None:
            raise Conflict(f"order is {order.status}: there is no payment to notify about yet")
        if not order.notify_url:
            raise Conflict("the order has no notifyUrl")
        self._dispatch([event])
        return self._order_view(order)

    def redeliver(self, notify_id: str) -> dict[str, Any]:
        """Deliver a kept notification again, same notifyId and signature; NotFound if not kept."""
        delivery = self._notifier.redeliver(notify_id)
        if delivery is None:
            raise NotFound("no notification with this notifyId is kept")
        return views.delivery_view(delivery)

    def forget_order(self, mid: str, mer_order_id: str) -> dict[str, Any]:
        """Forget one order: its state, its scenario sequences and its journal entries."""
        found = self._ledger.forget((mid, mer_order_id))
        for book in self._books.values():
            book.forget((mid, mer_order_id))
        self._sequences.reset(sequence_key({"mid": mid, "merOrderId": mer_order_id}))
        self._journal.forget_order(mid, mer_order_id)
        return {"reset": found}

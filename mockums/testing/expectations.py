"""What the assertions expect, checked over journal entries and deliveries already fetched: pure functions,
shared by both handles."""

from __future__ import annotations

from collections.abc import Sequence

from mockums.testing.calls import Entry


def count_met(found: int, times: int | None) -> bool:
    """`times` None means at least one; otherwise exactly `times`."""
    return found >= 1 if times is None else found == times


def context_query(endpoint: str | None, mer_order_id: str | None) -> tuple[str | None, str | None]:
    """The journal filter (merOrderId, endpoint) whose entries a failure shows: the order's every request,
    else the endpoint's, else all."""
    return mer_order_id, None if mer_order_id else endpoint


def matching_requests(entries: Sequence[Entry], endpoint: str | None, err_code: str | None,
                      status: int | None) -> list[Entry]:
    """The journal entries to `endpoint` answered with `err_code` and HTTP `status` (None: any)."""
    return [e for e in entries
            if (endpoint is None or e.get("endpoint") == endpoint)
            and (err_code is None or e.get("errCode") == err_code)
            and (status is None or e.get("status") == status)]


def delivery_matches(delivery: Entry, status: str | None, accepted: bool | None) -> bool:
    """Whether a delivery carries the order `status` and was accepted (True), refused on every attempt so
    far (False: at least one attempt, none accepted) or either (None)."""
    if status is not None and (delivery.get("params") or {}).get("status") != status:
        return False
    attempts = delivery.get("attempts") or []
    if accepted is True:
        return any(attempt.get("accepted") for attempt in attempts)
    if accepted is False:
        return bool(attempts) and not any(attempt.get("accepted") for attempt in attempts)
    return True


def matching_deliveries(deliveries: Sequence[Entry], status: str | None, accepted: bool | None) -> list[Entry]:
    """The deliveries that `delivery_matches`."""
    return [d for d in deliveries if delivery_matches(d, status, accepted)]

"""Readable assertion messages: what was expected, what was found, and the journal or deliveries that
explain the difference."""

from __future__ import annotations

from collections.abc import Sequence

from mockums.testing.calls import Entry
from mockums.testing.expectations import context_query

TABLE_ROWS = 30  # journal rows shown in a failure message (the newest)


def plural(count: int, word: str, plural_form: str = "") -> str:
    """`1 request`, `2 requests`; `plural_form` when the word does not simply take an s."""
    return f"{count} {word}" if count == 1 else f"{count} {plural_form or word + 's'}"


def where(endpoint: str | None, mer_order_id: str | None, err_code: str | None = None,
          status: int | None = None) -> str:
    """` to ENDPOINT for merOrderId ID answered with errCode X and HTTP N`, each part only when given."""
    parts = [f" to {endpoint}" if endpoint else "", f" for merOrderId {mer_order_id}" if mer_order_id else ""]
    conditions = [f"errCode {err_code}" if err_code is not None else "", f"HTTP {status}" if status is not None else ""]
    wanted = " and ".join(c for c in conditions if c)
    return "".join(parts) + (f" answered with {wanted}" if wanted else "")


def format_journal(entries: Sequence[Entry], marked: Sequence[Entry] = ()) -> str:
    """A compact table of journal entries (the newest TABLE_ROWS); rows in `marked` start with `>`."""
    marked_ids = {entry["id"] for entry in marked}
    hidden = max(0, len(entries) - TABLE_ROWS)
    entries = entries[hidden:]
    header = ("", "time", "endpoint", "merOrderId", "auth", "scenario", "status", "errCode")
    rows = [header]
    for entry in entries:
        scenario = entry.get("scenario") or {}
        auth = entry.get("auth") or {}
        rows.append((
            ">" if entry["id"] in marked_ids else "",
            str(entry.get("time", "")).partition(" ")[2] or str(entry.get("time", "")),
            str(entry.get("endpoint")),
            str(entry.get("merOrderId") or "-"),
            str(auth.get("verdict") or "-"),
            str(scenario.get("name") or "-"),
            str(entry.get("fault") or entry.get("status")),
            str(entry.get("errCode") or "-"),
        ))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows]
    if hidden:
        lines.insert(1, f"  … {plural(hidden, 'earlier request')} not shown")
    return "\n".join(f"  {line}".rstrip() for line in lines)


def format_deliveries(deliveries: Sequence[Entry]) -> str:
    """Each notification delivery with its attempts: the receiver's answer, accepted or refused."""
    lines = []
    for delivery in deliveries:
        params = delivery.get("params") or {}
        lines.append(f"  notifyId {delivery.get('notifyId')}  {delivery.get('kind')}  status={params.get('status')}"
                     f"  {delivery.get('state')}  -> {delivery.get('url')}")
        attempts = delivery.get("attempts") or []
        for attempt in attempts:
            answer = f"HTTP {attempt['status']} {attempt.get('body', '')!r}" if attempt.get("status") else (
                f"no answer ({attempt.get('error')})")
            verdict = "accepted" if attempt.get("accepted") else "refused"
            lines.append(f"      attempt {attempt.get('number')}: {answer} {verdict}")
        if not attempts:
            lines.append("      no attempt yet")
        if delivery.get("reason"):
            lines.append(f"      gave up: {delivery['reason']}")
    return "\n".join(lines)


def requested_failure(context: Sequence[Entry], matching: Sequence[Entry], recent: Sequence[Entry] | None,
                      endpoint: str | None, mer_order_id: str | None, times: int | None,
                      err_code: str | None, status: int | None) -> str:
    """Why `assert_requested` failed.

    `context` is the journal filtered by `context_query` (its `matching` rows are marked); `recent`, the
    journal's last entries, is shown only when `context` is empty.
    """
    if times is None:
        expected = "at least one request"
    elif times == 0:
        expected = "no request"
    else:
        expected = plural(times, "request")
    shown_order, shown_endpoint = context_query(endpoint, mer_order_id)
    scope = where(shown_endpoint, shown_order) or " in all"
    lines = [f"expected {expected}{where(endpoint, mer_order_id, err_code, status)}, got {len(matching)}:"]
    if context:
        note = " (> marks the matching ones)" if matching and len(matching) < len(context) else ""
        held = plural(len(context), "request")
        lines += [f"the journal holds {held}{scope}{note}:", format_journal(context, matching)]
    elif recent:
        lines += [f"the journal holds no request{scope}; its last {plural(len(recent), 'request')}:",
                  format_journal(recent)]
    else:
        lines.append("the journal is empty.")
    return "\n".join(lines)


def notified_failure(deliveries: Sequence[Entry], matching: Sequence[Entry], mer_order_id: str,
                     times: int | None, status: str | None, accepted: bool | None, waited: float) -> str:
    """Why `assert_notified` failed after waiting `waited` seconds: every delivery of the order, or why
    there may be none."""
    expected = "at least one notification" if times is None else (
        "no notification" if times == 0 else plural(times, "notification"))
    conditions = [f"with status {status}" if status else "",
                  {True: "accepted by the receiver", False: "refused by the receiver", None: ""}[accepted]]
    wanted = ", ".join(c for c in conditions if c)
    wanted = f" {wanted}" if wanted else ""
    lines = [f"expected {expected} for merOrderId {mer_order_id}{wanted}, got {len(matching)} (waited {waited:.1f} s):"]
    if deliveries:
        held = plural(len(deliveries), "delivery", "deliveries")
        lines += [f"mockums holds {held} for merOrderId {mer_order_id}:", format_deliveries(deliveries)]
    else:
        lines.append(f"mockums sent no notification for merOrderId {mer_order_id} "
                     "(one is sent when an order created with a notifyUrl is paid or refunded).")
    return "\n".join(lines)


def unnotifiable_failure(mer_order_id: str, times: int | None) -> str:
    """Why `assert_notified` failed at once: the order has no notifyUrl, so nothing will ever be sent."""
    expected = "at least one notification" if times is None else plural(times, "notification")
    return (f"expected {expected} for merOrderId {mer_order_id}, but the order was created without a notifyUrl: "
            "the sandbox notifies only the notifyUrl an order is created with, so none will come "
            "(create it with notifyUrl=… to receive them).")

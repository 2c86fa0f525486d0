"""A QR code and the bills it collects (C扫B, protocol-evidence §8), as values: a change makes a new record,
which the bill repository keeps in place of the old one.

A one-time code (BILLPAY) carries one bill; a fixed code (FIXEDPAY) collects a new bill at each payment
(its billNo chosen by the platform), unless update-qrcode bound one to it. Each payment of a bill is an
ordinary order of the ledger, keyed (mid, billNo + one digit): `billNo0` first, `billNo1` for a second
payment of the same bill (a digit taken by another order is skipped). The bill's status follows from its
payments, its code and time.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from mockums.ledger.plans import Lifecycle
from mockums.limits import HISTORY_CAP
from mockums.lines.bills.endpoints import ONE_TIME

BillKey = tuple[str, str]  # (mid, billNo)


@dataclass(frozen=True)
class QrCode:
    """A code the buyer scans: its kind, where it points, and the bill it currently collects for."""

    qr_code_id: str
    mid: str
    tid: str
    inst_mid: str
    kind: str  # BILLPAY (one-time) or FIXEDPAY (fixed)
    url: str  # billQRCode: opening it is scanning it
    merchant: str  # merName on every bill and notification of the code
    created_at: float
    expire_at: float | None  # None: a fixed code never expires
    app_id: str | None = None
    amount: int | None = None  # a fixed code's own amount (None: the buyer enters it)
    bill_desc: str | None = None
    notify_url: str | None = None
    return_url: str | None = None
    member_id: str | None = None
    counter_no: str | None = None
    system_id: str | None = None
    wallet_option: str | None = None  # SINGLE: a paid bill takes no second payment
    sign_type: str | None = None  # the notification digest the request asked for (MD5 when absent)
    lifecycle: Lifecycle | None = None
    closed_at: float | None = None
    bill_no: str | None = None  # the bill it collects for now
    bills_made: int = 0  # platform billNos issued for this fixed code
    history: tuple[tuple[float, str], ...] = ()

    @property
    def one_time(self) -> bool:
        return self.kind == ONE_TIME

    def open_at(self, now: float) -> bool:
        """Whether the code can still be scanned and paid."""
        return self.closed_at is None and (self.expire_at is None or now < self.expire_at)

    def noted(self, at: float, event: str) -> QrCode:
        """The code with one more history line (the newest HISTORY_CAP kept)."""
        return replace(self, history=(*self.history[-HISTORY_CAP + 1:], (at, event)))


@dataclass(frozen=True)
class Bill:
    """A bill: what the buyer pays through a code, and the payments made for it (merOrderIds, oldest first)."""

    bill_no: str
    bill_date: str
    mid: str
    qr_code_id: str
    total_amount: int
    created_at: float
    bill_desc: str | None = None
    payments: tuple[str, ...] = ()
    closed: bool = False  # replaced by update-qrcode before it was paid
    preauth: bool = False  # a pre-authorisation (preauthTransaction): its payment is authorised, then completed
    completed_amount: int | None = None  # 预授权完成: the amount completed (None: not completed)
    preauth_cancelled: bool = False  # 预授权撤销: the authorisation was released

    @property
    def key(self) -> BillKey:
        return (self.mid, self.bill_no)


@dataclass(frozen=True)
class BillFacts:
    """What a bill notification and the returnUrl of a bill say about the bill, read at one moment."""

    bill: Bill
    code: QrCode
    status: str  # billStatus


"""How a QR code is set up from a request, and the ids the platform makes for codes and bills."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from mockums.clock import BEIJING, DATE_FORMAT, epoch_of
from mockums.ledger.generate import Generator
from mockums.ledger.ledger import text as _text
from mockums.ledger.plans import Lifecycle
from mockums.lines.bills.endpoints import BILL_EXPIRY_SECONDS
from mockums.lines.bills.model import Bill, QrCode
from mockums.protocol.fields import coerce_amount


def configured(code: QrCode, body: Mapping[str, object], lifecycle: Lifecycle | None) -> QrCode:
    """The code with its settings from a get-qrcode or update-qrcode request (fields sent replace old ones),
    and its expiry: expireTime, else 30 minutes for a one-time code and never for a fixed one; a scenario's
    `expire_after` wins."""
    amount = code.amount
    if not code.one_time and body.get("totalAmount") not in (None, "") and _text(body, "billNo") is None:
        amount = coerce_amount(body.get("totalAmount"))
    expire = _text(body, "expireTime")
    expires = epoch_of(expire) if expire else None
    expire_at = code.expire_at
    if expires is not None:
        expire_at = expires
    elif code.one_time and expire_at is None:
        expire_at = code.created_at + BILL_EXPIRY_SECONDS
    lifecycle = lifecycle or code.lifecycle
    if lifecycle is not None and lifecycle.expire_after is not None:
        expire_at = code.created_at + lifecycle.expire_after
    return replace(code, amount=amount, expire_at=expire_at,
                   bill_desc=_sent(body, "billDesc", code.bill_desc),
                   notify_url=_sent(body, "notifyUrl", code.notify_url),
                   return_url=_sent(body, "returnUrl", code.return_url),
                   member_id=_sent(body, "memberId", code.member_id),
                   counter_no=_sent(body, "counterNo", code.counter_no),
                   system_id=_sent(body, "systemId", code.system_id),
                   wallet_option=_sent(body, "walletOption", code.wallet_option),
                   sign_type=_sent(body, "signType", code.sign_type))


def _sent(body: Mapping[str, object], name: str, old: str | None) -> str | None:
    """A setting the request sent (as text), else the code's own."""
    value = _text(body, name)
    return old if value is None else value


def new_code_id(generator: Generator, mid: str, prefix: str, serial: int, now: float) -> str:
    """A qrCodeId as observed: 26 characters, 来源编号 (4), yyMMdd, 16 digits."""
    fake = generator.faker_for("qr-code", mid, serial, now)
    return prefix + datetime.fromtimestamp(now, BEIJING).strftime("%y%m%d") + fake.numerify("#" * 16)


def platform_bill(code: QrCode, generator: Generator, amount: int, now: float) -> Bill:
    """The bill the platform makes when a fixed code is paid for the code's `bills_made`-th time: a
    26-character billNo of its own, today's date."""
    fake = generator.faker_for("bill-no", code.qr_code_id, code.bills_made)
    bill_no = code.qr_code_id[:4] + fake.numerify("#" * 22)
    day = datetime.fromtimestamp(now, BEIJING).strftime(DATE_FORMAT)
    return Bill(bill_no, day, code.mid, code.qr_code_id, amount, now, code.bill_desc)

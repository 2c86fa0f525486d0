"""How a QR code is set up from a request, and the ids the platform makes for codes and bills."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from mockums.clock import BEIJING, DATE_FORMAT, epoch_of
from mockums.ledger.bill_model import Bill, QrCode
from mockums.ledger.generate import Generator
from mockums.ledger.plans import Lifecycle
from mockums.protocol.bills import BILL_EXPIRY_SECONDS
from mockums.protocol.fields import coerce_amount

_SETTINGS = (("billDesc", "bill_desc"), ("notifyUrl", "notify_url"), ("returnUrl", "return_url"),
             ("memberId", "member_id"), ("counterNo", "counter_no"), ("systemId", "system_id"),
             ("walletOption", "wallet_option"), ("signType", "sign_type"))


def _text(body: Mapping[str, object], name: str) -> str | None:
    value = body.get(name)
    return str(value) if value not in (None, "") else None


def configure(code: QrCode, body: Mapping[str, object], lifecycle: Lifecycle | None) -> None:
    """The code's settings from a get-qrcode or update-qrcode request (fields sent replace old ones), and
    its expiry: expireTime, else 30 minutes for a one-time code and never for a fixed one; a scenario's
    `expire_after` wins."""
    for name, attr in _SETTINGS:
        if (value := _text(body, name)) is not None:
            setattr(code, attr, value)
    if not code.one_time and body.get("totalAmount") not in (None, "") and _text(body, "billNo") is None:
        code.amount = coerce_amount(body.get("totalAmount"))
    expire = _text(body, "expireTime")
    expires = epoch_of(expire) if expire else None
    if expires is not None:
        code.expire_at = expires
    elif code.one_time and code.expire_at is None:
        code.expire_at = code.created_at + BILL_EXPIRY_SECONDS
    lifecycle = lifecycle or code.lifecycle
    if lifecycle is not None and lifecycle.expire_after is not None:
        code.expire_at = code.created_at + lifecycle.expire_after


def new_code_id(generator: Generator, mid: str, prefix: str, serial: int, now: float) -> str:
    """A qrCodeId as observed: 26 characters, 来源编号 (4), yyMMdd, 16 digits."""
    fake = generator.faker_for("qr-code", mid, serial, now)
    return prefix + datetime.fromtimestamp(now, BEIJING).strftime("%y%m%d") + fake.numerify("#" * 16)


def platform_bill(code: QrCode, generator: Generator, amount: int, now: float) -> Bill:
    """The bill the platform makes when a fixed code is paid: a 26-character billNo of its own, today's date."""
    code.bills_made += 1
    fake = generator.faker_for("bill-no", code.qr_code_id, code.bills_made)
    bill_no = code.qr_code_id[:4] + fake.numerify("#" * 22)
    day = datetime.fromtimestamp(now, BEIJING).strftime(DATE_FORMAT)
    return Bill(bill_no, day, code.mid, code.qr_code_id, amount, now, code.bill_desc)

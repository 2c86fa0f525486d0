"""QR-code bill notifications (protocol-evidence §8.5): their own shape, their own signature defaults.

The form carries the bill (billNo, billDate, billStatus, qrCodeId, qrCodeType…), `billPayment` as a JSON
**string**, and one random extra pair (a 2-letter key, a 4-letter value) that is signed like the rest.
The digest is MD5 by default, with no `signType` field (a 2020 production notification), and SHA-256
with `signType=SHA256` when asked (a 2022 test-environment one): uppercase hex either way. The three
published samples are checked in the tests. The returnUrl of a paid bill carries a subset, signed alike.
"""

from __future__ import annotations

from mockums.clock import format_time
from mockums.config import App
from mockums.ledger.calls import Event
from mockums.ledger.generate import Generator
from mockums.ledger.plans import NotifyPlan
from mockums.lines.bills.answers import bill_payment
from mockums.lines.bills.model import BillFacts
from mockums.lines.netpay.answers import describe
from mockums.lines.netpay.notification import WRONG_KEY_SUFFIX
from mockums.notify.note import Notification
from mockums.notify.signing import MD5, SHA256, SIGN_FIELD, normalize_sign_type, notification_sign, sign_notification
from mockums.protocol import wire

# What the bill's "back to the merchant" link carries (DOC-CB), besides sign (and signType with SHA-256).
RETURN_FIELDS = ("mid", "tid", "instMid", "billNo", "billQRCode", "billDate", "createTime", "billStatus",
                 "billDesc", "totalAmount", "memberId", "counterNo", "merName", "memo", "billPayment")


def bill_sign(params: dict[str, str], key: str, sign_type: str) -> dict[str, str]:
    """`params` signed the bill way: MD5 without a signType field, or SHA-256 with signType=SHA256."""
    if normalize_sign_type(sign_type or MD5) == MD5:
        unsigned = {name: value for name, value in params.items() if name not in (SIGN_FIELD, "signType")}
        return {**unsigned, SIGN_FIELD: notification_sign(unsigned, key, MD5)}
    return sign_notification(params, key, SHA256)


def bill_fields(event: Event, facts: BillFacts, generator: Generator) -> tuple[dict[str, str], str]:
    """The unsigned fields of a bill notification for `event`, and its notifyId."""
    order, bill, code = event.order, facts.bill, facts.code
    fake = generator.faker_for("bill-notify", order.mid, order.mer_order_id, event.kind,
                               event.refund.refund_order_id if event.refund else "")
    notify_id = fake.uuid4()
    values = describe(order, generator)
    form: dict[str, object | None] = {
        "billDate": bill.bill_date, "billDesc": bill.bill_desc,
        "billNo": bill.bill_no,
        "billPayment": wire.text(bill_payment(order, generator)),
        "billQRCode": code.url, "billStatus": facts.status, "createTime": format_time(bill.created_at),
        "instMid": code.inst_mid, "mchntUuid": fake.hexify("^" * 32), "merName": code.merchant, "mid": code.mid,
        "notifyId": notify_id, "qrCodeId": code.qr_code_id, "qrCodeType": code.kind,
        "receiptAmount": order.total_amount, "seqId": values.get("seqId"), "subInst": "100200", "tid": code.tid,
        "totalAmount": bill.total_amount, "memberId": code.member_id, "counterNo": code.counter_no,
    }
    if event.refund is not None:
        form["refundAmount"] = event.refund.amount
    # The random pair: a 2-letter key (upper case first, as every sample shows) and a 4-letter value.
    form[fake.random_uppercase_letter() + fake.random_lowercase_letter()] = fake.lexify("????")
    return {name: str(value) for name, value in form.items() if value not in (None, "")}, notify_id


def build_bill(event: Event, facts: BillFacts, generator: Generator, app: App) -> Notification | None:
    """The signed bill notification for one event, or None when the code has no notifyUrl."""
    code = facts.code
    if not code.notify_url:
        return None
    plan = code.lifecycle.notify if code.lifecycle and code.lifecycle.notify else NotifyPlan()
    fields, notify_id = bill_fields(event, facts, generator)
    key = app.notify_key + (WRONG_KEY_SUFFIX if plan.bad_signature else "")
    params = bill_sign(fields, key, plan.sign_type or code.sign_type or MD5)
    order = event.order
    return Notification(code.notify_url, params, notify_id, event.kind, order.mid, order.mer_order_id, plan)


def bill_return(event: Event, facts: BillFacts, generator: Generator, app: App) -> dict[str, str]:
    """The signed fields the bill's "back to the merchant" link adds to returnUrl."""
    fields, _ = bill_fields(event, facts, generator)
    kept = {name: value for name, value in fields.items() if name in RETURN_FIELDS}
    plan = facts.code.lifecycle.notify if facts.code.lifecycle and facts.code.lifecycle.notify else NotifyPlan()
    return bill_sign(kept, app.notify_key, plan.sign_type or facts.code.sign_type or MD5)

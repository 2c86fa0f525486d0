"""Every generated wallet value has the shape of its wallet (protocol/wallets.py): targetSys, the ids,
their lengths and prefixes, and the targetStatus at each moment, over HTTP."""

from __future__ import annotations

import random
import re

from conftest import Caller, Receiver
from lifecycle_helpers import ALI_ORDER, ALI_QUERY, MINI_ORDER, QUERY, REFUND, WX_ORDER, WX_QUERY, create, pay

from mockums.ledger.generate import shaped
from mockums.protocol.statuses import ORDER_STATUSES
from mockums.protocol.wallets import WALLETS

MINI = {"subAppId": "wx0123456789abcdef", "subOpenId": "o1a2b3c4d5e6f7g8h9", "tradeType": "MINI",
        "instMid": "MINIDEFAULT"}


def test_every_wallet_reports_every_status_and_its_shapes_make_ids() -> None:
    for wallet in WALLETS.values():
        assert set(wallet.target_status) == set(ORDER_STATUSES)
        assert wallet.initial_status in ORDER_STATUSES
    rng = random.Random(1)
    now = 1_780_000_000.0  # 2026-05-29, Beijing time
    assert re.fullmatch(r"4200001\d{3}20260529\d{10}", shaped(WALLETS["WXPay"].target_order_id.text, rng, now))
    assert re.fullmatch(r"20260529 2200\d{16}".replace(" ", ""),
                        shaped(WALLETS["Alipay 2.0"].target_order_id.text, rng, now))
    assert re.fullmatch(r"o[A-Za-z0-9]{27}", shaped(WALLETS["WXPay"].buyer_id.text, rng, now))


async def test_alipay_just_created_and_unpaid(caller: Caller) -> None:
    created = await create(caller, "3194202611260800", path=ALI_ORDER)
    assert (created["errCode"], created["status"], created["targetStatus"], created["targetSys"]) == (
        "SUCCESS", "NEW_ORDER", "10000", "Alipay 2.0")
    assert re.fullmatch(r"2088\d{12}", created["targetMid"])
    assert "targetOrderId" not in created
    assert re.fullmatch(r"https://qr\.alipay\.com/bax0[a-z0-9]{20}", created["qrCode"])
    assert created["appPayRequest"] == {"qrCode": created["qrCode"], "msgType": "trade.precreate"}
    for path in (ALI_QUERY, QUERY):
        unpaid = (await caller.call(path, "3194202611260800")).json
        assert (unpaid["errCode"], unpaid["errMsg"], unpaid["status"], unpaid["targetStatus"]) == (
            "SUCCESS", "交易不存在", "NEW_ORDER", "40004|ACQ.TRADE_NOT_EXIST")
        assert "targetOrderId" not in unpaid and "buyerId" not in unpaid
        assert unpaid["targetMid"] == created["targetMid"]


async def test_alipay_paid_and_refunded_has_alipay_ids(caller: Caller, receiver: Receiver) -> None:
    await create(caller, "3194202611260801", receiver, path=ALI_ORDER)
    await pay(caller, "3194202611260801")
    paid = (await caller.call(ALI_QUERY, "3194202611260801")).json
    assert (paid["errCode"], paid["errMsg"], paid["status"], paid["targetStatus"]) == (
        "SUCCESS", "", "TRADE_SUCCESS", "10000|TRADE_SUCCESS")
    today = paid["responseTimestamp"][:10].replace("-", "")
    assert re.fullmatch(rf"{today}2200\d{{16}}", paid["targetOrderId"])
    assert not paid["targetOrderId"].startswith("42")
    assert re.fullmatch(r"2088\d{12}", paid["buyerId"])
    [note] = await receiver.wait_for(1)
    assert (note.form["targetOrderId"], note.form["buyerId"], note.form["targetSys"]) == (
        paid["targetOrderId"], paid["buyerId"], "Alipay 2.0")
    refund = (await caller.call(REFUND, "3194202611260801", refundAmount=100)).json
    assert refund["refundTargetOrderId"] == paid["targetOrderId"]  # Alipay refunds keep the trade_no
    assert caller.sandbox.order("898201612345678", "3194202611260801")["targetSys"] == "Alipay 2.0"


async def test_wechat_ids_and_statuses(caller: Caller) -> None:
    for path, order_id, fields in ((WX_ORDER, "3194202611260802", {}), (MINI_ORDER, "3194202611260803", MINI)):
        created = await create(caller, order_id, path=path, **fields)
        assert (created["status"], created["targetStatus"], created["targetSys"]) == (
            "WAIT_BUYER_PAY", "SUCCESS|SUCCESS", "WXPay")
        assert re.fullmatch(r"\d{9}", created["targetMid"])
        unpaid = (await caller.call(WX_QUERY, order_id)).json
        assert (unpaid["errMsg"], unpaid["targetStatus"]) == ("", "SUCCESS|NOTPAY")
        today = unpaid["responseTimestamp"][:10].replace("-", "")
        assert re.fullmatch(rf"4200001\d{{3}}{today}\d{{10}}", unpaid["targetOrderId"])
        await pay(caller, order_id)
        paid = (await caller.call(QUERY, order_id)).json
        assert paid["targetStatus"] == "SUCCESS|SUCCESS"
        assert re.fullmatch(r"o[A-Za-z0-9]{27}", paid["buyerId"])
        refund = (await caller.call(REFUND, order_id, refundAmount=1)).json
        assert re.fullmatch(r"503\d{26}", refund["refundTargetOrderId"])

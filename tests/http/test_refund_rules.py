"""Refund rules over HTTP: a refundOrderId names one refund (reusing it for another amount is refused),
and the amount left to refund, not a count, is what limits partial refunds."""

from __future__ import annotations

from conftest import Caller, MakeCaller
from lifecycle_helpers import QUERY, REFUND, REFUND_QUERY, create, pay


async def test_a_refund_order_id_reused_with_another_amount_is_refused(caller: Caller) -> None:
    await create(caller, "3194202611261000", totalAmount=1000)
    await pay(caller, "3194202611261000")
    first = (await caller.call(REFUND, "3194202611261000", refundAmount=300, refundOrderId="R31940000001")).json
    assert (first["errCode"], first["refundStatus"], first["refundAmount"]) == ("SUCCESS", "SUCCESS", 300)
    other = (await caller.call(REFUND, "3194202611261000", refundAmount=500, refundOrderId="R31940000001")).json
    assert (other["errCode"], other["errMsg"]) == (
        "OPERATION_NOT_ALLOWED", "退款订单号R31940000001已用于300分的退款，退款金额不一致")
    assert (other["status"], other["refundAmount"]) == ("TRADE_REFUND", 300)  # the order's total refunded
    assert "refundStatus" not in other and "refundOrderId" not in other
    same = (await caller.call(REFUND, "3194202611261000", refundAmount="300", refundOrderId="R31940000001")).json
    assert (same["errCode"], same["refundTargetOrderId"]) == ("SUCCESS", first["refundTargetOrderId"])  # idempotent
    queried = (await caller.call(REFUND_QUERY, "3194202611261000", refundOrderId="R31940000001")).json
    assert queried["refundAmount"] == 300
    assert (await caller.call(QUERY, "3194202611261000")).json["refundAmount"] == 300  # nothing else refunded


async def test_the_amount_is_the_limit_of_partial_refunds(caller: Caller) -> None:
    await create(caller, "3194202611261001", totalAmount=101)
    await pay(caller, "3194202611261001")
    codes = {(await caller.call(REFUND, "3194202611261001", refundAmount=1, refundOrderId=f"R3194{n:07d}")).json[
        "errCode"] for n in range(101)}
    assert codes == {"SUCCESS"}  # 101 refunds of one order, one more than the former cap of 100
    over = (await caller.call(REFUND, "3194202611261001", refundAmount=1, refundOrderId="R3194X000101")).json
    assert (over["errCode"], over["errMsg"]) == ("OPERATION_NOT_ALLOWED", "退款金额超过可退金额 (可退 0 分)")


async def test_the_refund_count_cap_is_configurable(make_caller: MakeCaller) -> None:
    caller = await make_caller(refunds_per_order=2)
    await create(caller, "3194202611261002", totalAmount=1000)
    await pay(caller, "3194202611261002")
    for n in range(2):
        assert (await caller.call(REFUND, "3194202611261002", refundAmount=1, refundOrderId=f"R319400000{n}")).json[
            "errCode"] == "SUCCESS"
    capped = (await caller.call(REFUND, "3194202611261002", refundAmount=1, refundOrderId="R3194000009")).json
    assert (capped["errCode"], capped["errMsg"]) == ("OPERATION_NOT_ALLOWED", "退款次数超过上限 2")

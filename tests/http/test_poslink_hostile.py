"""POS link against careless and hostile clients, over HTTP: wrong types, nested objects, huge values, missing
fields, unknown payment codes, resent and concurrent refunds, void and refund in either order. Every answer is
`errCode`/`errInfo` in the line's words with a clear reason, never a 500 and never a huge value quoted whole."""

from __future__ import annotations

import asyncio

from conftest import Caller
from pos_client import MERCHANT, V2, V6, call, pay, pay_body, pos

AMOUNT_RULE = "(rule: required, integer fen 1..100000000 (number or numeric string))"


async def test_wrong_types_nested_and_huge_values_are_refused_with_their_reason(caller: Caller) -> None:
    nested = await pay(caller, "HOS0001", code={"a": {"b": [1]}})  # type: ignore[arg-type]
    assert nested == {"errCode": "9001", "merchantOrderId": "HOS0001", "errInfo":
                      "参数校验失败: payCode: must be a string, got dict (rule: required, at most 32 characters)"}
    huge = await pay(caller, "HOS0002", amount="9" * 5000)  # type: ignore[arg-type]
    assert huge["errCode"] == "9001" and len(huge["errInfo"]) < 200
    assert huge["errInfo"].startswith("参数校验失败: transactionAmount: '9999") and AMOUNT_RULE in huge["errInfo"]
    flag = await pay(caller, "HOS0003", limitCreditCard=[1, 2])
    assert flag["errInfo"] == ("参数校验失败: limitCreditCard: [1, 2] is not true or false (rule: optional, true or false "
                               "(boolean or string))")
    body = {name: value for name, value in pay_body("HOS0004").items() if name != "payCode"}
    status, missing = await pos(caller, f"{V2}/pay", body)
    assert (status, missing["errInfo"]) == (200, "参数校验失败: payCode: is missing or empty (rule: required, at most 32 "
                                                 "characters)")
    status, nobody = await pos(caller, f"{V6}/query", dict(MERCHANT))
    assert (status, nobody) == (200, {"errCode": "9001", "errInfo": "参数校验失败: merchantOrderId or originalOrderId: "
                                      "both are missing or empty (rule: at least one of merchantOrderId, "
                                      "originalOrderId)"})
    by_dict = await call(caller, "refund", originalOrderId={"a": 1}, refundRequestId="R1", transactionAmount=1)
    assert by_dict == {"errCode": "9001", "errInfo": "参数校验失败: originalOrderId: must be a string, got dict (rule: "
                                                    "optional, at most 32 characters)"}


async def test_payment_codes_no_wallet_issues_are_refused(caller: Caller) -> None:
    for index, code in enumerate(("991234567890123456", "13", "1399996099", "NaN")):
        refused = await pay(caller, f"HOS01{index}", code=code)
        assert refused == {"errCode": "ER", "merchantOrderId": f"HOS01{index}",
                           "errInfo": f"付款码无效: {code} (不是微信、支付宝或银联的付款码)"}
        found = await call(caller, "query", merchantOrderId=f"HOS01{index}")
        assert found["errCode"] == "25"  # nothing was paid


async def test_concurrent_refunds_with_one_refund_request_id_refund_once(caller: Caller) -> None:
    await pay(caller, "HOS0200", 10)
    fields = {**MERCHANT, "merchantOrderId": "HOS0200", "refundRequestId": "SAME", "transactionAmount": 3}
    answers = await asyncio.gather(*(pos(caller, f"{V2}/refund", fields) for _ in range(8)))
    assert {(status, answer["errCode"], answer["refundOrderId"]) for status, answer in answers} == {
        (200, "00", answers[0][1]["refundOrderId"])}
    found = await call(caller, "query", merchantOrderId="HOS0200")
    assert (found["queryResCode"], found["refundedAmount"]) == ("3", 3)
    other = await call(caller, "refund", merchantOrderId="HOS0200", refundRequestId="SAME", transactionAmount=4)
    assert (other["errCode"], other["errInfo"]) == ("94", "重复交易: refundRequestId SAME 已用于金额3")


async def test_void_after_refund_and_refund_after_void_are_refused(caller: Caller) -> None:
    await pay(caller, "HOS0300", 10)
    assert (await call(caller, "refund", merchantOrderId="HOS0300", refundRequestId="R1",
                       transactionAmount=2))["errCode"] == "00"
    voided = await call(caller, "voidpayment", merchantOrderId="HOS0300")
    assert voided == {"errCode": "57", "errInfo": "不允许此交易: 原交易状态为refunded", "merchantOrderId": "HOS0300"}
    await pay(caller, "HOS0301", 10)
    assert (await call(caller, "voidpayment", merchantOrderId="HOS0301"))["errCode"] == "00"
    for action, more in (("refund", {"refundRequestId": "R1", "transactionAmount": 1}), ("voidpayment", {}),
                         ("reversepayment", {})):
        refused = await call(caller, action, merchantOrderId="HOS0301", **more)
        assert refused == {"errCode": "57", "errInfo": "不允许此交易: 原交易状态为voided", "merchantOrderId": "HOS0301"}

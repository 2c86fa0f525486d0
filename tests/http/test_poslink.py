"""POS link over HTTP: pay, query, void, reversal, refund and refund query on v2, v4 and v6, with the wallet read
from the payment code and the rules on the sandbox clock, answered `errCode "00"` with `errInfo`."""

from __future__ import annotations

import json

from conftest import Caller, MakeCaller
from pos_client import ALIPAY, MERCHANT, UNIONPAY, V2, V4, V6, call, pay, pay_body, pos

from mockums.config import Strictness


async def test_a_wechat_payment_is_answered_in_the_gateways_shape(caller: Caller) -> None:
    answer = await pay(caller, "POS0001", 2)
    assert (answer["errCode"], answer["errInfo"]) == ("00", "10000成功响应码")
    assert answer["merchantOrderId"] == "POS0001"
    assert (answer["transactionAmount"], answer["amount"], answer["actualTransactionAmount"]) == (2, 2, 2)
    assert answer["thirdPartyName"] == "微信钱包"
    assert answer["thirdPartyOrderId"].startswith("4200001") and len(answer["thirdPartyOrderId"]) == 28
    date = answer["transactionDateWithYear"]
    assert len(date) == 8 and len(answer["transactionTime"]) == 6
    assert answer["orderId"].startswith(date) and len(answer["orderId"]) == 26 and answer["orderId"].isdigit()
    assert len(answer["retrievalRefNum"]) == 12
    assert answer["thirdPartyPayInformation"] == "现金:2"


async def test_the_wallet_is_read_from_the_payment_code(caller: Caller) -> None:
    alipay = await pay(caller, "POS0002", 5, ALIPAY)
    assert (alipay["errCode"], alipay["thirdPartyName"]) == ("00", "支付宝钱包")
    assert alipay["thirdPartyBuyerId"].startswith("2088")
    unionpay = await pay(caller, "POS0003", 5, UNIONPAY)
    assert (unionpay["errCode"], unionpay["thirdPartyName"], unionpay["chnlType"]) == ("00", "银联二维码", "UnionPay")
    unknown = await pay(caller, "POS0004", 5, "991234567890123456")
    assert unknown == {"errCode": "ER", "merchantOrderId": "POS0004",
                       "errInfo": "付款码无效: 991234567890123456 (不是微信、支付宝或银联的付款码)"}


async def test_query_reports_what_became_of_the_payment(caller: Caller) -> None:
    paid = await pay(caller, "POS0010", 3)
    found = await call(caller, "query", merchantOrderId="POS0010")
    assert (found["errCode"], found["errInfo"], found["queryResCode"], found["queryResDesc"]) == (
        "00", "00000成功响应码", "0", "成功")
    assert found["orderId"] == paid["orderId"]
    assert found["origialRetrievalRefNum"] == paid["retrievalRefNum"]
    assert (found["originalTransactionAmount"], found["refundedAmount"], found["originalPayCode"]) == (
        3, 0, "134601952390095542")
    # merchantOrderId wins over originalOrderId on query
    assert (await call(caller, "query", merchantOrderId="POS0010", originalOrderId="1" * 26))["queryResCode"] == "0"
    by_ums = await call(caller, "query", originalOrderId=paid["orderId"])
    assert by_ums["merchantOrderId"] == "POS0010"
    missing = await call(caller, "query", merchantOrderId="POS0011")
    assert missing == {"errCode": "25", "errInfo": "找不到原始交易", "merchantOrderId": "POS0011"}


async def test_a_merchant_order_id_pays_once(caller: Caller) -> None:
    await pay(caller, "POS0020")
    again = await pay(caller, "POS0020")
    assert (again["errCode"], again["errInfo"]) == ("94", "重复交易: merchantOrderId POS0020 已使用")


async def test_void_on_the_day_then_no_refund(caller: Caller) -> None:
    paid = await pay(caller, "POS0030", 8)
    # originalOrderId wins over merchantOrderId on void: a wrong one is not found, whatever merchantOrderId says
    wrong = await call(caller, "voidpayment", merchantOrderId="POS0030", originalOrderId="2" * 26)
    assert wrong["errCode"] == "25"
    voided = await call(caller, "voidpayment", merchantOrderId="nothing", originalOrderId=paid["orderId"])
    assert (voided["errCode"], voided["transactionAmount"], voided["orderId"]) == ("00", 8, paid["orderId"])
    found = await call(caller, "query", merchantOrderId="POS0030")
    assert (found["queryResCode"], found["queryResDesc"]) == ("2", "已撤销")
    refused = await call(caller, "refund", merchantOrderId="POS0030", refundRequestId="R1", transactionAmount=1)
    assert (refused["errCode"], refused["errInfo"]) == ("57", "不允许此交易: 原交易状态为voided")


async def test_void_and_reversal_only_on_the_payments_day(caller: Caller) -> None:
    await pay(caller, "POS0040")
    await pay(caller, "POS0041")
    caller.sandbox.clock.advance(86400)
    for action, order_id in (("voidpayment", "POS0040"), ("reversepayment", "POS0041")):
        late = await call(caller, action, merchantOrderId=order_id)
        assert late["errCode"] == "57" and late["errInfo"].startswith("不允许此交易: 只能撤销或冲正当日交易")


async def test_partial_refunds_up_to_the_amount_paid_each_request_once(caller: Caller) -> None:
    paid = await pay(caller, "POS0050", 10)
    first = await call(caller, "refund", merchantOrderId="POS0050", refundRequestId="R1", transactionAmount=4)
    assert (first["errCode"], first["errInfo"], first["refundInvoiceAmount"], first["transactionAmount"]) == (
        "00", "10000成功响应码", "4", 4)
    assert len(first["refundOrderId"]) == 26
    assert first["settlementDateWithYear"] == paid["transactionDateWithYear"]
    again = await call(caller, "refund", merchantOrderId="POS0050", refundRequestId="R1", transactionAmount=4)
    assert again == first  # idempotent: the same refund, not a second one
    reused = await call(caller, "refund", merchantOrderId="POS0050", refundRequestId="R1", transactionAmount=5)
    assert reused["errCode"] == "94"
    over = await call(caller, "refund", merchantOrderId="POS0050", refundRequestId="R2", transactionAmount=7)
    assert (over["errCode"], over["errInfo"]) == ("64", "原始金额错误: 退货金额7超过可退金额6")
    rest = await call(caller, "refund", originalOrderId=paid["orderId"], refundRequestId="R2", transactionAmount=6)
    assert rest["errCode"] == "00"
    found = await call(caller, "query", merchantOrderId="POS0050")
    assert (found["queryResCode"], found["queryResDesc"], found["refundedAmount"]) == ("3", "已退货", 10)
    refund = await call(caller, "query-refund", merchantOrderId="POS0050", refundRequestId="R1")
    assert (refund["errCode"], refund["queryResCode"], refund["refundInvoiceAmount"], refund["dealType"]) == (
        "00", "00", "4", "refund")
    unknown = await call(caller, "query-refund", merchantOrderId="POS0050", refundRequestId="R9")
    assert unknown["errCode"] == "25"
    voided = await call(caller, "voidpayment", merchantOrderId="POS0050")
    assert (voided["errCode"], voided["errInfo"]) == ("57", "不允许此交易: 原交易状态为refunded")


async def test_refunds_work_up_to_30_days(caller: Caller) -> None:
    await pay(caller, "POS0060", 10)
    await pay(caller, "POS0061", 10)
    caller.sandbox.clock.advance(30 * 86400 - 60)
    within = await call(caller, "refund", merchantOrderId="POS0060", refundRequestId="R1", transactionAmount=1)
    assert within["errCode"] == "00"
    caller.sandbox.clock.advance(120)
    late = await call(caller, "refund", merchantOrderId="POS0061", refundRequestId="R1", transactionAmount=1)
    assert (late["errCode"], late["errInfo"]) == ("57", "不允许此交易: 退货期限30天已过")


async def test_v4_pay_takes_its_device_fields(caller: Caller) -> None:
    status, missing = await pos(caller, f"{V4}/pay", pay_body("POS0070"))
    assert (status, missing["errCode"]) == (200, "9001")
    assert "deviceType: is missing or empty" in missing["errInfo"]
    answer = await pay(caller, "POS0070", path=f"{V4}/pay", deviceType="11", serialNum="SN0001")
    assert answer["errCode"] == "00"


async def test_v6_accepts_the_v2_names_and_one_clients_names_with_a_warning(caller: Caller) -> None:
    plain = await pay(caller, "POS0080", 6, path=f"{V6}/pay")
    assert (plain["errCode"], plain["transactionAmount"]) == ("00", 6)
    body = {**MERCHANT, "merchantOrderId": "POS0081", "totalAmount": 7, "qrCode": ALIPAY,
            "transactionCurrencyCode": "156", "payMode": "CODE_SCAN"}
    answer = await caller.signed(f"{V6}/pay", json.dumps(body).encode())
    assert answer.json["errCode"] == "00" and answer.json["transactionAmount"] == 7
    assert answer.json["thirdPartyName"] == "支付宝钱包"
    warning = answer.headers["X-Mockums-Warning"]
    assert "transactionAmount left out (totalAmount sent instead)" in warning
    assert "payCode left out (qrCode sent instead)" in warning
    refund = await call(caller, "refund", V6, merchantOrderId="POS0081", refundRequestId="R1", refundAmount=2)
    assert (refund["errCode"], refund["transactionAmount"]) == ("00", 2)
    found = await call(caller, "refund-query", V6, merchantOrderId="POS0081", refundRequestId="R1")
    assert found["queryResCode"] == "00"
    assert (await call(caller, "query", V6, merchantOrderId="POS0081"))["queryResCode"] == "3"
    voided = await call(caller, "voidpayment", V6, originalOrderId=plain["orderId"])
    assert (voided["errCode"], voided["merchantOrderId"]) == ("00", "POS0080")
    assert (await call(caller, "query", V6, merchantOrderId="POS0080"))["queryResCode"] == "2"


async def test_strict_mode_keeps_v6_to_the_table(make_caller: MakeCaller) -> None:
    strict = await make_caller(strict=Strictness(request=True))
    body = {**MERCHANT, "merchantOrderId": "POS0090", "totalAmount": 7, "qrCode": ALIPAY,
            "transactionCurrencyCode": "156", "payMode": "CODE_SCAN"}
    status, answer = await pos(strict, f"{V6}/pay", body)
    assert (status, answer["errCode"]) == (200, "9001")
    # the answer names what was sent and why strict mode refuses it, not only what was left out
    amount_rule = "required, integer fen 1..100000000 (number or numeric string)"
    assert answer["errInfo"] == (
        f"参数校验失败: transactionAmount: is missing or empty (rule: {amount_rule}); payCode: is missing or empty "
        "(rule: required, at most 32 characters); totalAmount sent in place of transactionAmount (the name a PHP "
        "client (MJM) on v6 sends): accepted in lenient mode only; qrCode sent in place of payCode (the name a PHP "
        "client (MJM) on v6 sends): accepted in lenient mode only")
    await pos(strict, f"{V2}/pay", pay_body("POS0091", 5))
    status, answer = await pos(strict, f"{V6}/refund", {**MERCHANT, "merchantOrderId": "POS0091",
                                                         "refundRequestId": "R1", "refundAmount": 1})
    assert answer == {"errCode": "9001", "merchantOrderId": "POS0091", "errInfo": (
        f"参数校验失败: transactionAmount: is missing or empty (rule: {amount_rule}); refundAmount sent in place of "
        "transactionAmount (the name a PHP client (MJM) on v6 sends): accepted in lenient mode only")}


async def test_field_rules_and_authentication(caller: Caller) -> None:
    bad = await pay(caller, "POS0100", 0, transactionCurrencyCode="840")
    assert bad["errCode"] == "9001"
    assert "transactionCurrencyCode: '840' is not one of 156" in bad["errInfo"]
    mode = await pay(caller, "POS0101", payMode="NFC")
    assert (mode["errCode"], mode["errInfo"]) == ("57", "不允许此交易: payMode NFC (mockums answers CODE_SCAN only)")
    raw = json.dumps(pay_body("POS0102")).encode()
    unsigned = await caller.raw(f"{V2}/pay", raw, None)
    assert unsigned.status == 401


async def test_activeterminal_answers_00(caller: Caller) -> None:
    assert await call(caller, "activeterminal") == {"errCode": "00", "errInfo": "10000成功响应码"}


async def test_optional_flags_come_as_booleans_or_text(caller: Caller) -> None:
    """A Java client's `Boolean limitCreditCard` serialises as true/false; the document says the text "true"/"false"."""
    assert (await pay(caller, "POS0110", limitCreditCard=True))["errCode"] == "00"
    assert (await pay(caller, "POS0111", limitCreditCard="false"))["errCode"] == "00"
    refused = await pay(caller, "POS0112", limitCreditCard="yes")
    assert refused["errCode"] == "9001" and "limitCreditCard: 'yes' is not true or false" in refused["errInfo"]


async def test_a_published_go_clients_requests_every_field_sent(caller: Caller) -> None:
    """The requests a published Go client builds (MACZ's structs: every field sent, empty ones as "", storeId a
    UUID, the v4 device fields on pay): pay on v4, query by merchantOrderId with originalOrderId "", refund by
    originalOrderId with merchantOrderId "", void of a second payment."""
    def body(order_id: str) -> dict[str, object]:
        return {**MERCHANT, "transactionAmount": 12, "transactionCurrencyCode": "156", "merchantOrderId": order_id,
                "merchantRemark": "", "payMode": "CODE_SCAN", "payCode": "134601952390095542", "srcReserved": "",
                "orderDesc": "门店A", "storeId": "6f1c2a4e-8b1d-4c55-9a7e-2f0d3b9c1e77", "deviceType": "11",
                "longitude": "121.473701", "latitude": "31.230416"}

    status, paid = await pos(caller, f"{V4}/pay", body("JHTEST20250923164207"))
    assert (status, paid["errCode"], paid["errInfo"]) == (200, "00", "10000成功响应码")
    found = await call(caller, "query", merchantOrderId="JHTEST20250923164207", originalOrderId="",
                       oriTransDate=paid["transactionDateWithYear"])
    assert (found["queryResCode"], found["orderId"]) == ("0", paid["orderId"])
    refund = await call(caller, "refund", merchantOrderId="", originalOrderId=paid["orderId"], merchantRemark="",
                        refundRequestId="JHTEST20250923164207R1", transactionAmount=2, refundDesc="")
    assert (refund["errCode"], refund["refundInvoiceAmount"]) == ("00", "2")
    refunds = await call(caller, "query-refund", merchantOrderId="JHTEST20250923164207", originalOrderId="",
                         refundRequestId="JHTEST20250923164207R1", oriTransDate="")
    assert (refunds["queryResCode"], refunds["originalAmount"]) == ("00", 12)
    await pos(caller, f"{V4}/pay", body("JHTEST20250923164208"))
    voided = await call(caller, "voidpayment", merchantOrderId="JHTEST20250923164208", originalOrderId="")
    assert (voided["errCode"], voided["transactionAmount"]) == ("00", 12)

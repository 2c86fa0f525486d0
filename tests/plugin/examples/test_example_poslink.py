"""POS link (B扫C) with the `mockums` fixture: the cashier's terminal charges a payment code, refunds part of it,
and the journal answers `assert_requested` by merchantOrderId; a magic payment code makes the customer enter a
password, so the terminal polls query."""

import json
import urllib.request

MERCHANT = {"merchantCode": "898201612345678", "terminalCode": "88880001"}
PAY, QUERY, REFUND = ("/v2/poslink/transaction/pay", "/v2/poslink/transaction/query",
                      "/v2/poslink/transaction/refund")
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # the sandbox is local: no proxy


def call(mockums, path, **fields):
    """The terminal's client: POST a JSON body with an OPEN-BODY-SIG Authorization header."""
    body = json.dumps({**MERCHANT, **fields}).encode()
    headers = {"Content-Type": "application/json", "Authorization": mockums.sign(body)}
    with NO_PROXY.open(urllib.request.Request(mockums.url + path, data=body, headers=headers), timeout=5) as answer:
        return json.load(answer)


def pay(mockums, order_id, amount, code):
    return call(mockums, PAY, merchantOrderId=order_id, transactionAmount=amount, transactionCurrencyCode="156",
                payMode="CODE_SCAN", payCode=code)


def test_pay_then_refund_part(mockums):
    paid = pay(mockums, "POS0001", 360, "134601952390095542")  # a WeChat code
    assert (paid["errCode"], paid["thirdPartyName"], paid["amount"]) == ("00", "微信钱包", 360)

    refund = call(mockums, REFUND, originalOrderId=paid["orderId"], refundRequestId="R1", transactionAmount=60)

    assert (refund["errCode"], refund["refundInvoiceAmount"]) == ("00", "60")
    assert call(mockums, QUERY, merchantOrderId="POS0001")["queryResCode"] == "3"  # 已退货
    # The refund named the payment by its UMS orderId alone: the journal files it under its merchantOrderId.
    mockums.assert_requested(REFUND, merOrderId="POS0001", times=1, errCode="00")


def test_customer_enters_a_password(mockums):
    # 13 (WeChat) + 9999 + case 1002: the first two queries report paying, the third paid.
    answer = pay(mockums, "POS0002", 100, "139999100200000000")
    assert answer["errCode"] == "ER"  # 用户支付中: poll query

    results = [call(mockums, QUERY, merchantOrderId="POS0002")["queryResCode"] for _ in range(3)]

    assert results == ["FF", "FF", "0"]
    mockums.assert_requested(QUERY, merOrderId="POS0002", times=3)

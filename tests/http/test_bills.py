"""QR-code bills over real HTTP: codes, bills and their rules; paying means opening the billQRCode (the
cashier page) or a control call; notifications in the bills shape, checked by an independent verifier."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl, urlsplit

from bills_client import CLOSE, GET_QRCODE, INFO, MID, QUERY, REFUND, UPDATE, bills, one_time, query, today
from conftest import Caller, Receiver, notification_signature_valid

from mockums.config import DEMO_APP


async def test_a_one_time_code_answers_its_documented_fields(caller: Caller) -> None:
    answer = await bills(caller, GET_QRCODE, billNo="3194BILL0001", billDate=today(), totalAmount=360,
                         msgId="m-1", srcReserve="r-1", billDesc="测试账单")
    body = answer.json
    assert set(body) == {"errCode", "errMsg", "msgId", "responseTimestamp", "mid", "tid", "instMid", "srcReserve",
                         "billNo", "billDate", "billQRCode", "qrCodeId"}
    assert (body["errCode"], body["errMsg"], body["billNo"], body["billDate"]) == ("SUCCESS", "查询二维码成功",
                                                                                  "3194BILL0001", today())
    assert re.fullmatch(r"3194\d{22}", body["qrCodeId"])
    assert body["qrCodeId"][4:10] == today().replace("-", "")[2:]
    assert body["billQRCode"] == f"http://127.0.0.1:{caller.client.port}/bills/qrCode.do?id={body['qrCodeId']}"


async def test_a_bill_is_unpaid_then_paid_with_its_payment_as_an_object(caller: Caller) -> None:
    await one_time(caller, "3194BILL0002", billDesc="二号账单", memberId="m2", counterNo="c2")
    unpaid = await query(caller, "3194BILL0002")
    assert (unpaid["errCode"], unpaid["billStatus"], unpaid["totalAmount"]) == ("SUCCESS", "UNPAID", 360)
    assert (unpaid["billDesc"], unpaid["memberId"], unpaid["counterNo"]) == ("二号账单", "m2", "c2")
    assert "billPayment" not in unpaid
    caller.sandbox.pay(MID, "3194BILL0002")
    paid = await query(caller, "3194BILL0002")
    assert paid["billStatus"] == "PAID"
    payment = paid["billPayment"]
    assert isinstance(payment, dict)
    assert (payment["merOrderId"], payment["billBizType"], payment["status"]) == ("3194BILL00020", "bills",
                                                                                  "TRADE_SUCCESS")
    assert payment["totalAmount"] == payment["buyerPayAmount"] == 360
    # The payment is an order of the ledger, reachable by its merOrderId too.
    by_payment = (await bills(caller, QUERY, merOrderId="3194BILL00020", billDate=today())).json
    assert by_payment["billNo"] == "3194BILL0002"
    netpay = await caller.call("/v1/netpay/query", "3194BILL00020", instMid="QRPAYDEFAULT")
    assert netpay.json["status"] == "TRADE_SUCCESS"


async def test_bill_rules(caller: Caller) -> None:
    await one_time(caller, "3194BILL0003")
    duplicate = (await bills(caller, GET_QRCODE, billNo="3194BILL0003", billDate=today(), totalAmount=1)).json
    assert (duplicate["errCode"], duplicate["errMsg"]) == ("DUP_ORDER", "账单号重复: 3194BILL0003")
    lonely = (await bills(caller, GET_QRCODE, billNo="3194BILL0004", totalAmount=1)).json
    assert lonely["errCode"] == "BAD_REQUEST" and "billNo, billDate: go together" in lonely["errMsg"]
    no_amount = (await bills(caller, GET_QRCODE, billNo="3194BILL0004", billDate=today())).json
    assert no_amount["errCode"] == "BAD_REQUEST" and "totalAmount" in no_amount["errMsg"]
    unknown = await query(caller, "3194NOBILL01")
    assert (unknown["errCode"], unknown["errMsg"]) == ("NO_BILL", "找不到账单")
    other_day = (await bills(caller, QUERY, billNo="3194BILL0003", billDate="2000-01-01")).json
    assert other_day["errCode"] == "NO_BILL"
    bad_date = (await bills(caller, QUERY, billNo="3194BILL0003", billDate="26/11/2026")).json
    assert bad_date["errCode"] == "BAD_REQUEST" and "billDate" in bad_date["errMsg"]
    wrong_inst = (await bills(caller, QUERY, billNo="3194BILL0003", billDate=today(), instMid="H5DEFAULT")).json
    assert wrong_inst["errCode"] == "BAD_REQUEST"


async def test_a_bill_date_with_a_time_is_accepted_and_flagged(caller: Caller) -> None:
    answer = await bills(caller, GET_QRCODE, billNo="3194BILL0005", billDate=f"{today()} 13:40:17", totalAmount=1)
    assert answer.json["billDate"] == today()
    assert "carries a time" in answer.headers["X-Mockums-Warning"]


async def test_a_one_time_code_expires_after_thirty_minutes(caller: Caller) -> None:
    await one_time(caller, "3194BILL0006")
    caller.sandbox.move_clock(advance=29 * 60)
    assert (await query(caller, "3194BILL0006"))["billStatus"] == "UNPAID"
    caller.sandbox.move_clock(advance=60)
    assert (await query(caller, "3194BILL0006"))["billStatus"] == "CLOSED"
    code = (await bills(caller, INFO, qrCodeId=caller.sandbox.orders(mer_order_id="3194BILL00060")[0]["merOrderId"]))
    assert code.json["errCode"] == "NO_BILL"  # a payment id is not a qrCodeId


async def test_refunds(caller: Caller, receiver: Receiver) -> None:
    await one_time(caller, "3194BILL0007", notifyUrl=receiver.url)
    unpaid = (await bills(caller, REFUND, billNo="3194BILL0007", billDate=today(), refundAmount=100)).json
    assert unpaid["errCode"] == "OPERATION_NOT_ALLOWED"
    caller.sandbox.pay(MID, "3194BILL0007")
    first = (await bills(caller, REFUND, billNo="3194BILL0007", billDate=today(), refundAmount=100,
                         refundOrderId="3194REF00001")).json
    assert (first["errCode"], first["refundStatus"], first["refundAmount"], first["billStatus"]) == (
        "SUCCESS", "SUCCESS", 100, "REFUND")
    assert (first["merOrderId"], first["refundOrderId"]) == ("3194BILL00070", "3194REF00001")
    no_id = (await bills(caller, REFUND, billNo="3194BILL0007", billDate=today(), refundAmount=100)).json
    assert no_id["errCode"] == "BAD_REQUEST" and "refundOrderId" in no_id["errMsg"]
    again = (await bills(caller, REFUND, billNo="3194BILL0007", billDate=today(), refundAmount=100,
                         refundOrderId="3194REF00001")).json
    assert (again["errCode"], again["refundOrderId"]) == ("SUCCESS", "3194REF00001")  # the same refund, not a new one
    too_much = (await bills(caller, REFUND, billNo="3194BILL0007", billDate=today(), refundAmount=261,
                            refundOrderId="3194REF00002")).json
    assert too_much["errCode"] == "OPERATION_NOT_ALLOWED"
    shown = await query(caller, "3194BILL0007", refundOrderId="3194REF00001")
    assert shown["refundBillPayment"]["merOrderId"] == "3194REF00001"
    assert shown["refundBillPayment"]["totalAmount"] == 100
    missing = await query(caller, "3194BILL0007", refundOrderId="3194REF00009")
    assert missing["errCode"] == "NO_ORDER"
    received = await receiver.wait_for(2)
    refund_note = received[1].form
    assert (refund_note["billStatus"], refund_note["refundAmount"]) == ("REFUND", "100")
    assert notification_signature_valid(refund_note, DEMO_APP.notify_key, default="MD5")


async def test_closing_a_code(caller: Caller) -> None:
    created = await one_time(caller, "3194BILL0008")
    closed = (await bills(caller, CLOSE, qrCodeId=created["qrCodeId"])).json
    assert (closed["errCode"], closed["errMsg"], closed["billStatus"]) == ("SUCCESS", "成功关闭二维码", "CLOSED")
    again = (await bills(caller, CLOSE, qrCodeId=created["qrCodeId"])).json
    assert again["errCode"] == "OPERATION_NOT_ALLOWED"
    assert (await query(caller, "3194BILL0008"))["billStatus"] == "CLOSED"
    paid = await one_time(caller, "3194BILL0009")
    caller.sandbox.pay(MID, "3194BILL0009")
    refunded = (await bills(caller, CLOSE, qrCodeId=paid["qrCodeId"], attachRefund=True)).json
    assert (refunded["billStatus"], refunded["refundAmount"], refunded["refundStatus"]) == ("REFUND", 360, "SUCCESS")
    fixed = (await bills(caller, GET_QRCODE, totalAmount=100)).json
    refused = (await bills(caller, CLOSE, qrCodeId=fixed["qrCodeId"], attachRefund="true")).json
    assert refused["errCode"] == "BAD_REQUEST" and "attachRefund" in refused["errMsg"]
    unknown = (await bills(caller, CLOSE, qrCodeId="3194000000000000000000000X")).json
    assert (unknown["errCode"], unknown["errMsg"]) == ("NO_BILL", "找不到二维码")


async def test_fixed_codes_make_a_bill_per_payment(caller: Caller, receiver: Receiver) -> None:
    fixed = (await bills(caller, GET_QRCODE, totalAmount=500, notifyUrl=receiver.url)).json
    assert "billNo" not in fixed and fixed["errMsg"] == "查询二维码成功"
    info = (await bills(caller, INFO, qrCodeId=fixed["qrCodeId"])).json
    assert (info["qrCodeType"], info["totalAmount"], info["billStatus"]) == ("FIXEDPAY", 500, "UNPAID")
    for _ in range(2):
        await caller.post_form(fixed["billQRCode"], {"action": "pay", "wallet": "Alipay 2.0"})
    received = await receiver.wait_for(2)
    bill_nos = [note.form["billNo"] for note in received]
    assert len(set(bill_nos)) == 2 and all(re.fullmatch(r"\d{26}", no) for no in bill_nos)
    for note in received:
        form = note.form
        assert (form["qrCodeType"], form["totalAmount"], form["billStatus"]) == ("FIXEDPAY", "500", "PAID")
        payment = json.loads(form["billPayment"])
        assert (payment["merOrderId"], payment["targetSys"]) == (form["billNo"] + "0", "Alipay 2.0")
        assert payment["payDetail"] == "支付宝余额支付5.00元。"
        assert notification_signature_valid(form, DEMO_APP.notify_key, default="MD5")
    assert (await query(caller, bill_nos[0], billDate=received[0].form["billDate"]))["billStatus"] == "PAID"


async def test_a_fixed_code_without_amount_asks_the_buyer(caller: Caller) -> None:
    fixed = (await bills(caller, GET_QRCODE)).json
    page = await caller.get(fixed["billQRCode"])
    assert 'name="amount"' in page.text
    wrong = await caller.post_form(fixed["billQRCode"], {"action": "pay", "amount": "abc"})
    assert "请输入金额" in wrong.text
    paid = await caller.post_form(fixed["billQRCode"], {"action": "pay", "amount": "1.23"})
    assert "支付成功" in paid.text
    orders = caller.sandbox.orders()
    assert [o["totalAmount"] for o in orders if o["status"] == "TRADE_SUCCESS"] == [123]


async def test_update_binds_a_new_bill(caller: Caller) -> None:
    fixed = (await bills(caller, GET_QRCODE, totalAmount=500)).json
    bound = (await bills(caller, UPDATE, qrCodeId=fixed["qrCodeId"], billNo="3194BILL0010", billDate=today(),
                         totalAmount=260)).json
    assert (bound["errCode"], bound["errMsg"], bound["billNo"]) == ("SUCCESS", "更新二维码成功", "3194BILL0010")
    page = await caller.get(fixed["billQRCode"])
    assert '<p class="amount">2.60</p>' in page.text and "3194BILL0010" in page.text
    created = await one_time(caller, "3194BILL0011")
    same = (await bills(caller, UPDATE, qrCodeId=created["qrCodeId"], billNo="3194BILL0011", billDate=today(),
                        totalAmount=1)).json
    assert same["errCode"] == "DUP_ORDER"
    replaced = (await bills(caller, UPDATE, qrCodeId=created["qrCodeId"], billNo="3194BILL0012", billDate=today(),
                            totalAmount=1)).json
    assert replaced["errCode"] == "SUCCESS"
    assert (await query(caller, "3194BILL0011"))["billStatus"] == "CLOSED"
    assert (await query(caller, "3194BILL0012"))["billStatus"] == "UNPAID"
    caller.sandbox.pay(MID, "3194BILL0012")
    too_late = (await bills(caller, UPDATE, qrCodeId=created["qrCodeId"], billNo="3194BILL0013", billDate=today(),
                            totalAmount=1)).json
    assert (too_late["errCode"], too_late["errMsg"]) == ("OPERATION_NOT_ALLOWED", "账单已支付")


async def test_scanning_pays_and_returns_to_the_merchant_signed(caller: Caller, receiver: Receiver) -> None:
    created = await one_time(caller, "3194BILL0014", notifyUrl=receiver.url, returnUrl="http://127.0.0.1:9/back",
                             memberId="m14")
    page = await caller.get(created["billQRCode"])
    assert page.status == 200 and '<p class="amount">3.60</p>' in page.text and "3194BILL0014" in page.text
    answer = await caller.post_form(created["billQRCode"], {"action": "pay", "wallet": "WXPay"})
    assert answer.status == 303
    target = urlsplit(answer.headers["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == "http://127.0.0.1:9/back"
    returned = dict(parse_qsl(target.query))
    assert (returned["billNo"], returned["billStatus"], returned["memberId"]) == ("3194BILL0014", "PAID", "m14")
    assert json.loads(returned["billPayment"])["merOrderId"] == "3194BILL00140"
    assert "notifyId" not in returned and "signType" not in returned
    assert notification_signature_valid(returned, DEMO_APP.notify_key, default="MD5")
    form = (await receiver.wait_for(1))[0].form
    assert (form["billNo"], form["qrCodeType"], form["billStatus"], form["memberId"]) == (
        "3194BILL0014", "BILLPAY", "PAID", "m14")
    assert isinstance(form["billPayment"], str) and json.loads(form["billPayment"])["status"] == "TRADE_SUCCESS"
    assert "signType" not in form and re.fullmatch(r"[0-9A-F]{32}", form["sign"])
    extra = [key for key in form if re.fullmatch(r"[A-Z][a-z]", key)]
    assert len(extra) == 1 and re.fullmatch(r"[A-Za-z]{4}", form[extra[0]])
    assert notification_signature_valid(form, DEMO_APP.notify_key, default="MD5")
    assert not notification_signature_valid(form, DEMO_APP.notify_key)  # a verifier that assumes SHA-256 fails


async def test_sign_type_sha256_when_the_request_says_so(caller: Caller, receiver: Receiver) -> None:
    await one_time(caller, "3194BILL0015", notifyUrl=receiver.url, signType="SHA256")
    caller.sandbox.pay(MID, "3194BILL0015")
    form = (await receiver.wait_for(1))[0].form
    assert form["signType"] == "SHA256" and re.fullmatch(r"[0-9A-F]{64}", form["sign"])
    assert notification_signature_valid(form, DEMO_APP.notify_key)


async def test_a_second_payment_unless_the_wallet_option_is_single(caller: Caller, receiver: Receiver) -> None:
    multiple = await one_time(caller, "3194BILL0016", notifyUrl=receiver.url)
    single = await one_time(caller, "3194BILL0017", notifyUrl=receiver.url, walletOption="SINGLE")
    for created in (multiple, single):
        await caller.post_form(created["billQRCode"], {"action": "pay"})
    page = await caller.get(single["billQRCode"])
    assert "walletOption SINGLE" in page.text and 'class="pay" disabled' in page.text
    refused = await caller.post_form(single["billQRCode"], {"action": "pay"})
    assert "账单已支付" in refused.text
    assert "paying again makes a second payment" in (await caller.get(multiple["billQRCode"])).text
    await caller.post_form(multiple["billQRCode"], {"action": "pay"})
    received = await receiver.wait_for(3)
    assert sorted(json.loads(n.form["billPayment"])["merOrderId"] for n in received) == [
        "3194BILL00160", "3194BILL00161", "3194BILL00170"]
    await caller.wait_idle()
    assert len(receiver.received) == 3


async def test_the_cashier_of_an_unknown_or_closed_code(caller: Caller) -> None:
    assert (await caller.get("/bills/qrCode.do?id=nothing")).status == 404
    created = await one_time(caller, "3194BILL0018")
    await bills(caller, CLOSE, qrCodeId=created["qrCodeId"])
    page = await caller.get(created["billQRCode"])
    assert "二维码已失效" in page.text
    refused = await caller.post_form(created["billQRCode"], {"action": "pay"})
    assert "二维码已失效" in refused.text
    left = await caller.post_form(created["billQRCode"], {"action": "leave"})
    assert "订单未支付" in left.text
    cancelled = await caller.post_form(created["billQRCode"], {"action": "cancel"})
    assert "支付已取消" in cancelled.text


async def test_the_journal_files_bills_under_their_bill_no(caller: Caller) -> None:
    created = await one_time(caller, "3194BILL0019")
    await bills(caller, CLOSE, qrCodeId=created["qrCodeId"])
    entries = await caller.journaled("3194BILL0019")
    assert [entry["endpoint"] for entry in entries] == [GET_QRCODE, CLOSE]


async def test_the_control_api_pays_a_bill_by_bill_no(caller: Caller) -> None:
    await one_time(caller, "3194BILL0020")
    async with caller.client.post(f"/__mockums/orders/{MID}/3194BILL0020/pay") as response:
        assert response.status == 200
        assert (await response.json())["merOrderId"] == "3194BILL00200"
    async with caller.client.post(f"/__mockums/orders/{MID}/3194BILL0020/pay") as response:
        assert response.status == 409

"""The cashier page over real HTTP, as a browser uses it: follow the 302, read the page, submit its form;
Pay notifies the merchant (checked by an independent verifier) and returns to returnUrl, signed."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

import chinaums_client
from conftest import Caller, MakeCaller, Receiver, notification_signature_valid

from mockums.config import DEMO_APP
from mockums.server.dashboard import asset

ALIPAY = "/v1/netpay/trade/h5-pay"
RETURN = "http://127.0.0.1:9/shop/paid?from=h5"


async def open_cashier(caller: Caller, order_id: str, path: str = ALIPAY, **content: object) -> str:
    answer = await caller.form(path, chinaums_client.h5_content(order_id, **content))
    assert answer.status == 302, answer.text
    return answer.headers["Location"]


async def test_the_page_shows_merchant_amount_and_wallet(caller: Caller) -> None:
    link = await open_cashier(caller, "3194CASH0001")
    page = await caller.get(link)
    assert page.status == 200
    assert page.headers["Content-Type"].startswith("text/html")
    query = await caller.call("/v1/netpay/query", "3194CASH0001", instMid="H5DEFAULT")
    assert f'<p class="merchant">{query.json["merName"]}</p>' in page.text
    assert '<p class="amount">3.60</p>' in page.text
    assert "支付宝" in page.text and "3194CASH0001" in page.text and "测试 订单" in page.text
    for action in ("pay", "cancel", "leave"):
        assert f'name="action" value="{action}"' in page.text
    # The dashboard's stylesheet first (its colours and fonts), then the cashier's own rules.
    assert page.text.index('href="/netpay-portal/mockums.css"') < page.text.index('href="/netpay-portal/cashier.css"')
    css = await caller.get("/netpay-portal/cashier.css")
    assert (css.status, css.headers["Content-Type"].split(";")[0]) == (200, "text/css")
    assert "var(--mk-accent)" in css.text
    shared = await caller.get("/netpay-portal/mockums.css")
    assert shared.status == 200 and shared.text == asset("mockums.css").decode()


async def test_pay_notifies_and_returns_to_the_merchant_signed(caller: Caller, receiver: Receiver) -> None:
    link = await open_cashier(caller, "3194CASH0002", returnUrl=RETURN, notifyUrl=receiver.url)
    answer = await caller.post_form(link, {"action": "pay"})
    assert answer.status == 303
    target = urlsplit(answer.headers["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == "http://127.0.0.1:9/shop/paid"
    returned = dict(parse_qsl(target.query))
    assert returned["from"] == "h5"
    returned.pop("from")
    assert (returned["merOrderId"], returned["status"], returned["totalAmount"]) == ("3194CASH0002", "TRADE_SUCCESS",
                                                                                      "360")
    assert notification_signature_valid(returned, DEMO_APP.notify_key)
    received = await receiver.wait_for(1)
    form = received[0].form
    assert (form["merOrderId"], form["status"], form["targetSys"]) == ("3194CASH0002", "TRADE_SUCCESS", "Alipay 2.0")
    assert notification_signature_valid(form, DEMO_APP.notify_key)
    query = await caller.call("/v1/netpay/query", "3194CASH0002", instMid="H5DEFAULT")
    assert query.json["status"] == "TRADE_SUCCESS"
    # The page now says so, and paying again does nothing.
    page = await caller.get(link)
    assert "订单已支付" in page.text and " disabled" in page.text
    again = await caller.post_form(link, {"action": "pay"})
    assert again.status == 200
    await caller.wait_idle()
    assert len(receiver.received) == 1


async def test_pay_without_return_url_shows_the_result(caller: Caller) -> None:
    link = await open_cashier(caller, "3194CASH0003")
    answer = await caller.post_form(link, {"action": "pay"})
    assert (answer.status, "支付成功" in answer.text) == (200, True)


async def test_cancel_returns_unpaid_and_leave_changes_nothing(caller: Caller, receiver: Receiver) -> None:
    link = await open_cashier(caller, "3194CASH0004", returnUrl=RETURN, notifyUrl=receiver.url)
    cancelled = await caller.post_form(link, {"action": "cancel"})
    assert cancelled.status == 303
    returned = dict(parse_qsl(urlsplit(cancelled.headers["Location"]).query))
    assert returned["status"] == "NEW_ORDER"
    left = await caller.post_form(link, {"action": "leave"})
    assert left.status == 200 and "订单未支付" in left.text
    query = await caller.call("/v1/netpay/query", "3194CASH0004", instMid="H5DEFAULT")
    assert query.json["status"] == "NEW_ORDER"
    await caller.wait_idle()
    assert receiver.received == []


async def test_the_buyer_picks_the_wallet_on_the_webpay_page(caller: Caller) -> None:
    link = await open_cashier(caller, "3194CASH0005", path="/v1/netpay/webpay/pay", instMid="YUEDANDEFAULT")
    page = await caller.get(link)
    assert '<select id="wallet" name="wallet">' in page.text
    await caller.post_form(link, {"action": "pay", "wallet": "Alipay 2.0"})
    query = await caller.call("/v1/netpay/query", "3194CASH0005", instMid="YUEDANDEFAULT")
    assert (query.json["status"], query.json["targetSys"]) == ("TRADE_SUCCESS", "Alipay 2.0")


async def test_an_edited_or_stale_link_is_refused(caller: Caller) -> None:
    link = await open_cashier(caller, "3194CASH0006")
    edited = link.replace("totalAmount=360", "totalAmount=1")
    refused = await caller.get(edited)
    assert refused.status == 400 and "not issued by this sandbox" in refused.text
    assert (await caller.post_form(edited, {"action": "pay"})).status == 400
    caller.sandbox.reset()
    gone = await caller.get(link)
    assert gone.status == 404 and "not kept any more" in gone.text
    nowhere = await caller.get("/netpay-portal/alipay2/h5Pay.do")
    assert nowhere.status == 400
    bad_action = await caller.post_form(link, {"action": "steal"})
    assert bad_action.status == 400


async def test_an_expired_order_cannot_be_paid(caller: Caller) -> None:
    link = await open_cashier(caller, "3194CASH0007")
    caller.sandbox.move_clock(advance=31 * 60)
    page = await caller.get(link)
    assert "TRADE_CLOSED" in page.text and "订单已关闭" in page.text
    assert re.search(r'value="pay" class="pay" disabled', page.text)
    assert (await caller.post_form(link, {"action": "pay"})).status == 200
    query = await caller.call("/v1/netpay/query", "3194CASH0007", instMid="H5DEFAULT")
    assert query.json["status"] == "TRADE_CLOSED"


async def test_the_page_is_public_even_when_the_control_api_is_off(make_caller: MakeCaller) -> None:
    caller = await make_caller(control=False)
    link = await open_cashier(caller, "3194CASH0008")
    assert (await caller.get(link)).status == 200


async def test_hostile_links_and_return_urls_get_a_page_not_a_traceback(caller: Caller) -> None:
    crowded = "&".join(f"f{i}=1" for i in range(600))
    assert (await caller.get(f"/netpay-portal/alipay2/h5Pay.do?{crowded}")).status == 400
    link = await open_cashier(caller, "3194CASH0009", returnUrl="http://127.0.0.1:9/x\r\nSet-Cookie: a=b")
    answer = await caller.post_form(link, {"action": "pay"})
    assert (answer.status, "支付成功" in answer.text, "Set-Cookie" in answer.headers) == (200, True, False)


async def test_a_page_just_paid_says_paid_and_every_label_reads_without_a_cjk_font(caller: Caller) -> None:
    """The issue: the page after paying said "(already paid)"; labels in Chinese alone showed as boxes."""
    link = await open_cashier(caller, "3194CASH0009")
    page = await caller.get(link)
    paid = await caller.post_form(link, {"action": "pay"})
    assert "支付成功 Paid" in paid.text and "already paid" not in paid.text
    assert "The payment is done" in paid.text
    for text in (page.text, paid.text):
        labels = re.findall(r"<(?:dt|label|button|title)[^>]*>([^<]*)<|aria-label=\"([^\"]*)\"", text)
        shown = [next(part for part in label if part) for label in labels if any(label)]
        assert shown
        for label in shown:
            if re.search(r"[\u4e00-\u9fff]", label):
                assert re.search(r"[A-Za-z]", label), f"{label!r} is in Chinese alone"


async def test_a_qmf_h5_order_is_paid_at_its_cashier_like_the_others(caller: Caller, receiver: Receiver) -> None:
    link = await open_cashier(caller, "3194CASHQMF1", path="/v1/netpay/qmf/h5-pay", notifyUrl=receiver.url)
    assert urlsplit(link).path == "/netpay-portal/qmf/h5Pay.do"
    assert dict(parse_qsl(urlsplit(link).query))["msgType"] == "qmf.h5Pay"
    assert (await caller.post_form(link, {"action": "pay"})).status == 200  # no returnUrl: the page says it is paid
    [note] = await receiver.wait_for(1)
    assert (note.form["merOrderId"], note.form["status"], note.form["targetSys"]) == (
        "3194CASHQMF1", "TRADE_SUCCESS", "QMF")
    assert notification_signature_valid(note.form, DEMO_APP.notify_key)

"""The dashboard in a real headless Chromium: requests appear live, a bad signature's diagnosis reads as the
journal has it, an order is paid from the page and its notification attempt shows, the clock moved from
the page pays a timed order, "try it", load errors, filters, keyboard, labels, phone width."""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import chinaums_client
import pytest
from dashboard_harness import (
    CLOSE,
    HEIGHT,
    MID,
    ORDER,
    SETTINGS,
    WIDTH,
    Page,
    Receiver,
    Sandbox,
    http,
    resize,
    start_browser,
    thumbnail,
)
from real_redis import start_redis

from mockums.auth import signing
from mockums.config import DEMO_APP
from mockums.testing.background import BackgroundServer


# For this file's tests only, and gone when they are done: a session-wide browser and server kept the page
# polling the server (in this worker process, under coverage) for the rest of the worker's run, which made
# every later test there slower.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    driver = start_browser()
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    with BackgroundServer(SETTINGS) as url:
        yield url


@pytest.fixture
def sandbox(served: str) -> Sandbox:
    sandbox = Sandbox(served)
    sandbox.control("POST", "/reset")
    return sandbox


@pytest.fixture
def page(browser: Any, sandbox: Sandbox) -> Page:
    return Page(browser, sandbox.url)


def test_a_request_sent_from_outside_appears_without_a_reload(page: Page, sandbox: Sandbox) -> None:
    page.open("#/requests")
    page.until(lambda: page.find("#journal-empty").is_displayed(), "the empty journal")
    sandbox.signed(CLOSE, "MKSUCCESSLIVE0001")
    row = page.shows("#journal-list .mk-row", "MKSUCCESSLIVE0001")
    assert "auth ok" in row.text and "HTTP 200 SUCCESS" in row.text and "app-pre-close" in row.text
    assert len(page.rows()) == 1


def test_a_token_granted_is_a_success_badge(page: Page, sandbox: Sandbox) -> None:
    """The token endpoint answers errCode 0000 (正常) on success: a green badge, not the amber of a refusal."""
    body = json.dumps(chinaums_client.token_request(DEMO_APP.app_id, DEMO_APP.app_key)).encode()
    status, answer = http(sandbox.url + "/v1/token/access", "POST", body, {"Content-Type": "application/json"})
    assert (status, answer["errCode"]) == (200, "0000")
    page.open("#/requests")
    row = page.shows("#journal-list .mk-row", "HTTP 200 0000")
    assert row.find_element(page.by.CSS_SELECTOR, ".mk-c-badge2 .mk-badge").get_attribute("class") == "mk-badge mk-ok"


def test_a_bad_signature_opens_to_its_diagnosis(page: Page, sandbox: Sandbox) -> None:
    body, header, _ = sandbox.signed(CLOSE, "3194BADSIG0001", key="not-the-app-key")
    page.open("#/requests")
    page.click("#journal-list .mk-row", "3194BADSIG0001")
    page.shows("#request-auth h3", "bad_signature")
    assert page.text("#request-why").startswith("refused (bad_signature): Signature does not match")
    fields = dict(part.split("=", 1) for part in header.split(" ", 1)[1].replace('"', "").split(", "))
    digest = hashlib.sha256(body).hexdigest()
    assert page.fact("Body SHA-256 (computed here)", "#diagnosis") == digest
    assert page.fact("String to sign", "#diagnosis") == fields["AppId"] + fields["Timestamp"] + fields["Nonce"] + digest
    assert page.fact("Received signature", "#diagnosis") == fields["Signature"]
    assert page.fact("Expected signature", "#diagnosis") == signing.body_signature(
        DEMO_APP.app_key, DEMO_APP.app_id, fields["Timestamp"], fields["Nonce"], body)
    assert page.fact("Signature formula", "#diagnosis") == "Base64(HMAC-SHA256(<appKey redacted>, string_to_sign))"
    assert page.text("#request-body") == body.decode()
    assert '"errCode":"1006"' in page.text("#answer-body")
    assert DEMO_APP.app_key not in page.driver.page_source


def test_the_list_filters_by_order_verdict_scenario_and_endpoint(page: Page, sandbox: Sandbox) -> None:
    sandbox.signed(CLOSE, "MKPAID0001")
    sandbox.signed(CLOSE, "3194FILT0001", key="wrong")
    sandbox.signed(ORDER, "3194FILT0002", totalAmount=100)
    page.open("#/requests")
    page.until(lambda: len(page.rows()) == 3, "three requests")
    from selenium.webdriver.support.ui import Select

    def only(*ids: str) -> None:  # newest first
        def listed() -> bool:
            rows = page.rows()
            return len(rows) == len(ids) and all(i in row for i, row in zip(ids, rows, strict=True))

        page.until(listed, f"only {ids}")

    Select(page.find("#f-verdict")).select_by_value("refused")
    only("3194FILT0001")
    Select(page.find("#f-verdict")).select_by_value("")
    Select(page.find("#f-scenario")).select_by_value("already-paid")
    only("MKPAID0001")
    Select(page.find("#f-scenario")).select_by_value("")
    Select(page.find("#f-endpoint")).select_by_value(ORDER)
    only("3194FILT0002")
    Select(page.find("#f-endpoint")).select_by_value("")
    page.find("#f-order").send_keys("3194FILT0001")
    only("3194FILT0001")


def test_paying_from_the_page_sends_the_notification_and_every_order_button_acts(page: Page, sandbox: Sandbox) -> None:
    with Receiver().running() as receiver:
        sandbox.signed(ORDER, "3194PAYUI0001", totalAmount=500, notifyUrl=receiver.url)
        page.open(f"#/orders/{MID}/3194PAYUI0001")
        page.shows("#order-status", "WAIT_BUYER_PAY")
        page.click("#order-pay")
        page.shows("#order-status", "TRADE_SUCCESS")
        attempt = page.shows("#order-notifications tbody tr", "SUCCESS")
        cells = [cell.text for cell in attempt.find_elements(page.by.TAG_NAME, "td")]
        assert cells[:5] == ["1", cells[1], "200", "yes", "SUCCESS"], cells
        [form] = receiver.forms
        assert (form["merOrderId"], form["status"]) == ("3194PAYUI0001", "TRADE_SUCCESS")

        page.find("#refund-amount").clear()  # what the user types survives the page's refreshes
        page.click("#redeliver-" + form["notifyId"])
        page.until(lambda: len(receiver.forms) == 2, "a redelivery")
        assert receiver.forms[1]["notifyId"] == form["notifyId"]
        page.until(lambda: len(page.all("#order-notifications tbody tr")) == 2, "the redelivery (a refresh)")
        page.find("#refund-amount").send_keys("200")
        assert page.find("#refund-amount").get_attribute("value") == "200"
        page.click("#order-refund")
        page.shows("#order-action-result", "/v1/netpay/refund answered HTTP 200 SUCCESS")
        page.shows("#order-refunds", "¥2.00 (200 fen)")
        page.click("#order-action-result a", "request #")  # the merchant's request mockums sent, in the journal
        page.shows("#request-title", "POST /v1/netpay/refund")
        page.shows("#request-scenario", "none")

        sandbox.signed(ORDER, "3194PAYUI0002", totalAmount=100)
        page.open(f"#/orders/{MID}/3194PAYUI0002")
        page.click("#order-close")
        page.shows("#order-status", "TRADE_CLOSED")
        page.click("#order-forget")
        page.shows("#order-forget", "Really forget it?")
        page.click("#order-forget")
        page.until(lambda: page.js("return location.hash") == "#/orders", "the order list")
        page.shows("#order-list", "3194PAYUI0001")
        assert "3194PAYUI0002" not in page.text("#order-list")


def test_a_pos_payment_is_voided_and_another_refunded_from_the_page(page: Page, sandbox: Sandbox) -> None:
    """POS link's orders: listed with their wallet, voided (voidpayment) and refunded (refund with a fresh
    refundRequestId) by the buttons, which sign and send the merchant's POS-link requests."""
    merchant = {"merchantCode": MID, "terminalCode": "88880001", "transactionCurrencyCode": "156",
                "payMode": "CODE_SCAN", "payCode": "134601952390095542"}
    for order_id, amount in (("POSUI0001", 300), ("POSUI0002", 500)):
        answer = sandbox.pos("/v2/poslink/transaction/pay", {**merchant, "merchantOrderId": order_id,
                                                             "transactionAmount": amount})
        assert answer["errCode"] == "00"
    page.open("#/orders")
    page.shows("#order-list", "POSUI0002")
    page.go(f"#/orders/{MID}/POSUI0001")
    page.shows("#order-status", "TRADE_SUCCESS")
    assert not page.find("#order-close").is_displayed()
    page.click("#order-void")
    page.shows("#order-action-result", "/v2/poslink/transaction/voidpayment answered HTTP 200 00 10000成功响应码")
    page.shows("#order-status", "TRADE_CLOSED")
    page.go(f"#/orders/{MID}/POSUI0002")
    page.shows("#order-status", "TRADE_SUCCESS")
    page.find("#refund-amount").clear()
    page.find("#refund-amount").send_keys("200")
    page.click("#order-refund")
    page.shows("#order-action-result", "/v2/poslink/transaction/refund answered HTTP 200 00 10000成功响应码")
    page.shows("#order-refunds", "¥2.00 (200 fen)")
    page.shows("#order-status", "TRADE_REFUND")
    query = sandbox.pos("/v2/poslink/transaction/query", {**merchant, "merchantOrderId": "POSUI0001"})
    assert (query["queryResCode"], query["queryResDesc"]) == ("2", "已撤销")


def test_advancing_the_clock_from_the_page_pays_a_timed_order(page: Page, sandbox: Sandbox) -> None:
    page.open("#/state")
    page.click("#freeze", "Freeze")
    page.until(lambda: page.find("#clock-frozen").is_displayed(), "the frozen badge")
    before = sandbox.control("GET", "/clock")["now"]
    sandbox.signed(ORDER, "MKPAY5S0001", totalAmount=100)  # pays 5 s of sandbox time after creation
    page.go(f"#/orders/{MID}/MKPAY5S0001")
    page.shows("#order-status", "WAIT_BUYER_PAY")
    page.go("#/state")
    page.click("[data-advance='5']")
    page.shows("#toast", "Advanced +5 s")
    assert sandbox.control("GET", "/clock")["now"] == before + 5
    page.go(f"#/orders/{MID}/MKPAY5S0001")
    page.shows("#order-status", "TRADE_SUCCESS")
    assert "paid" in page.text("#order-history")


def test_an_orders_page_shows_its_guarantee_and_its_split(page: Page, sandbox: Sandbox) -> None:
    """The bundled 担保 and 分账 stories' orders (taken to exist by a query) show what makes them so."""
    for magic_id in ("MKSECUREPAID0001", "MKSPLITASYNC0001"):
        sandbox.signed("/v1/netpay/query", magic_id)
    page.open(f"#/orders/{MID}/MKSECUREPAID0001")
    page.shows("#order-detail", "UNCOMPLETED, ¥0.00 (0 fen) completed")
    page.go(f"#/orders/{MID}/MKSPLITASYNC0001")
    page.shows("#order-detail", "asynDivisionFlag, not confirmed: platform ¥1.00 (100 fen); "
                                "898201612345001 ¥6.00 (600 fen); 898201612345002 ¥3.00 (300 fen)")


def test_the_clock_seed_and_reset_controls(page: Page, sandbox: Sandbox) -> None:
    sandbox.signed(CLOSE, "3194STATE0001")
    page.open("#/state")
    page.find("#set-time").send_keys("2030-01-02 03:04:05")
    page.click("#set-form button")
    page.shows("#state-now", "2030-01-02 03:04:0")
    page.shows("#clock-now", "2030-01-02 03:04:0")
    page.find("#seed-value").send_keys("42")
    page.click("#seed-form button")
    page.shows("#seed-now", "42")
    assert sandbox.control("GET", "/seed") == {"seed": 42}
    page.click("#reset")
    page.click("#reset", "Really reset everything?")
    page.shows("#toast", "Everything was reset.")
    assert sandbox.control("GET", "/journal") == []
    before = time.time()
    assert before <= sandbox.control("GET", "/clock")["now"] <= time.time()  # the clock runs in real time again


def test_try_it_signs_and_sends_a_request_for_a_scenarios_magic_id(page: Page, sandbox: Sandbox) -> None:
    page.open("#/scenarios/already-paid")
    card = "#scenario-already-paid"
    page.shows(f"{card} dd", "MKPAID0001")
    assert "merOrderIdPrefix MKPAID" in page.text(card) and "outcomes.yaml:" in page.text(card)
    page.click(f"{card} button", "Try it")
    page.shows(f"{card} .mk-result", "HTTP 200 TARGET_FAIL")
    assert "订单已支付" in page.text(f"{card} .mk-result")
    [entry] = sandbox.control("GET", "/journal")
    assert (entry["merOrderId"], entry["auth"]["verdict"], entry["scenario"]["name"]) == (
        "MKPAID0001", "ok", "already-paid")
    page.click(f"{card} .mk-result a", f"request #{entry['id']}")
    page.shows("#request-why", "signature ok; scenario already-paid")


def test_load_errors_show_with_file_and_line(browser: Any, tmp_path: Path) -> None:
    mine = tmp_path / "mine.yaml"
    mine.write_text("scenarios:\n  - name: mine\n    match: {merOrderIdPrefix: MINE}\n"
                    "    respond: {fields: {errCode: SUCCESS}}\n", encoding="utf-8")
    settings = replace(SETTINGS, scenario_paths=(tmp_path,), bundled_scenarios=False)
    with BackgroundServer(settings) as url:
        page = Page(browser, url)
        page.open("#/scenarios")
        page.shows("#scenario-mine", "mine.yaml:2")
        mine.write_text("scenarios:\n  - name: mine\n    match: {merOrderIdPrefix: MINE}\n"
                        "    respond: {delay: soon}\n", encoding="utf-8")
        page.click("#reload-scenarios")
        error = page.shows("#load-errors li", f"{mine}:4:")
        assert "delay" in error.text
        page.shows("#reload-status h2", "not loaded")
        # The time of the last read, in the sandbox's own notation (it showed a raw epoch: 1796592333.6340907).
        assert re.search(r"Last read from disk at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(Beijing time\)\.",
                         page.text("#reload-status")), page.text("#reload-status")
        assert page.text("#scenario-list").count("mine.yaml:2") == 1  # the previous set stays in force


def test_a_store_that_goes_away_shows_in_a_banner_until_it_is_back(browser: Any) -> None:
    redis = start_redis()
    try:
        with BackgroundServer(replace(SETTINGS, store=redis.url)) as url:
            page = Page(browser, url)
            page.open("#/requests")
            assert not page.find("#offline").is_displayed()
            redis.stop()
            banner = page.shows("#offline", "the store is unavailable: ")
            assert redis.url in banner.text and "cannot be reached" in banner.text
            redis = start_redis(redis.port)
            page.until(lambda: not page.find("#offline").is_displayed(), "the banner to go")
    finally:
        redis.stop()


def test_keyboard_alone_reaches_and_opens_a_request_and_every_control_is_labelled(page: Page, sandbox: Sandbox) -> None:
    from selenium.webdriver.common.keys import Keys

    sandbox.signed(CLOSE, "3194KEYS0001")
    page.open("#/requests")
    page.shows("#journal-list", "3194KEYS0001")
    page.find("body").click()
    for _ in range(30):
        page.driver.switch_to.active_element.send_keys(Keys.TAB)
        if page.js("return document.activeElement.classList.contains('mk-row')"):
            break
    else:
        pytest.fail("Tab never reached a request in the list")
    page.driver.switch_to.active_element.send_keys(Keys.ENTER)
    page.shows("#request-title", "POST /v1/netpay/wx/app-pre-close")
    page.until(lambda: page.js("return document.activeElement.id") == "request-detail", "focus on the opened request")

    unlabelled = []
    for view in ("#/requests", "#/orders", "#/scenarios", "#/state"):
        page.go(view)
        section = f"#view-{view[2:]}"
        page.until(lambda section=section: not page.find(section).get_attribute("hidden"), view)
        unlabelled += page.js("""
            return [...document.querySelectorAll('main input, main select, main textarea, main button, header a')]
              .filter(el => el.offsetParent !== null)
              .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                            && !(el.textContent || '').trim())
              .map(el => el.outerHTML.slice(0, 80));""")
    assert unlabelled == []


def test_readable_at_1280x800_and_at_phone_width(page: Page, sandbox: Sandbox) -> None:
    sandbox.signed(CLOSE, "3194PHONE0001", key="wrong")
    sandbox.signed(ORDER, "3194PHONE0002", totalAmount=100, orderDesc="测试订单")
    views = ("#/requests/", f"#/orders/{MID}/3194PHONE0002", "#/scenarios", "#/state")
    row = sandbox.control("GET", "/journal?view=summary&merOrderId=3194PHONE0001")[0]
    page.driver.get_log("browser")  # what earlier tests left in the console
    try:
        for width, height in ((WIDTH, HEIGHT), (390, 844)):
            resize(page.driver, width, height)
            page.open(views[0] + str(row["id"]))
            for view in views:
                page.go(view if view != views[0] else view + str(row["id"]))
                page.until(lambda: page.js("return [...document.querySelectorAll('main h2')]"
                                           ".some(e => e.offsetParent !== null)"), f"{view} at {width}px")
                overflow = page.js("return document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 0, f"{view} scrolls sideways by {overflow}px at {width}px wide"
                assert page.js("return parseFloat(getComputedStyle(document.body).fontSize)") >= 14
        fonts = page.js("return getComputedStyle(document.body).fontFamily")
        assert "Noto Sans CJK SC" in fonts and "Microsoft YaHei" in fonts and fonts.endswith("sans-serif")
        # No script error, no blocked resource (the page's Content-Security-Policy allows only its own files).
        assert [entry for entry in page.driver.get_log("browser") if entry["level"] == "SEVERE"] == []
    finally:
        resize(page.driver, WIDTH, HEIGHT)


SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "dashboard.png"
UPDATE = "MOCKUMS_UPDATE_SCREENSHOT"
MAX_DIFFERENCE = 1.0  # mean greyscale difference (of 255) between 64×40 thumbnails: 0.1 when only the
# changing text differs (hashes, times), 2.6 when the list moved up by one row of filters


def test_the_readme_screenshot_is_the_dashboard_as_it_is(browser: Any, tmp_path: Path) -> None:
    """The README's picture is made here; set MOCKUMS_UPDATE_SCREENSHOT=1 to make it again after a change."""
    with BackgroundServer(replace(SETTINGS, seed=1)) as url:
        sandbox = Sandbox(url)
        sandbox.control("POST", "/clock", {"freeze": True, "set": "2024-06-01 10:00:00"})
        sandbox.signed(ORDER, "3194202406010001", totalAmount=360, orderDesc="测试订单")
        sandbox.signed(CLOSE, "MKPAID0001")
        sandbox.signed("/v1/netpay/query", "3194202406010001")
        sandbox.signed(ORDER, "MKPAY5S0001", totalAmount=1999)
        sandbox.signed(CLOSE, "MKNOTFOUND0001")
        sandbox.signed(CLOSE, "3194202406010002", key="a-wrong-app-key")
        sandbox.signed("/v1/netpay/refund", "MKREFUNDFAIL0001", refundAmount=100)
        bad = sandbox.control("GET", "/journal?view=summary&verdict=refused")[0]["id"]
        page = Page(browser, url)
        page.open(f"#/requests/{bad}")
        page.shows("#diagnosis", "String to sign")
        page.js("document.activeElement.blur()")
        png = browser.get_screenshot_as_png()
    (tmp_path / "dashboard.png").write_bytes(png)
    if os.environ.get(UPDATE):
        SCREENSHOT.parent.mkdir(exist_ok=True)
        SCREENSHOT.write_bytes(png)
    assert SCREENSHOT.is_file(), f"no {SCREENSHOT}: make it with {UPDATE}=1 and commit it"
    width, height, made = thumbnail(browser, png)
    committed_width, committed_height, committed = thumbnail(browser, SCREENSHOT.read_bytes())
    assert (committed_width, committed_height) == (width, height) == (WIDTH, HEIGHT)
    difference = sum(abs(a - b) for a, b in zip(made, committed, strict=True)) / len(made)
    assert difference < MAX_DIFFERENCE, (
        f"the dashboard no longer looks like {SCREENSHOT.name} (difference {difference:.1f}); see "
        f"{tmp_path / 'dashboard.png'}, and if the change is meant, run this test with {UPDATE}=1 and commit the PNG")

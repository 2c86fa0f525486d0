"""The cashier page against hostile input and a hostile browser: a form in an unknown charset or not UTF-8 gets
an HTML 400 (never a traceback or a JSON INTERNAL_ERROR), a trickled body is cut at `idle_timeout`, a returnUrl
that is not http(s) is never put in `Location`, every page forbids framing, and links are signed with a key
of the run's own, not the seed's."""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import urlsplit

import chinaums_client
import pytest
from conftest import Caller, MakeCaller
from yarl import URL

ALIPAY = "/v1/netpay/trade/h5-pay"


async def open_cashier(caller: Caller, order_id: str, **content: object) -> str:
    answer = await caller.form(ALIPAY, chinaums_client.h5_content(order_id, **content))
    assert answer.status == 302, answer.text
    return answer.headers["Location"]


def local(link: str) -> URL:
    target = URL(link, encoded=True)
    return URL.build(path=target.raw_path, query_string=target.raw_query_string, encoded=True)


async def post_raw(caller: Caller, link: str, body: bytes, content_type: str | None) -> tuple[int, str, str]:
    headers = {"Content-Type": content_type} if content_type else {}
    async with caller.client.post(local(link), data=body, headers=headers, allow_redirects=False,
                                  skip_auto_headers=["Content-Type"]) as response:
        return response.status, response.headers.get("Content-Type", ""), await response.text(errors="replace")


@pytest.mark.parametrize(("body", "content_type", "status", "says"), [
    (b"action=pay", "application/x-www-form-urlencoded; charset=no-such-charset", 400, "charset"),
    (b"action=pay", "application/x-www-form-urlencoded; charset=rot13", 400, "charset"),
    (b"action=%FF%FE", "application/x-www-form-urlencoded", 400, "not utf-8 text"),
    (b"action=pay&x=\xff\xfe", "application/x-www-form-urlencoded; charset=utf-8", 400, "not utf-8 text"),
    (b"--b\r\nContent-Disposition: form-data; name=action\r\n\r\npay\r\n--b--\r\n", "multipart/form-data; boundary=b",
     415, "application/x-www-form-urlencoded"),
    (b'{"action": "pay"}', "application/json", 415, "application/x-www-form-urlencoded"),
    ("&".join(f"f{i}=1" for i in range(60)).encode(), "application/x-www-form-urlencoded", 400, "more than 50"),
])
async def test_a_form_the_cashier_cannot_read_gets_an_html_page(caller: Caller, caplog: pytest.LogCaptureFixture,
                                                               body: bytes, content_type: str, status: int,
                                                               says: str) -> None:
    caplog.set_level(logging.INFO)
    link = await open_cashier(caller, "3194CASHBAD1")
    answer = await post_raw(caller, link, body, content_type)
    assert (answer[0], answer[1].split(";")[0]) == (status, "text/html"), answer
    assert says in answer[2].lower() and "INTERNAL_ERROR" not in answer[2]
    assert not [record for record in caplog.records if record.exc_info or record.levelno >= logging.ERROR]
    query = await caller.call("/v1/netpay/query", "3194CASHBAD1", instMid="H5DEFAULT")
    assert query.json["status"] != "TRADE_SUCCESS"


async def test_a_gbk_form_is_read(caller: Caller) -> None:
    link = await open_cashier(caller, "3194CASHGBK1")
    answer = await post_raw(caller, link, b"action=leave&note=%D6%D0", "application/x-www-form-urlencoded; charset=GBK")
    assert answer[0] == 200 and "订单未支付" in answer[2]


async def test_a_trickled_form_is_cut_at_idle_timeout(make_caller: MakeCaller) -> None:
    caller = await make_caller(idle_timeout=1)
    link = urlsplit(await open_cashier(caller, "3194CASHSLOW"))
    reader, writer = await asyncio.open_connection(caller.client.server.host, caller.client.server.port)
    try:
        writer.write(f"POST {link.path}?{link.query} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\naction=".encode())
        await writer.drain()
        # The body never completes: mockums closes the connection (it used to wait for aiohttp's own reading).
        assert await asyncio.wait_for(reader.read(), 20) == b""
    finally:
        writer.close()


@pytest.mark.parametrize(("number", "return_url"), list(enumerate([
    "javascript:alert(document.domain)//", "data:text/html,<script>x</script>", "JavaScript:alert(1)",
    "//attacker.example/x", "http:/x", "ftp://127.0.0.1/x"])))
async def test_a_return_url_that_is_not_http_is_never_followed(caller: Caller, number: int, return_url: str) -> None:
    link = await open_cashier(caller, f"3194CASHJS{number}", returnUrl=return_url)
    answer = await caller.post_form(link, {"action": "pay"})
    assert (answer.status, "Location" in answer.headers, "支付成功" in answer.text) == (200, False, True)


async def test_every_cashier_answer_forbids_framing_and_foreign_content(caller: Caller) -> None:
    link = await open_cashier(caller, "3194CASHCSP1", returnUrl="http://127.0.0.1:9/back")
    answers = [await caller.get(link), await caller.post_form(link, {"action": "leave"}),
               await caller.post_form(link, {"action": "pay"}), await caller.get(link + "&changed=1")]
    assert [answer.status for answer in answers] == [200, 200, 303, 400]
    for answer in answers:
        policy = answer.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in policy and "default-src 'none'" in policy and "script-src" not in policy
        assert answer.headers["X-Frame-Options"] == "DENY"


async def test_links_are_signed_with_a_key_of_the_runs_own_not_the_seeds(make_caller: MakeCaller) -> None:
    first, second = await make_caller(seed=42), await make_caller(seed=42)
    mine = await open_cashier(first, "3194CASHKEY1")
    theirs = await open_cashier(second, "3194CASHKEY1")
    assert URL(mine).query["sign"] != URL(theirs).query["sign"]
    assert (await second.get(mine)).status == 400  # the same seed signs nothing for another run

"""The `mockums_aiohttp` fixture, for pytest-aiohttp users: a fresh sandbox on the test's own event
loop, with every call of the handle a coroutine. (With asyncio_mode = "strict", keep the marker.)"""

import json
from datetime import datetime, timedelta, timezone

import aiohttp
import pytest

MID, TID = "898201612345678", "88880001"
QUERY = "/v1/netpay/query"


async def query(http, mockums, mer_order_id):
    """The shop's async client: one signed query."""
    now = datetime.now(timezone(timedelta(hours=8))).strftime("%Y-%m-%d %H:%M:%S")  # Beijing time
    body = json.dumps({"requestTimestamp": now, "mid": MID, "tid": TID, "instMid": "APPDEFAULT",
                       "merOrderId": mer_order_id}).encode()
    headers = {"Content-Type": "application/json", "Authorization": mockums.sign(body)}
    async with http.post(QUERY, data=body, headers=headers) as answer:
        return await answer.json()


async def query_until_settled(http, mockums, mer_order_id, attempts=5):
    """What the shop does on ORDER_PROCESSING (the order is locked): ask again."""
    for _ in range(attempts):
        answer = await query(http, mockums, mer_order_id)
        if answer["errCode"] != "ORDER_PROCESSING":
            return answer
    return answer


@pytest.mark.asyncio
async def test_query_retries_while_the_order_is_locked(mockums_aiohttp):
    # A sequence: the first two queries of each order answer ORDER_PROCESSING, then the normal answer.
    await mockums_aiohttp.add_scenario("""
        scenarios:
          - name: locked-twice
            match: {merOrderIdPrefix: "3194LOCK"}
            sequence:
              - fields: {errCode: ORDER_PROCESSING}
                repeat: 2
              - fields: {errCode: SUCCESS}
    """)

    async with aiohttp.ClientSession(mockums_aiohttp.url) as http:
        answer = await query_until_settled(http, mockums_aiohttp, "3194LOCK0001")

    assert answer["errCode"] == "SUCCESS"
    await mockums_aiohttp.assert_requested(QUERY, merOrderId="3194LOCK0001", times=2, errCode="ORDER_PROCESSING")
    await mockums_aiohttp.assert_requested(QUERY, merOrderId="3194LOCK0001", times=3)


@pytest.mark.asyncio
async def test_a_magic_order_id_needs_no_yaml(mockums_aiohttp):
    # Every bundled scenario is reachable by its merOrderId prefix: MKPAID… is an order already paid.
    async with aiohttp.ClientSession(mockums_aiohttp.url) as http:
        answer = await query(http, mockums_aiohttp, "MKPAID0001")

    assert answer["status"] == "TRADE_SUCCESS"
    [entry] = await mockums_aiohttp.assert_requested(QUERY, merOrderId="MKPAID0001")
    assert entry["scenario"]["name"] == "already-paid"

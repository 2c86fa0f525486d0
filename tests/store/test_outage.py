"""What mockums answered is in Redis before it answers: a Redis that keeps its data (an append-only file) and
restarts while mockums serves loses nothing mockums acknowledged, and mockums goes on by itself."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import aiohttp
from mockums_processes import Mockums
from real_redis import start_redis
from store_client import MID, ORDER, QUERY, REFUND, REFUND_QUERY, api, control, session

__all__ = ["session"]  # a fixture, imported from the helpers module

BOUND = 20.0  # seconds mockums may take to answer again once Redis is back


async def test_what_was_acknowledged_outlives_a_restart_of_redis(tmp_path: Path,
                                                                 session: aiohttp.ClientSession) -> None:
    redis = start_redis(keep_in=tmp_path)
    process = Mockums("--store", redis.url)
    try:
        assert (await api(session, process.base, ORDER, "3194KEEP000001", totalAmount=700))["errCode"] == "SUCCESS"
        assert (await control(session, process.base, "POST", f"/orders/{MID}/3194KEEP000001/pay"))[0] == 200
        refund = await api(session, process.base, REFUND, "3194KEEP000001", refundAmount=100,
                           refundOrderId="R3194KEEP1")
        assert refund["errCode"] == "SUCCESS"
        port = redis.port
        redis.stop()
        assert (await api(session, process.base, QUERY, "3194KEEP000001"))["errCode"] == "INTERNAL_ERROR"
        redis = start_redis(port, keep_in=tmp_path)
        deadline = time.monotonic() + BOUND
        while (await control(session, process.base, "GET", "/health"))[0] != 200 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        queried = await api(session, process.base, QUERY, "3194KEEP000001")
        assert (queried["status"], queried["totalAmount"]) == ("TRADE_REFUND", 700)
        refunded = await api(session, process.base, REFUND_QUERY, "3194KEEP000001", refundOrderId="R3194KEEP1")
        assert (refunded["refundStatus"], refunded["refundAmount"]) == ("SUCCESS", 100)
    finally:
        process.stop()
        redis.stop()

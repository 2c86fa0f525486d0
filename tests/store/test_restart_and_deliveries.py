"""What a Redis store keeps across processes over time: a restart of mockums keeps orders, refunds, revoked
tokens and runtime scenarios; a notification is delivered exactly once by two processes, and by the other one
after its lease when the process delivering it dies in the middle."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import aiohttp
from chinaums_client import close_request, token_request
from mockums_processes import Mockums
from real_redis import RedisServer
from store_client import MID, ORDER, QUERY, REFUND, Receiver, api, control, delivered, receiver, session

from mockums.config import DEMO_APP
from mockums.limits import MAX_LIVE_TOKENS

__all__ = ["receiver", "session"]  # fixtures, imported from the helpers module



async def _token(session: aiohttp.ClientSession, base: str) -> str:
    async with session.post(base + "/v1/token/access", json=token_request(DEMO_APP.app_id, DEMO_APP.app_key)) as answer:
        return str((await answer.json())["accessToken"])


async def _with_token(session: aiohttp.ClientSession, base: str, token: str) -> str:
    body = json.dumps(close_request("3194TOKEN00001")).encode()
    headers = {"Authorization": f"OPEN-ACCESS-TOKEN AccessToken={token}", "Content-Type": "application/json"}
    async with session.post(base + QUERY, data=body, headers=headers) as answer:
        return str((await answer.json())["errCode"])


async def test_a_restart_keeps_orders_refunds_revoked_tokens_and_runtime_scenarios(
        real_redis: RedisServer, session: aiohttp.ClientSession) -> None:
    url = real_redis.database(2)
    first = Mockums("--store", url)
    try:
        await api(session, first.base, ORDER, "3194KEPT000001", totalAmount=800)
        await control(session, first.base, "POST", f"/orders/{MID}/3194KEPT000001/pay")
        await api(session, first.base, REFUND, "3194KEPT000001", refundAmount=300, refundOrderId="R3194KEPT1")
        tokens = [await _token(session, first.base) for _ in range(MAX_LIVE_TOKENS + 1)]
        revoked = await _with_token(session, first.base, tokens[0])  # one too many were issued after it
        live = await _with_token(session, first.base, tokens[-1])
        assert revoked != live
        status, _ = await control(session, first.base, "POST", "/scenarios", json={
            "name": "kept-across-restarts", "match": {"merOrderIdPrefix": "3194KEPTSCN"},
            "respond": {"fields": {"errCode": "SYSTEM_BUSY"}}})
        assert status == 201
    finally:
        first.stop()
    second = Mockums("--store", url)
    try:
        queried = await api(session, second.base, QUERY, "3194KEPT000001")
        assert (queried["status"], queried["totalAmount"]) == ("TRADE_REFUND", 800)
        _, order = await control(session, second.base, "GET", f"/orders/{MID}/3194KEPT000001")
        assert [(r["refundOrderId"], r["amount"]) for r in order["refunds"]] == [("R3194KEPT1", 300)]
        assert (await _with_token(session, second.base, tokens[0]), await _with_token(session, second.base, tokens[-1])) \
            == (revoked, live)
        _, scenarios = await control(session, second.base, "GET", "/scenarios")
        assert [s["origin"] for s in scenarios if s["name"] == "kept-across-restarts"] == ["runtime"]
        assert (await api(session, second.base, QUERY, "3194KEPTSCN001"))["errCode"] == "SYSTEM_BUSY"
    finally:
        second.stop()


async def test_a_delivery_whose_process_dies_is_made_by_the_other_after_its_lease(
        real_redis: RedisServer, session: aiohttp.ClientSession, receiver: tuple[Receiver, str],
        tmp_path: Path) -> None:
    merchant, notify_url = receiver
    merchant.hold = 1
    config = tmp_path / "mockums.yaml"
    config.write_text("store_lease: 1\nnotify:\n  timeout: 1\n  schedule: [0, 5, 5]\n", encoding="utf-8")
    url = real_redis.database(4)
    dying = Mockums("--store", url, "--config", str(config))
    survivor: Mockums | None = None
    try:
        await api(session, dying.base, ORDER, "3194LEASE00001", totalAmount=100, notifyUrl=notify_url)
        await control(session, dying.base, "POST", f"/orders/{MID}/3194LEASE00001/pay")
        await merchant.wait_for(1)  # the dying process is in the middle of the POST
        dying.stop(signal.SIGKILL)
        survivor = Mockums("--store", url, "--config", str(config))
        _, pending = await control(session, survivor.base, "GET", "/notifications")
        assert [(d["state"], d["attempts"]) for d in pending] == [("pending", [])]
        await merchant.wait_for(2)  # once the dying one's lease (1 s beyond the 1 s timeout) ran out
        deliveries = await delivered(session, survivor.base, 1)
        assert [(d["state"], len(d["attempts"])) for d in deliveries] == [("delivered", 1)]
        assert merchant.forms[0]["notifyId"] == merchant.forms[1]["notifyId"]
    finally:
        dying.stop(signal.SIGKILL)
        if survivor is not None:
            survivor.stop()

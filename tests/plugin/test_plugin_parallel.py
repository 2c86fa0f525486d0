"""Two test bodies running at the same time against one server, each with its own merOrderId: neither
sees the other's scenario answers, sequence counts, orders or journal entries.

pytest-xdist is not used (and would give each worker its own session server anyway); the two bodies run
as two threads on the sync `mockums` handle, and as two asyncio tasks on `mockums_aiohttp`, stepping in
lockstep so every call of one falls between calls of the other.
"""

from __future__ import annotations

import asyncio
import json
import threading
import urllib.request
from datetime import datetime, timedelta, timezone
from typing import Any

import aiohttp

from mockums.testing import AsyncMockums, Mockums

MID = "898201612345678"
CREATE, QUERY, CLOSE = "/v1/netpay/wx/app-pre-order", "/v1/netpay/query", "/v1/netpay/close"
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))

SHARED = """
scenarios:
  - name: locked-twice
    match: {merOrderIdPrefix: PAR, endpoint: /v1/netpay/query}
    sequence:
      - fields: {errCode: ORDER_PROCESSING}
        repeat: 2
      - fields: {errCode: SUCCESS}
"""


def own_scenario(who: str, order_id: str) -> dict[str, Any]:
    return {"name": f"close-refused-{who}", "match": {"merOrderId": order_id, "endpoint": CLOSE},
            "respond": {"fields": {"errCode": "TARGET_FAIL", "errMsg": f"refused for {who}"}}}


def body(order_id: str, **fields: Any) -> bytes:
    now = datetime.now(timezone(timedelta(hours=8))).strftime("%Y-%m-%d %H:%M:%S")
    return json.dumps({"requestTimestamp": now, "mid": MID, "tid": "88880001", "instMid": "APPDEFAULT",
                       "merOrderId": order_id, **fields}).encode()


def post(mockums: Mockums, path: str, order_id: str, **fields: Any) -> dict[str, Any]:
    data = body(order_id, **fields)
    request = urllib.request.Request(mockums.url + path, data=data, headers={
        "Content-Type": "application/json", "Authorization": mockums.sign(data)})
    with NO_PROXY.open(request, timeout=5) as answer:
        result: dict[str, Any] = json.load(answer)
        return result


EXPECTED_JOURNAL = [
    (CREATE, "SUCCESS"), (QUERY, "ORDER_PROCESSING"), (QUERY, "ORDER_PROCESSING"), (QUERY, "SUCCESS"),
    (CLOSE, "TARGET_FAIL"),
]


def check_own_records(journal: list[dict[str, Any]], order_id: str) -> None:
    assert [(e["endpoint"], e["errCode"]) for e in journal] == EXPECTED_JOURNAL
    assert {e["merOrderId"] for e in journal} == {order_id}
    assert [e["scenario"]["name"] for e in journal][1:] == ["locked-twice"] * 3 + [journal[-1]["scenario"]["name"]]


def test_two_threads_share_one_server_without_disturbing_each_other(mockums: Mockums) -> None:
    mockums.add_scenario(SHARED)
    step = threading.Barrier(2, timeout=10)
    failures: list[BaseException] = []

    def run(who: str, order_id: str) -> None:
        try:
            step.wait()
            assert mockums.add_scenario(own_scenario(who, order_id)) == [f"close-refused-{who}"]
            step.wait()
            assert post(mockums, CREATE, order_id, totalAmount=100)["errCode"] == "SUCCESS"
            answers = []
            for _ in range(3):
                step.wait()
                answers.append(post(mockums, QUERY, order_id)["errCode"])
            assert answers == ["ORDER_PROCESSING", "ORDER_PROCESSING", "SUCCESS"]
            step.wait()
            closed = post(mockums, CLOSE, order_id)
            assert (closed["errCode"], closed["errMsg"]) == ("TARGET_FAIL", f"refused for {who}")
            step.wait()
            assert mockums.pay(MID, order_id)["status"] == "TRADE_SUCCESS"
            step.wait()  # both are done: each one's records must hold its own calls only
            entries = mockums.assert_requested(merOrderId=order_id, times=5)
            check_own_records(entries, order_id)
            assert entries[-1]["scenario"]["name"] == f"close-refused-{who}"
            mockums.assert_requested(QUERY, merOrderId=order_id, times=2, errCode="ORDER_PROCESSING")
            assert mockums.order(MID, order_id)["status"] == "TRADE_SUCCESS"
        except BaseException as error:
            failures.append(error)
            step.abort()

    threads = [threading.Thread(target=run, args=(who, f"PAR{who.upper()}0001")) for who in ("alice", "bob")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert not any(thread.is_alive() for thread in threads)
    if failures:
        raise failures[0]
    assert len(mockums.journal()) == 10


class Lockstep:
    """asyncio.Barrier(2), which Python 3.10 lacks: the first to arrive waits for the second."""

    def __init__(self) -> None:
        self.waiting: asyncio.Future[None] | None = None

    async def wait(self) -> None:
        if self.waiting is None:
            self.waiting = asyncio.get_running_loop().create_future()
            await self.waiting
        else:
            arrived, self.waiting = self.waiting, None
            arrived.set_result(None)


async def test_two_tasks_share_one_in_process_server(mockums_aiohttp: AsyncMockums) -> None:
    sandbox = mockums_aiohttp
    await sandbox.add_scenario(SHARED)
    step = Lockstep()

    async def call(http: aiohttp.ClientSession, path: str, order_id: str, **fields: Any) -> dict[str, Any]:
        data = body(order_id, **fields)
        async with http.post(path, data=data, headers={"Content-Type": "application/json",
                                                        "Authorization": sandbox.sign(data)}) as answer:
            result: dict[str, Any] = await answer.json()
            return result

    async def run(http: aiohttp.ClientSession, who: str, order_id: str) -> None:
        await step.wait()
        await sandbox.add_scenario(own_scenario(who, order_id))
        await step.wait()
        await call(http, CREATE, order_id, totalAmount=100)
        answers = []
        for _ in range(3):
            await step.wait()
            answers.append((await call(http, QUERY, order_id))["errCode"])
        assert answers == ["ORDER_PROCESSING", "ORDER_PROCESSING", "SUCCESS"]
        await step.wait()
        assert (await call(http, CLOSE, order_id))["errMsg"] == f"refused for {who}"
        await step.wait()
        check_own_records(await sandbox.assert_requested(merOrderId=order_id, times=5), order_id)

    async with aiohttp.ClientSession(sandbox.url) as http:
        await asyncio.wait_for(asyncio.gather(run(http, "carol", "PARCAROL0001"), run(http, "dave", "PARDAVE0001")),
                               timeout=20)
    assert len(await sandbox.journal()) == 10

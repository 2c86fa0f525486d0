"""How much mockums adds to aiohttp's own cost, measured in one run on loopback.

Baseline: a bare aiohttp app answering a fixed JSON body. Then mockums answering signed
app-pre-close requests (signature check + validation + scenario lookup + order rules), with the
bundled scenarios and with 5,000 extra scenarios loaded. Prints requests/s, p50 and p99 latency,
and the ratio to the baseline. Bounded: a fixed number of requests per case, and a time cap.

    .venv/bin/python benchmarks/bench_requests.py [--requests 3000] [--concurrency 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from aiohttp import ClientSession, TCPConnector, web

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import chinaums_client

from mockums.config import DEMO_APP, Settings
from mockums.core.sandbox import Sandbox, load_scenarios
from mockums.scenarios import MatchRule, Scenario, Step
from mockums.server.app import create_app

HOST = "127.0.0.1"
TIME_CAP = 60.0  # seconds per case, whatever --requests says
CLOSE = "/v1/netpay/wx/app-pre-close"


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, HOST, 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://{HOST}:{port}"


async def load(url: str, make_request: Callable[[int], tuple[bytes, dict[str, str]]], total: int,
               concurrency: int) -> list[float]:
    latencies: list[float] = []
    counter = iter(range(total))
    deadline = time.monotonic() + TIME_CAP

    async def worker(session: ClientSession) -> None:
        for index in counter:
            if time.monotonic() > deadline:
                return
            body, headers = make_request(index)
            started = time.perf_counter()
            async with session.post(url, data=body, headers=headers) as response:
                await response.read()
                assert response.status == 200, await response.text()
            latencies.append(time.perf_counter() - started)

    async with ClientSession(connector=TCPConnector(limit=concurrency)) as session:
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
    return latencies


def summary(name: str, latencies: list[float], elapsed: float, baseline: float | None) -> float:
    rate = len(latencies) / elapsed
    ordered = sorted(latencies)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[int(len(ordered) * 0.99) - 1] * 1000
    ratio = f"{baseline / rate:5.2f}x baseline cost" if baseline else "   (baseline)"
    print(f"{name:<42} {len(latencies):>6} req  {rate:8.0f} req/s  p50 {p50:6.2f} ms  p99 {p99:6.2f} ms  {ratio}")
    return rate


def signed_close(index: int) -> tuple[bytes, dict[str, str]]:
    body = chinaums_client.go_json(chinaums_client.close_request(f"3194BENCH{index:010d}"))
    header = chinaums_client.open_body_sig(DEMO_APP.app_id, DEMO_APP.app_key, body)
    return body, {"Authorization": header, "Content-Type": "application/json"}


async def case(name: str, app: web.Application, make_request: Callable[[int], tuple[bytes, dict[str, str]]],
               total: int, concurrency: int, baseline: float | None) -> float:
    runner, url = await serve(app)
    try:
        await load(url + CLOSE, make_request, min(200, total), concurrency)  # warm-up
        started = time.perf_counter()
        latencies = await load(url + CLOSE, make_request, total, concurrency)
        return summary(name, latencies, time.perf_counter() - started, baseline)
    finally:
        await runner.cleanup()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()
    answer = json.dumps({"errCode": "SUCCESS", "errMsg": "", "status": "TRADE_CLOSED"}).encode()

    async def fixed(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(body=answer, content_type="application/json")

    bare = web.Application()
    bare.router.add_post(CLOSE, fixed)
    baseline = await case("bare aiohttp, fixed JSON", bare, signed_close, args.requests, args.concurrency, None)

    # Each close is of an order never created: assume_orders takes it to exist, so the order rules run
    # (the default would answer NO_ORDER and measure a shorter path).
    settings = Settings(watch=False, seed=1, assume_orders=True)
    scenarios, errors = load_scenarios(settings)
    assert not errors
    await case("mockums, bundled scenarios", create_app(settings, scenarios), signed_close, args.requests,
               args.concurrency, baseline)
    many = tuple(Scenario(name=f"bulk-{i}", match=MatchRule.prefix(f"BULK{i:05d}"), steps=(Step(delay=0.0),))
                 for i in range(5000))
    await case("mockums, +5,000 prefix scenarios", create_app(replace(settings), (*scenarios, *many)),
               signed_close, args.requests, args.concurrency, baseline)
    journal_off = Sandbox(replace(settings, journal_size=1), scenarios)
    await case("mockums, journal of 1 entry", create_app(settings, sandbox=journal_off), signed_close,
               args.requests, args.concurrency, baseline)


if __name__ == "__main__":
    asyncio.run(main())

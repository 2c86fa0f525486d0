"""API latency with the dashboard open on a busy journal, against the same load with it closed.

Uses the repository's benchmark, `bench_requests.py`, unchanged: its load generator, its signed
app-pre-close requests and its "mockums, bundled scenarios" case. Each round runs that case twice,
in alternating order: once with nobody watching, once with the dashboard open in headless Chromium
(Debian's chromium and chromium-driver, as the browser tests use) on the server under load, showing
the live request list, which polls the journal every second while thousands of requests a second
arrive. Prints requests/s, p50 and p99 of each run, then the medians and the open/closed ratios.
Bounded: `--rounds` rounds of `--requests` requests, each capped in time by bench_requests.

    .venv/bin/python benchmarks/bench_dashboard.py [--rounds 5] [--requests 3000] [--concurrency 20]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import ClientSession, web

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "dashboard"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_requests
from dashboard_harness import start_browser

from mockums.config import Settings
from mockums.core.sandbox import load_scenarios
from mockums.server.app import create_app

CASE = "mockums, bundled scenarios"


class Watcher:
    """A headless Chromium that opens the dashboard of each server bench_requests starts, when asked to."""

    def __init__(self) -> None:
        self.driver = start_browser()
        self.watching = False

    async def stop(self) -> None:
        pass

    async def open(self, url: str) -> None:
        def load() -> None:
            self.driver.get("about:blank")
            self.driver.get(url + "/__mockums/#/requests")
            deadline = time.monotonic() + 10
            while not self.driver.execute_script("return document.querySelector('#version').textContent"):
                if time.monotonic() > deadline:
                    raise SystemExit("the dashboard did not start within 10 s")
                time.sleep(0.05)

        # The driver blocks; the server it loads from runs on this event loop, so wait for it in a thread.
        await asyncio.to_thread(load)

    def rows(self) -> int:
        return int(self.driver.execute_script("return document.querySelectorAll('#journal-list li').length"))

    def cpu(self) -> float:
        """CPU seconds used so far by chromedriver and every Chromium process it started."""
        return tree_cpu(self.driver.service.process.pid)

    def close(self) -> None:
        self.driver.quit()


class Poller(Watcher):
    """The dashboard's HTTP traffic without a browser: the same journal polls, from this event loop."""

    def __init__(self) -> None:
        self.watching = False
        self.listed = 0
        self.task: asyncio.Task[None] | None = None

    async def open(self, url: str) -> None:
        await self.stop()
        self.task = asyncio.create_task(self._poll(url))

    async def _poll(self, url: str) -> None:
        journal = url + "/__mockums/journal"
        async with ClientSession() as session:
            async with session.get(journal, params={"view": "summary", "limit": "200"}) as response:
                rows = await response.json()
            last = max((row["id"] for row in rows), default=0)
            for tick in itertools.count():
                await asyncio.sleep(1)
                params = {"view": "summary", "limit": "50", "since": str(last)}
                async with session.get(journal, params=params) as response:
                    rows = await response.json()
                self.listed += len(rows)
                last = max((row["id"] for row in rows), default=last)
                if tick % 5 == 0:
                    async with session.get(url + "/__mockums/clock") as response:
                        await response.read()

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.task
            self.task = None

    def rows(self) -> int:
        return self.listed

    def cpu(self) -> float:
        return 0.0

    def close(self) -> None:
        pass


def tree_cpu(root: int) -> float:
    """CPU seconds (user + system) of a process and its descendants, from /proc (Linux)."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(fields[1])
            times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    family, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in family} - family
        family |= more
        grew = bool(more)
    return sum(times.get(pid, 0.0) for pid in family)


def instrument(watcher: Watcher, results: list[tuple[str, list[float], float]]) -> None:
    """Wrap bench_requests' server start (to open the dashboard on it) and its summary (to keep the figures)."""
    serve: Callable[[web.Application], Awaitable[tuple[web.AppRunner, str]]] = bench_requests.serve
    summary = bench_requests.summary

    async def serve_watched(app: web.Application) -> tuple[web.AppRunner, str]:
        runner, url = await serve(app)
        if watcher.watching:
            await watcher.open(url)
        return runner, url

    def keep(name: str, latencies: list[float], elapsed: float, baseline: float | None) -> float:
        results.append((name, latencies, elapsed))
        return summary(name, latencies, elapsed, baseline)

    bench_requests.serve = serve_watched  # type: ignore[assignment]
    bench_requests.summary = keep  # type: ignore[assignment]


async def run_case(watcher: Watcher, open_dashboard: bool, requests: int, concurrency: int) -> tuple[float, float]:
    """Run the case; the CPU seconds per 1,000 requests of this process (server and load) and of the browser."""
    watcher.watching = open_dashboard
    started, browser_started = time.process_time(), watcher.cpu()
    settings = Settings(watch=False, seed=1)
    scenarios, errors = load_scenarios(settings)
    assert not errors
    label = f"{CASE}, dashboard {'open' if open_dashboard else 'closed'}"
    await bench_requests.case(label, create_app(settings, scenarios), bench_requests.signed_close, requests,
                              concurrency, None)
    await watcher.stop()
    per_thousand = 1000 / (requests + min(200, requests))  # bench_requests warms up with up to 200 more
    return (time.process_time() - started) * per_thousand, (watcher.cpu() - browser_started) * per_thousand


def figures(runs: list[tuple[str, list[float], float]]) -> tuple[float, float, float]:
    rates = [len(latencies) / elapsed for _, latencies, elapsed in runs]
    p50 = [statistics.median(latencies) * 1000 for _, latencies, _ in runs]
    p99 = [sorted(latencies)[int(len(latencies) * 0.99) - 1] * 1000 for _, latencies, _ in runs]
    return statistics.median(rates), statistics.median(p50), statistics.median(p99)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--watcher", choices=("browser", "http"), default="browser",
                        help="the dashboard in headless Chromium, or only its HTTP polls (the server's share)")
    args = parser.parse_args()
    watcher = Watcher() if args.watcher == "browser" else Poller()
    results: list[tuple[str, list[float], float]] = []
    cpu: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
    instrument(watcher, results)
    try:
        for round_number in range(args.rounds):
            order = (False, True) if round_number % 2 == 0 else (True, False)
            for open_dashboard in order:
                cpu[open_dashboard].append(await run_case(watcher, open_dashboard, args.requests, args.concurrency))
                if open_dashboard:
                    print(f"{'':42} the open dashboard listed {watcher.rows()} requests")
    finally:
        watcher.close()
    closed = figures([run for run in results if run[0].endswith("closed")])
    opened = figures([run for run in results if run[0].endswith("open")])
    print(f"\nmedians of {args.rounds} rounds   req/s      p50 ms   p99 ms")
    print(f"dashboard closed          {closed[0]:8.0f}  {closed[1]:8.2f} {closed[2]:8.2f}")
    print(f"dashboard open            {opened[0]:8.0f}  {opened[1]:8.2f} {opened[2]:8.2f}")
    print(f"open / closed             {opened[0] / closed[0]:8.3f}  {opened[1] / closed[1]:8.3f} "
          f"{opened[2] / closed[2]:8.3f}")
    server_closed = statistics.median(own for own, _ in cpu[False])
    server_open = statistics.median(own for own, _ in cpu[True])
    browser = statistics.median(theirs for _, theirs in cpu[True])
    print(f"\nCPU seconds per 1,000 requests (medians): mockums and its load generator {server_closed:.3f} closed, "
          f"{server_open:.3f} open ({server_open / server_closed:.3f}x); the browser {browser:.3f} while open")


if __name__ == "__main__":
    asyncio.run(main())

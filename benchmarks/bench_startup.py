"""Start-up with N scenarios: from launching `mockums serve` until /__mockums/health answers, and what choosing the
scenario costs a request, with 10 and with N.

The scenarios are the request benchmark's (`bench_requests.scenario_yaml`: a third exact ids, a third prefixes,
a third patterns). Each round launches a fresh server (bundled scenarios off) and polls the health check, which
also builds the matching index; the server's CPU time (user + system, from /proc) is read when it answers,
since wall time on a shared machine counts other processes' work too. Then, in this process, the scenario
choice for the benchmark's fixed id and for new ids, 10 and N scenarios measured in turn in each round.
Not a test; not run in CI.

    .venv/bin/python benchmarks/bench_startup.py [--scenarios 10000] [--rounds 5] [--skip-choice]
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path

from bench_load import FIXED_ID
from bench_requests import scenario_yaml

ENDPOINT = "/v1/netpay/wx/app-pre-close"
TIMEOUT = 180.0


def _spread(values: Sequence[float], unit: str, digits: int = 2) -> str:
    each = ", ".join(f"{value:.{digits}f}" for value in values)
    return (f"median {statistics.median(values):.{digits}f} {unit} "
            f"(range {min(values):.{digits}f}-{max(values):.{digits}f}; {each})")


def start_once(folder: Path) -> tuple[float, float]:
    """(seconds from launch until the health check answers, the server's CPU seconds by then)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "mockums", "serve", "--port", str(port), "--no-bundled", "-s", str(folder)]
    started = time.perf_counter()
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"the server exited ({server.returncode})")
            if time.perf_counter() - started > TIMEOUT:
                raise RuntimeError(f"no answer within {TIMEOUT:g} s")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/__mockums/health", timeout=1) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                time.sleep(0.01)
        wall = time.perf_counter() - started
        fields = Path(f"/proc/{server.pid}/stat").read_text().rsplit(")", 1)[1].split()
        cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return wall, cpu
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=15)


def choice_costs(count: int, rounds: int) -> None:
    """µs per scenario choice with 10 and with `count` scenarios, measured in turn in each round."""
    from mockums.cli import build_parser, settings_from_args  # noqa: PLC0415
    from mockums.core.scenario_files import allowed_names  # noqa: PLC0415
    from mockums.scenarios import ScenarioRegistry, load_text  # noqa: PLC0415

    allowed = allowed_names(settings_from_args(build_parser().parse_args(["serve", "--no-bundled"])))
    registries = {}
    for size in (10, count):
        loaded = load_text(scenario_yaml(size), allowed=allowed)
        assert not loaded.errors, loaded.errors[:3]
        registries[size] = ScenarioRegistry(loaded.scenarios)
    fixed = {"merOrderId": FIXED_ID, "mid": "898340149000005", "tid": "88880001", "instMid": "APPDEFAULT"}
    new = [{**fixed, "merOrderId": f"3194M{index:09d}"} for index in range(1000)]

    def one(registry: ScenarioRegistry) -> Callable[[], object]:
        return lambda: registry.choose(ENDPOINT, fixed)

    def many(registry: ScenarioRegistry) -> Callable[[], object]:
        return lambda: [registry.choose(ENDPOINT, body) for body in new]

    cases = (("fixed id", one, 1), ("new ids", many, len(new)))
    costs: dict[tuple[str, int], list[float]] = {(label, size): [] for label, _, _ in cases for size in registries}
    for _ in range(rounds):
        for label, make, per_call in cases:
            for size, registry in registries.items():
                number = 20_000 // per_call
                best = min(timeit.repeat(make(registry), number=number, repeat=3))
                costs[label, size].append(best / number / per_call * 1e6)
    for (label, size), values in costs.items():
        print(f"choice, {label}, {size:,} scenarios: {_spread(values, 'µs')}")
    for label, _, _ in cases:
        ratios = [big / small for small, big in zip(costs[label, 10], costs[label, count], strict=True)]
        print(f"choice, {label}, {count:,} against 10 in the same round: {_spread(ratios, '×')}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenarios", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--skip-choice", action="store_true", help="only the start-up")
    args = parser.parse_args(argv)
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}, Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as workdir:
        folder = Path(workdir)
        (folder / "bench.yaml").write_text(scenario_yaml(args.scenarios), encoding="utf-8")
        runs = [start_once(folder) for _ in range(args.rounds)]
    print(f"start-up, {args.scenarios:,} scenarios, until health answers: wall {_spread([w for w, _ in runs], 's')}")
    print(f"start-up, {args.scenarios:,} scenarios, server CPU by then: {_spread([c for _, c in runs], 's')}")
    if not args.skip_choice:
        choice_costs(args.scenarios, args.rounds)
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

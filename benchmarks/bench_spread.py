"""Where the round-to-round spread of the request benchmark comes from: three experiments on one case.

    layout     rounds alternate between a server started as usual and one started under `setarch -R` (address
               space randomisation off, so every such process has the same layout); pairs run back to back
    windows    a fresh server per process, warmed up, then several consecutive windows: the spread within one
               process's life against the spread between processes
    busy-core  rounds alternate between the load generator's core idling between requests and the same core kept
               busy by a memory walk (48 MiB copied over and over) at `nice 19` (needs taskset)

Each figure is the server's CPU time per request (from /proc), as bench_requests.py measures it; the two runs of
a pair swap places every other round, so a drift over time falls on both sides. Bounded: every run has a
duration, the memory walk a deadline. Not a test; not run in CI.

    .venv/bin/python benchmarks/bench_spread.py [--experiments layout,windows,busy-core] [--rounds 6]
        [--duration 4] [--case mockums-fixed]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import bench_load
import bench_requests
from bench_load import Load

WALK = ("import sys, time\nsource, target = bytes(48 << 20), bytearray(48 << 20)\n"
        "deadline = time.monotonic() + float(sys.argv[1])\nwhile time.monotonic() < deadline: target[:] = source\n")


def _spread(values: Sequence[float]) -> str:
    return f"{min(values):.0f}–{max(values):.0f} µs (spread {(max(values) - min(values)) / min(values):.0%})"


def _one_run(case: bench_requests.Case, args: argparse.Namespace, workdir: Path, tag: str,
             wrapper: Sequence[str] = (), windows: int = 1) -> list[float]:
    """A fresh server, warmed up, then `windows` consecutive windows: CPU µs per request in each."""
    server = bench_requests.Server(case, workdir, "asyncio", "std", "installed", wrapper=wrapper)
    try:
        server.wait_ready()
        figures = []
        for window in range(0 if args.warmup else 1, windows + 1):  # window 0 is the warm-up
            load = Load(case.workload, args.connections, args.warmup if window == 0 else args.duration,
                        args.max_requests)
            requests = bench_load.write_requests(workdir / f"{tag}-{window}.txt", case.workload,
                                                 bench_load.request_count(load), f"S{tag}x{window}")
            before = bench_requests.cpu_seconds(server.process.pid)
            done = bench_requests.drive(server.port, load, requests, args.client)
            if done.errors:
                print(f"  ({done.errors} of {done.requests} requests failed in {tag}, window {window})", flush=True)
            if window:
                figures.append((bench_requests.cpu_seconds(server.process.pid) - before) / max(1, done.requests) * 1e6)
        return figures
    finally:
        server.stop()


def _alternate(name: str, args: argparse.Namespace, workdir: Path, first: str, second: str,
               run: Callable[[bool, str], list[float]]) -> None:
    pairs = []
    for round_number in range(args.rounds):
        order = (False, True) if round_number % 2 == 0 else (True, False)  # ABBA: a drift falls on both
        measured = {variant: run(variant, f"{name}{round_number}{int(variant)}")[0] for variant in order}
        pair = (measured[False], measured[True])
        pairs.append(pair)
        print(f"  {name} round {round_number + 1}: {first} {pair[0]:.0f} µs, {second} {pair[1]:.0f} µs "
              f"({(pair[1] - pair[0]) / pair[0]:+.0%})", flush=True)
    changes = [(b - a) / a for a, b in pairs]
    print(f"{name}: {first} {_spread([a for a, _ in pairs])}; {second} {_spread([b for _, b in pairs])}; "
          f"{second} against {first} in the same round: {min(changes):+.0%} to {max(changes):+.0%}, "
          f"lower in {sum(change < 0 for change in changes)} of {len(changes)}", flush=True)


def layout(case: bench_requests.Case, args: argparse.Namespace, workdir: Path) -> None:
    if not shutil.which("setarch"):
        print("layout: skipped, setarch not found")
        return
    _alternate("layout", args, workdir, "randomised", "setarch -R",
               lambda fixed, tag: _one_run(case, args, workdir, tag, ["setarch", "-R"] if fixed else []))


def windows(case: bench_requests.Case, args: argparse.Namespace, workdir: Path) -> None:
    medians = []
    for process in range(args.rounds):
        figures = _one_run(case, args, workdir, f"windows{process}", windows=args.windows)
        medians.append(statistics.median(figures))
        print(f"  process {process + 1}: " + " ".join(f"{value:.0f}" for value in figures)
              + f" µs, within it {_spread(figures)}", flush=True)
    print(f"windows: medians of the processes {_spread(medians)}", flush=True)


def busy_core(case: bench_requests.Case, args: argparse.Namespace, workdir: Path) -> None:
    if not bench_load.pinned(bench_requests.CLIENT_CORE):
        print("busy-core: skipped, taskset not found (the walk must share the load generator's core, not the server's)")
        return

    def run(busy: bool, tag: str) -> list[float]:
        if not busy:
            return _one_run(case, args, workdir, tag)
        seconds = 2 * (args.warmup + args.duration) + 30
        walk = subprocess.Popen(["nice", "-n", "19", *bench_load.pinned(bench_requests.CLIENT_CORE),
                                 sys.executable, "-c", WALK, str(seconds)])
        try:
            return _one_run(case, args, workdir, tag)
        finally:
            walk.kill()
            walk.wait(timeout=15)

    _alternate("busy-core", args, workdir, "idle", "busy", run)


EXPERIMENTS = {"layout": layout, "windows": windows, "busy-core": busy_core}


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--experiments", default="layout,windows,busy-core")
    parser.add_argument("--rounds", type=int, default=6, help="pairs (layout, busy-core) or processes (windows)")
    parser.add_argument("--duration", type=int, default=4, help="whole seconds per measured window")
    parser.add_argument("--warmup", type=int, default=2, help="whole seconds of load before the measured windows")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--max-requests", type=int, default=1_000_000, help="per window, for the asyncio client")
    parser.add_argument("--windows", type=int, default=4, help="measured windows per process (the windows experiment)")
    parser.add_argument("--case", default="mockums-fixed", choices=[case.name for case in bench_requests.CASES
                                                                    if case.store is None])
    args = parser.parse_args(argv)
    chosen = args.experiments.split(",")
    if unknown := [name for name in chosen if name not in EXPERIMENTS]:
        parser.error(f"unknown experiment {', '.join(unknown)}; choose from {', '.join(EXPERIMENTS)}")
    if (not 1 <= args.rounds <= 12 or not 0 < args.duration <= 30 or not 0 <= args.warmup <= 30
            or not 2 <= args.windows <= 10 or not 1 <= args.connections <= 256):
        parser.error("bounded: 1..12 rounds, 1..30 s per window, 0..30 s warm-up, 2..10 windows, 1..256 connections")
    args.client = "wrk" if bench_load.have_wrk() else "asyncio"
    args.chosen = chosen
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    chosen: list[str] = args.chosen
    case = next(case for case in bench_requests.CASES if case.name == args.case)
    print(f"{args.case}, load {args.client}, {args.duration} s windows after {args.warmup} s warm-up", flush=True)
    with tempfile.TemporaryDirectory(prefix="mockums-spread-") as tmp:
        for name in chosen:
            EXPERIMENTS[name](case, args, Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())

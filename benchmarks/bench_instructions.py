"""Instructions per request of `mockums serve`, counted by valgrind's callgrind: a figure that does not depend on how
busy the machine is, for comparing two checkouts (this one and, say, a worktree of an older commit).

Each case starts the checkout's own server (`benchmarks/bench_servers.py mockums … --assume-orders`, run by the
checkout's `.venv/bin/python`, bundled scenarios on) under `valgrind --tool=callgrind --instr-atstart=no`, sends
`--warmup` signed app-pre-close requests over one loopback connection, switches counting on (`callgrind_control`),
sends `--requests` more and divides what was counted by their number. `fixed` closes the same order every time,
`new` a new merOrderId each time, as `bench_requests.py` does; every counted answer must carry the same errCode
(`SUCCESS` for new). The window also counts a fixed few million instructions of its own (about 0.7 % per request at
1,000 requests, more at fewer), so compare checkouts at the same `--requests`. The server gets `PYTHONHASHSEED=0`,
no `MOCKUMS_*` variables of the caller's shell but `MOCKUMS_NO_WATCH=1`: the scenario-file watcher polls twice a
second whatever the load (about 0.2 ms of CPU a poll with the four bundled folders, 0.04 % of a core), but under
valgrind the window lasts some 50 times longer, so its polls counted as part of each request: 25,000 of 600,000
instructions per fixed-id request here, 9,000 on 5fe207c (one folder), more the slower the machine. 1,000 requests
take about half a minute per case. Needs valgrind (Debian's `valgrind` package). Not a test; not run in CI.

With `--minimal` the minimal signed handler of `bench_requests.py` (`bench_servers.py minimal`: parse the header,
verify the HMAC, parse the JSON, echo a close answer) is counted the same way, and each case prints mockums' ratio
to it by instructions (minimal ÷ mockums, as `bench_requests.py` prints it by CPU). With `--connections N` above 1
the counted requests are wrk's (`-cN` for `--duration` seconds, after 5 s of it uncounted; needs wrk) instead of
`--requests` sent one at a time: how many requests wrk completed divides the count, and any non-2xx answer or
connection error stops the run (wrk does not read errCodes).

With `--rounds N` each case is counted N times, each time on fresh servers (this checkout's, then the other's),
and the median and range are printed: counts of one checkout differ by up to 1.5 % from one server to the next (a
fixed hash seed notwithstanding: times, ids and memory addresses differ), which one round can mistake for a change.

    .venv/bin/python benchmarks/bench_instructions.py [--against OTHER_CHECKOUT] [--minimal] [--cases fixed,new]
        [--requests 1000] [--warmup 200] [--connections 1] [--duration 20] [--rounds 1]
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import bench_load
import bench_requests

HERE = Path(__file__).resolve().parent.parent
STOP_TIMEOUT = 120.0  # seconds for a server under valgrind to stop and write its counts
REQUEST_TIMEOUT = 60.0
RUN_TIMEOUT = 900.0  # seconds for all of one case's requests (5,000 + 5,000 take about 5 minutes)
MOST_REQUESTS = 5_000  # requests signed up front stay within the gateway's 10-minute Timestamp window
WRK_WARMUP = 5.0  # seconds of wrk before counting, with --connections above 1
MOST_SECONDS = 300.0  # --duration's bound: wrk's requests are signed up front too
MOST_ROUNDS = 20
WRK_LINES = 50_000  # request lines written for wrk's new orders (about 150 a second are answered under valgrind)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--against", type=Path, help="another checkout (with its own .venv) measured the same way")
    parser.add_argument("--cases", default="fixed,new", help="comma-separated: fixed, new")
    most = f"(at most {MOST_REQUESTS:,})"
    parser.add_argument("--requests", type=int, default=1000, help=f"requests counted per case {most}")
    parser.add_argument("--warmup", type=int, default=200, help=f"requests sent before counting {most}")
    parser.add_argument("--minimal", action="store_true", help="count the minimal signed handler too, and the ratio")
    parser.add_argument("--connections", type=int, default=1, help="above 1: wrk with this many connections")
    parser.add_argument("--duration", type=float, default=20.0,
                        help=f"seconds of counted wrk load, with --connections above 1 (at most {MOST_SECONDS:g})")
    parser.add_argument("--rounds", type=int, default=1,
                        help=f"counts of each case, each on fresh servers: median and range (at most {MOST_ROUNDS})")
    args = parser.parse_args(argv)
    cases = args.cases.split(",")
    if not set(cases) <= {"fixed", "new"}:
        parser.error(f"--cases: {args.cases!r}; use fixed, new or both")
    if not (1 <= args.requests <= MOST_REQUESTS and 0 <= args.warmup <= MOST_REQUESTS):
        parser.error(f"--requests must be 1-{MOST_REQUESTS:,} and --warmup 0-{MOST_REQUESTS:,}")
    if not (1 <= args.connections <= 256 and 1 <= args.duration <= MOST_SECONDS):
        parser.error(f"--connections must be 1-256 and --duration 1-{MOST_SECONDS:g}")
    if not 1 <= args.rounds <= MOST_ROUNDS:
        parser.error(f"--rounds must be 1-{MOST_ROUNDS}")
    args.cases = cases
    return args


def counted_total(text: str) -> int:
    """The instructions a callgrind output file counted: the largest of its `summary:` and `totals:` lines (a
    run whose counting was switched on later says `summary: 0` and gives the count as `totals:`)."""
    counts = [int(line.split()[1]) for line in text.splitlines() if line.startswith(("totals:", "summary:"))]
    if not counts:
        raise ValueError("no totals or summary line in the callgrind output")
    return max(counts)


def _connection(port: int) -> http.client.HTTPConnection:
    return http.client.HTTPConnection(bench_load.HOST, port, timeout=REQUEST_TIMEOUT)


def _send_all(connection: http.client.HTTPConnection, lines: Sequence[str], deadline: float) -> set[str]:
    """Send each request in turn; the errCodes answered (an answer other than HTTP 200 stops the run)."""
    codes: set[str] = set()
    for line in lines:
        if time.monotonic() > deadline:
            raise RuntimeError(f"the requests took longer than {RUN_TIMEOUT:g} s")
        header, body = line.split("\t", 1)
        connection.request("POST", bench_load.CLOSE, body=body.encode(),
                           headers={"Authorization": header, "Content-Type": "application/json"})
        answer = connection.getresponse()
        data = answer.read()
        if answer.status != 200:
            raise RuntimeError(f"HTTP {answer.status}: {data[:200]!r}")
        codes.add(str(json.loads(data).get("errCode")))
    return codes


def measure(checkout: Path, server_kind: str, case: str, args: argparse.Namespace, workdir: Path) -> tuple[float, str]:
    """Instructions per request of `checkout`'s `server_kind` server ("mockums" or "minimal") in `case` ("fixed" or
    "new"), and the errCode it answered ("-" under wrk, which does not read them)."""
    output = workdir / f"callgrind.{len(list(workdir.glob('callgrind.*')))}.{server_kind}-{case}.out"
    valgrind = ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={output}"]
    environment = {name: value for name, value in os.environ.items() if not name.startswith("MOCKUMS_")}
    environment["PYTHONHASHSEED"] = "0"
    environment["MOCKUMS_NO_WATCH"] = "1"  # the watcher's polls are time's work, not the requests' (docstring)
    server = bench_requests.Server(bench_requests.Case(output.stem, server_kind, case), workdir, "installed",
                                   "installed", "installed", wrapper=valgrind, checkout=checkout, env=environment)
    try:
        server.wait_ready()
        if args.connections > 1:
            requests, code = _count_under_wrk(server, case, args, workdir), "-"
        else:
            requests, code = args.requests, _count_one_by_one(server, case, args.requests, args.warmup)
    finally:
        server.stop(timeout=STOP_TIMEOUT)
    return counted_total(output.read_text(encoding="utf-8", errors="replace")) / requests, code


def _counting(server: bench_requests.Server, on: bool) -> None:
    subprocess.run(["callgrind_control", "-i", "on" if on else "off", str(server.process.pid)], check=True,
                   capture_output=True)


def _count_one_by_one(server: bench_requests.Server, case: str, requests: int, warmup: int) -> str:
    """`warmup` requests, then `requests` counted, one at a time over one connection; the one errCode they were all
    answered (SUCCESS for new orders), else RuntimeError."""
    ids = [bench_load.FIXED_ID] * (warmup + requests) if case == "fixed" else [
        f"3194CG{index:012d}" for index in range(warmup + requests)]
    lines = [bench_load.signed_line(mer_order_id) for mer_order_id in ids]
    deadline = time.monotonic() + RUN_TIMEOUT
    with contextlib.closing(_connection(server.port)) as connection:
        _send_all(connection, lines[:warmup], deadline)
        _counting(server, True)
        codes = _send_all(connection, lines[warmup:], deadline)
        _counting(server, False)
    if len(codes) != 1 or (case == "new" and codes != {"SUCCESS"}):
        raise RuntimeError(f"{server.case.name}: the counted requests were answered {sorted(codes)}")
    return codes.pop()


def _count_under_wrk(server: bench_requests.Server, case: str, args: argparse.Namespace,
                     workdir: Path) -> int:
    """WRK_WARMUP seconds of wrk, then `args.duration` counted; the requests wrk completed (any error: RuntimeError)."""
    # Each wrk run reads its file from the top: the counted one gets ids of its own, or its new orders would
    # start with the warm-up's, closed already.
    warm_lines = bench_load.write_requests(workdir / f"{server.case.name}.warm", case, WRK_LINES, "CW")
    lines = bench_load.write_requests(workdir / f"{server.case.name}.counted", case, WRK_LINES, "CC")
    warm = bench_load.run_wrk(server.port, bench_load.Load(case, args.connections, WRK_WARMUP, 0), warm_lines, None)
    _counting(server, True)
    figures = bench_load.run_wrk(server.port, bench_load.Load(case, args.connections, args.duration, 0), lines, None)
    _counting(server, False)
    if warm.errors or figures.errors or not figures.requests:
        raise RuntimeError(f"wrk: {figures.requests} requests, {warm.errors + figures.errors} errors")
    if figures.wrapped or warm.wrapped:
        raise RuntimeError(f"wrk ran out of the {WRK_LINES:,} new orders and repeated some: use a shorter --duration")
    return figures.requests


def _spread(counts: Sequence[float]) -> str:
    """Median and range of one checkout's counts: "640,493 (631,002-650,857)"."""
    return f"{statistics.median(counts):,.0f} ({min(counts):,.0f}-{max(counts):,.0f})"


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    missing = [tool for tool in ("valgrind", "callgrind_control") if shutil.which(tool) is None]
    if missing:
        print(f"needs {' and '.join(missing)} (Debian's valgrind package)", file=sys.stderr)
        return 2
    checkouts = [HERE] + ([args.against.resolve()] if args.against else [])
    for checkout in checkouts:
        if not (checkout / ".venv/bin/python").exists() or not (checkout / "benchmarks/bench_servers.py").exists():
            print(f"{checkout}: no .venv/bin/python or benchmarks/bench_servers.py there", file=sys.stderr)
            return 2
    how = (f"{args.requests:,} requests after {args.warmup:,}, one connection" if args.connections == 1 else
           f"wrk -c{args.connections} for {args.duration:g} s after {WRK_WARMUP:g} s")
    print(f"instructions per request, callgrind, {how}")
    with tempfile.TemporaryDirectory(prefix="mockums-instructions-") as folder:
        for case in args.cases:
            figures: dict[Path, list[float]] = {checkout: [] for checkout in checkouts}
            for round_number in range(1, args.rounds + 1):
                which = f" round {round_number}/{args.rounds}" if args.rounds > 1 else ""
                for checkout in checkouts:
                    count, code = measure(checkout, "mockums", case, args, Path(folder))
                    figures[checkout].append(count)
                    print(f"  {case}{which}: {count:,.0f}  {checkout} (answered {code})", flush=True)
            if args.rounds > 1:
                for checkout in checkouts:
                    print(f"  {case}: median {_spread(figures[checkout])}  {checkout}")
            if args.against:
                here, there = statistics.median(figures[HERE]), statistics.median(figures[checkouts[1]])
                print(f"  {case}: this checkout / the other: {here / there:.3f} ({(here / there - 1) * 100:+.1f} %)")
            if args.minimal:
                minimal, _ = measure(HERE, "minimal", case, args, Path(folder))
                print(f"  {case}: {minimal:,.0f}  the minimal signed handler; mockums ÷ minimal by instructions: "
                      f"{minimal / statistics.median(figures[HERE]):.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

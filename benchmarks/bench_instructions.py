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

    .venv/bin/python benchmarks/bench_instructions.py [--against OTHER_CHECKOUT] [--cases fixed,new]
        [--requests 1000] [--warmup 200]
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import shutil
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


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--against", type=Path, help="another checkout (with its own .venv) measured the same way")
    parser.add_argument("--cases", default="fixed,new", help="comma-separated: fixed, new")
    most = f"(at most {MOST_REQUESTS:,})"
    parser.add_argument("--requests", type=int, default=1000, help=f"requests counted per case {most}")
    parser.add_argument("--warmup", type=int, default=200, help=f"requests sent before counting {most}")
    args = parser.parse_args(argv)
    cases = args.cases.split(",")
    if not set(cases) <= {"fixed", "new"}:
        parser.error(f"--cases: {args.cases!r}; use fixed, new or both")
    if not (1 <= args.requests <= MOST_REQUESTS and 0 <= args.warmup <= MOST_REQUESTS):
        parser.error(f"--requests must be 1-{MOST_REQUESTS:,} and --warmup 0-{MOST_REQUESTS:,}")
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


def measure(checkout: Path, case: str, requests: int, warmup: int, workdir: Path) -> tuple[float, str]:
    """Instructions per request of `checkout`'s server in `case` ("fixed" or "new"), and the errCode it answered."""
    output = workdir / f"callgrind.{len(list(workdir.glob('callgrind.*')))}.{case}.out"
    valgrind = ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={output}"]
    environment = {name: value for name, value in os.environ.items() if not name.startswith("MOCKUMS_")}
    environment["PYTHONHASHSEED"] = "0"
    environment["MOCKUMS_NO_WATCH"] = "1"  # the watcher's polls are time's work, not the requests' (docstring)
    ids = [bench_load.FIXED_ID] * (warmup + requests) if case == "fixed" else [
        f"3194CG{index:012d}" for index in range(warmup + requests)]
    lines = [bench_load.signed_line(mer_order_id) for mer_order_id in ids]
    server = bench_requests.Server(bench_requests.Case(output.stem, "mockums", case), workdir, "installed",
                                   "installed", "installed", wrapper=valgrind, checkout=checkout, env=environment)
    try:
        server.wait_ready()
        deadline = time.monotonic() + RUN_TIMEOUT
        with contextlib.closing(_connection(server.port)) as connection:
            _send_all(connection, lines[:warmup], deadline)
            subprocess.run(["callgrind_control", "-i", "on", str(server.process.pid)], check=True, capture_output=True)
            codes = _send_all(connection, lines[warmup:], deadline)
            subprocess.run(["callgrind_control", "-i", "off", str(server.process.pid)], check=True, capture_output=True)
    finally:
        server.stop(timeout=STOP_TIMEOUT)
    if len(codes) != 1 or (case == "new" and codes != {"SUCCESS"}):
        raise RuntimeError(f"{checkout} {case}: the counted requests were answered {sorted(codes)}")
    return counted_total(output.read_text(encoding="utf-8", errors="replace")) / requests, codes.pop()


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
    print(f"instructions per request, callgrind, {args.requests:,} requests after {args.warmup:,}, one connection")
    with tempfile.TemporaryDirectory(prefix="mockums-instructions-") as folder:
        for case in args.cases:
            figures = {}
            for checkout in checkouts:
                figures[checkout], code = measure(checkout, case, args.requests, args.warmup, Path(folder))
                print(f"  {case}: {figures[checkout]:,.0f}  {checkout} (answered {code})", flush=True)
            if args.against:
                here, there = figures[HERE], figures[checkouts[1]]
                print(f"  {case}: this checkout / the other: {here / there:.3f} ({(here / there - 1) * 100:+.1f} %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

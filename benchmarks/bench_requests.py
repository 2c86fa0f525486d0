"""What users would compare: mockums against a bare aiohttp handler and a minimal signed handler, in one run.

Each server runs alone in its own process pinned to one core; the load generator (wrk when installed,
else a bounded asyncio client) runs in another process pinned to the other core and sends the same
signed app-pre-close requests over loopback. Cases:

    fixed       the same request every time (after the first close, mockums answers OPERATION_NOT_ALLOWED)
    new         a new merOrderId on every request: mockums assumes the order and closes it (SUCCESS)
    N scen.     mockums with N scenarios (a third exact ids, a third prefixes, a third patterns), none matching
    redis-…     mockums with its state in a redis-server of the run's own (--store), fixed and new; -1w/-2w with
                --workers 1 or 2, unpinned (what two workers against one Redis give on this machine)

Prints, per case, the median over the rounds of req/s (with its spread), p50, p99, the server's RSS and
the ratios to both baselines measured in the same round; then memory per kept order and RSS with the
order store full. Bounded: every run has a duration and a hard timeout. Not a test; not run in CI.

    .venv/bin/python benchmarks/bench_requests.py [--rounds 2] [--duration 8] [--connections 32]
        [--loop asyncio|uvloop] [--json std|orjson] [--mockums-libraries installed|same]
        [--cases bare-fixed,mockums-new,…] [--memory-orders 100000]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import bench_load
from bench_load import Figures, Load
from bench_servers import rss_kib

HERE = Path(__file__).resolve().parent
SERVERS = HERE / "bench_servers.py"
SERVER_CORE, CLIENT_CORE = 0, 1
START_TIMEOUT = 180.0  # seconds a server may take to listen (10,000 scenarios to load)


@dataclass(frozen=True)
class Case:
    """One row of the table: a server, a workload, and for mockums the scenarios it loads."""

    name: str
    server: str  # bare, minimal, mockums
    workload: str  # fixed, new
    scenarios: int | None = None  # None: mockums' defaults (the bundled set); N: N generated, bundled off
    store: str | None = None  # "redis": mockums keeps its state in the run's redis-server (--store)
    workers: int | None = None  # N: `--workers N`, not pinned to a core (the load generator keeps its own)


# In this order in every round, so each ratio compares runs made close together in time.
CASES = (
    Case("bare-fixed", "bare", "fixed"),
    Case("minimal-fixed", "minimal", "fixed"),
    Case("mockums-fixed", "mockums", "fixed"),
    Case("bare-new", "bare", "new"),
    Case("minimal-new", "minimal", "new"),
    Case("mockums-new", "mockums", "new"),
    Case("mockums-10", "mockums", "fixed", 10),
    Case("mockums-10000", "mockums", "fixed", 10000),
    Case("mockums-1000", "mockums", "fixed", 1000),
    Case("redis-fixed", "mockums", "fixed", store="redis"),
    Case("redis-new", "mockums", "new", store="redis"),
    Case("redis-new-1w", "mockums", "new", store="redis", workers=1),
    Case("redis-new-2w", "mockums", "new", store="redis", workers=2),
)
REDIS_DB = 7  # the database of the run's redis-server the Redis cases use, emptied before each


@dataclass
class Run:
    """One measurement of one case."""

    figures: Figures
    rss_mib: float
    cpu_us: float  # CPU time the server spent per request (user + system): what other load cannot inflate much
    answers: dict[str, int] = field(default_factory=dict)  # errCode -> count, from mockums' journal
    log_lines: float | None = None  # log lines written per request (mockums)
    store_cpu_us: float | None = None  # CPU time the redis-server spent per request (the Redis cases)


def scenario_yaml(count: int) -> str:
    """`count` scenarios, a third exact ids, a third prefixes of many lengths, a third patterns (half with a
    literal prefix, half without); none matches the benchmark's ids (3194…)."""
    lines = ["scenarios:"]
    for index in range(count):
        kind = index % 3
        if kind == 0:
            match = f"{{merOrderId: BX{index:08d}}}"
        elif kind == 1:
            match = f"{{merOrderIdPrefix: BP{index:0{4 + index % 12}d}}}"
        elif index % 2:
            match = f"{{merOrderIdPattern: 'BQ{index:06d}-[0-9]{{4}}'}}"
        else:
            match = f"{{merOrderIdPattern: '[A-Z]{{2}}{index:06d}Z[0-9]+'}}"
        lines.append(f"  - name: bench-{index}\n    match: {match}\n    respond: {{fields: {{errCode: SUCCESS}}}}")
    return "\n".join(lines) + "\n"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((bench_load.HOST, 0))
        return int(sock.getsockname()[1])


def get_json(port: int, path: str) -> object:
    with urllib.request.urlopen(f"http://{bench_load.HOST}:{port}{path}", timeout=10) as answer:
        return json.loads(answer.read())


class Server:
    """A server process pinned to SERVER_CORE, its output in a file; stopped with SIGTERM, then SIGKILL."""

    def __init__(self, case: Case, workdir: Path, loop: str, json_lib: str, mockums_libraries: str = "same",
                 redis: RedisProcess | None = None, wrapper: Sequence[str] = (), checkout: Path | None = None,
                 env: Mapping[str, str] | None = None) -> None:
        """`wrapper`: a command the server runs under (bench_spread.py's `setarch -R`, bench_instructions.py's
        valgrind); `checkout`: another checkout whose `.venv/bin/python` runs its own `benchmarks/bench_servers.py`
        (default: this interpreter and this checkout's); `env`: the server's environment (default: this process's)."""
        self.case, self.port = case, free_port()
        self.log = workdir / f"{case.name}.log"
        extra: list[str] = []
        if case.scenarios is not None:
            folder = workdir / f"scenarios-{case.scenarios}"
            if not folder.exists():
                folder.mkdir()
                (folder / "bench.yaml").write_text(scenario_yaml(case.scenarios), encoding="utf-8")
            extra = ["--no-bundled", "-s", str(folder)]
        if case.server == "mockums":
            # A close of an order never created answers NO_ORDER by default, as the gateway does; the
            # benchmark measures the rules' success path, so every unknown order is taken to exist.
            extra = ["--assume-orders", *extra]
        if case.store == "redis":
            if redis is None:
                raise RuntimeError(f"{case.name} needs a redis-server (not found on PATH)")
            extra = ["--store", redis.emptied(REDIS_DB), *extra]
        core = str(SERVER_CORE)
        if case.workers is not None:
            extra = ["--workers", str(case.workers), *extra]
            core = "-"  # the workers share the cores with redis-server (the load generator stays on its own)
        if case.server == "mockums" and mockums_libraries == "installed":
            loop = json_lib = "installed"
        python, servers = (sys.executable, SERVERS) if checkout is None else (
            checkout / ".venv/bin/python", checkout / "benchmarks/bench_servers.py")
        command = [*wrapper, str(python), str(servers), case.server, str(self.port), core, loop, json_lib, *extra]
        with self.log.open("wb") as output:
            self.process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, cwd=checkout, env=env)

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.case.name} exited:\n{self.log.read_text()[-3000:]}")
            with contextlib.suppress(OSError), socket.create_connection((bench_load.HOST, self.port), timeout=1):
                return
            time.sleep(0.1)
        raise RuntimeError(f"{self.case.name} did not listen within {START_TIMEOUT:g} s")

    def log_lines(self) -> int:
        return self.log.read_bytes().count(b"\n")

    def stop(self, timeout: float = 15) -> None:
        """SIGTERM, then SIGKILL after `timeout` seconds."""
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)


class RedisProcess:
    """The run's redis-server on a free loopback port, without persistence (unpinned: it shares the cores)."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", bench_load.HOST, "--save", "", "--appendonly", "no",
             "--dir", str(workdir)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection((bench_load.HOST, self.port), timeout=1):
                return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not listen within 30 s")

    def url(self, db: int) -> str:
        return f"redis://{bench_load.HOST}:{self.port}/{db}"

    def emptied(self, db: int) -> str:
        import redis  # noqa: PLC0415 - only the Redis cases need it

        with redis.Redis.from_url(self.url(db)) as client:
            client.flushdb()
        return self.url(db)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=15)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads) and of the processes it started (workers), from
    /proc/PID/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    children = Path(f"/proc/{pid}/task/{pid}/children")
    kids = children.read_text().split() if children.exists() else []
    return own + sum(cpu_seconds(int(kid)) for kid in kids if Path(f"/proc/{kid}").exists())


def drive(port: int, load: Load, requests: Path, client: str) -> Figures:
    if client == "wrk":
        return bench_load.run_wrk(port, load, requests, CLIENT_CORE)
    return bench_load.run_client(port, load, requests, CLIENT_CORE)


def measure(case: Case, args: argparse.Namespace, workdir: Path, tag: str, redis: RedisProcess | None = None) -> Run:
    """Start the case's server, warm it up, measure, read its RSS (and for mockums its journal), stop it."""
    load = Load(case.workload, args.connections, args.duration, args.max_requests)
    warm = Load(case.workload, args.connections, args.warmup, args.max_requests)
    server = Server(case, workdir, args.loop, args.json, args.mockums_libraries, redis)
    try:
        server.wait_ready()
        # Stamped now, so the Timestamp is fresh however long the previous cases took.
        warm_file = bench_load.write_requests(workdir / f"{case.name}-warm.txt", case.workload,
                                              bench_load.request_count(warm), f"W{tag}")
        main_file = bench_load.write_requests(workdir / f"{case.name}.txt", case.workload,
                                              bench_load.request_count(load), f"M{tag}")
        if args.warmup:
            drive(server.port, warm, warm_file, args.client)
        lines_before, cpu_before = server.log_lines(), cpu_seconds(server.process.pid)
        store_before = cpu_seconds(redis.process.pid) if redis is not None and case.store else 0.0
        figures = drive(server.port, load, main_file, args.client)
        cpu = cpu_seconds(server.process.pid) - cpu_before
        time.sleep(0.2)  # the last log lines reach the file
        rss, _ = rss_kib(server.process.pid)
        run = Run(figures, rss / 1024, cpu / max(1, figures.requests) * 1e6)
        if redis is not None and case.store:
            run.store_cpu_us = (cpu_seconds(redis.process.pid) - store_before) / max(1, figures.requests) * 1e6
        if case.server == "mockums":
            run.log_lines = (server.log_lines() - lines_before) / max(1, figures.requests)
            entries = get_json(server.port, "/__mockums/journal?limit=200")
            for entry in entries if isinstance(entries, list) else []:
                code = str(entry.get("errCode"))
                run.answers[code] = run.answers.get(code, 0) + 1
        return run
    finally:
        server.stop()



# -- the report -----------------------------------------------------------------------------------

def machine(args: argparse.Namespace) -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown CPU")
    versions = []
    for name in ("aiohttp", "uvloop", "orjson"):
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} not installed")
    generator = (f"wrk -t1 -c{args.connections}" if args.client == "wrk"
                 else f"asyncio client, {args.connections} connections")
    return (f"{cpu}, {os.cpu_count()} cores, Linux {platform.release()}, Python {platform.python_version()}, "
            f"{', '.join(versions)}; loop {args.loop}, JSON {args.json}"
            f"{' (mockums: as installed)' if args.mockums_libraries == 'installed' else ''}; load: {generator}, "
            f"{args.duration:g} s per run after {args.warmup:g} s warm-up, {args.rounds} round(s)")


def _median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def report(results: dict[str, list[Run]], args: argparse.Namespace) -> str:
    """The Markdown table: medians over rounds; ratios per round against the same round's baselines."""
    def ratio(case: Case, baseline: str, cpu: bool = False) -> str:
        base_case = f"{baseline}-{case.workload}"
        pairs = [(base.cpu_us / run.cpu_us if cpu else run.figures.rate / base.figures.rate)
                 for run, base in zip(results.get(case.name, []), results.get(base_case, []), strict=False)
                 if base.figures.rate and run.cpu_us]
        if case.server == baseline:
            return "1"
        if not pairs:
            return ""
        return f"{_median(pairs):.2f}" + (f" ({min(pairs):.2f}–{max(pairs):.2f})" if len(pairs) > 1 else "")

    rows = ["| case | req/s (spread) | p50 ms | p99 ms | RSS MiB | CPU µs/req | × bare | × minimal "
            "| × minimal by CPU | answers (journal sample) | log lines/req |",
            "|---|---|---|---|---|---|---|---|---|---|---|"]
    for case in CASES:
        runs = results.get(case.name)
        if not runs:
            continue
        rates = [run.figures.rate for run in runs]
        spread = f" ({min(rates):,.0f}–{max(rates):,.0f})" if len(rates) > 1 else ""
        answers: dict[str, int] = {}
        for run in runs:
            for code, count in run.answers.items():
                answers[code] = answers.get(code, 0) + count
        shown = ", ".join(f"{code} {count}" for code, count in sorted(answers.items(), key=lambda i: -i[1]))
        lines = [run.log_lines for run in runs if run.log_lines is not None]
        errors = sum(run.figures.errors for run in runs)
        wrapped = sum(run.figures.wrapped for run in runs)
        notes = (f" ⚠ {errors} errors" if errors else "") + (f" ⚠ ids repeated {wrapped}×" if wrapped else "")
        rows.append(
            f"| {case.name} | {_median(rates):,.0f}{spread}{notes} | {_median([r.figures.p50_ms for r in runs]):.2f} "
            f"| {_median([r.figures.p99_ms for r in runs]):.2f} | {_median([r.rss_mib for r in runs]):.0f} "
            f"| {_median([r.cpu_us for r in runs]):.0f} | {ratio(case, 'bare')} | {ratio(case, 'minimal')} "
            f"| {ratio(case, 'minimal', cpu=True)} | {shown} "
            f"| {f'{_median(lines):.2f}' if lines else ''} |")
    scenario_runs = [results.get(f"mockums-{count}", []) for count in (10, 10000)]
    if all(scenario_runs):
        pairs = [big.figures.rate / small.figures.rate for small, big in zip(*scenario_runs, strict=False)]
        costs = [small.cpu_us / big.cpu_us for small, big in zip(*scenario_runs, strict=False)]
        rows.append(f"\n10,000 scenarios vs 10: {_median(pairs):.2f}× the throughput "
                    f"({', '.join(f'{p:.2f}' for p in pairs)} per round); by CPU per request {_median(costs):.2f}× "
                    f"({', '.join(f'{p:.2f}' for p in costs)})")
    return "\n".join(rows)


def store_ratios(results: dict[str, list[Run]]) -> str:
    """CPU per request with the Redis store against the memory store, round by round (mockums, and with redis)."""
    lines = []
    for workload in ("fixed", "new"):
        pairs = list(zip(results.get(f"mockums-{workload}", []), results.get(f"redis-{workload}", []), strict=False))
        if not pairs:
            continue
        alone = [redis.cpu_us / memory.cpu_us for memory, redis in pairs]
        total = [(redis.cpu_us + (redis.store_cpu_us or 0)) / memory.cpu_us for memory, redis in pairs]
        store = _median([redis.store_cpu_us or 0.0 for _, redis in pairs])
        lines.append(f"Redis store vs memory store, {workload}: mockums' CPU per request {_median(alone):.2f}× "
                     f"({', '.join(f'{p:.2f}' for p in alone)}); with redis-server's ({store:.0f} µs per request) "
                     f"{_median(total):.2f}× ({', '.join(f'{p:.2f}' for p in total)})")
    workers = [(one.figures.rate, two.figures.rate) for one, two in
               zip(results.get("redis-new-1w", []), results.get("redis-new-2w", []), strict=False)]
    if workers:
        lines.append(f"Workers against one Redis, new order: 2 workers {_median([b / a for a, b in workers]):.2f}× "
                     f"the requests/s of 1 ({', '.join(f'{a:,.0f} → {b:,.0f}' for a, b in workers)} req/s)")
    return "\n".join(lines)


def redis_memory_report(orders: int, redis: RedisProcess) -> str:
    """Bytes Redis holds per kept order: `orders` closes of new ids through an in-process sandbox on the run's
    redis-server (the journal full), its used_memory before and after."""
    import redis as redis_py  # noqa: PLC0415 - only the Redis cases need it

    from mockums.config import Settings  # noqa: PLC0415
    from mockums.core.sandbox import Sandbox  # noqa: PLC0415

    url = redis.emptied(REDIS_DB)
    client = redis_py.Redis.from_url(url)
    sandbox = Sandbox(Settings(assume_orders=True, store=url, max_orders=max(orders, 1)))
    lines = [bench_load.signed_line(f"3194MEM{number:010d}").split("\t", 1) for number in range(orders)]
    journal = sandbox.settings.journal_size
    for authorization, body in lines[:journal]:  # the journal full first: what stays is what orders cost
        sandbox.handle_api(bench_load.CLOSE, authorization, body.encode())
    before, kept_before = client.info("memory")["used_memory"], len(sandbox.store.orders)
    started = time.monotonic()
    for authorization, body in lines[journal:]:
        sandbox.handle_api(bench_load.CLOSE, authorization, body.encode())
    seconds = time.monotonic() - started
    after, kept = client.info("memory")["used_memory"], len(sandbox.store.orders)
    sandbox.store.close()
    client.close()
    return (f"Redis memory: {(after - before) / max(1, kept - kept_before):,.0f} bytes per kept order assumed by a "
            f"close (used_memory, {kept:,} orders kept, journal full; filled in {seconds:.1f} s in-process)")


def memory_report(args: argparse.Namespace) -> str:
    command = [sys.executable, str(SERVERS), "memory", str(args.memory_orders), str(SERVER_CORE), args.loop, args.json]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, check=True)
    figures = json.loads(next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))[7:])
    return (f"Memory: {figures['bytes_per_assumed_order']} bytes per kept order assumed by a close, "
            f"{figures['bytes_per_created_order']} per order created by app-pre-order (tracemalloc, journal full); "
            f"RSS {figures['rss_empty_kib'] / 1024:.0f} MiB empty, {figures['rss_full_kib'] / 1024:.0f} MiB with "
            f"{figures['orders_kept']:,} orders kept (filled in {figures['fill_seconds']} s, in-process)")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--duration", type=int, default=8, help="whole seconds per measured run (as wrk takes them)")
    parser.add_argument("--warmup", type=int, default=2, help="whole seconds of load before each measured run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--max-requests", type=int, default=1_000_000, help="per run, for the asyncio client")
    parser.add_argument("--client", choices=["auto", "wrk", "asyncio"], default="auto")
    parser.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio")
    parser.add_argument("--json", choices=["std", "orjson"], default="std")
    parser.add_argument("--mockums-libraries", choices=["same", "installed"], default="installed",
                        help="installed (the default): mockums uses what it installs (orjson, a default dependency) "
                        "while the baselines keep --loop and --json; same: mockums too is held to --loop and --json")
    parser.add_argument("--cases", help="comma list of case names (default: all)")
    parser.add_argument("--memory-orders", type=int, default=100_000, help="orders to keep for the RSS figure; 0 skips")
    parser.add_argument("--redis-memory-orders", type=int, default=20_000,
                        help="orders to keep for the Redis memory figure (with a Redis case); 0 skips")
    args = parser.parse_args(argv)
    if args.client == "auto":
        args.client = "wrk" if bench_load.have_wrk() else "asyncio"
    if not 1 <= args.rounds <= 10 or not 0 < args.duration <= 60 or not 0 <= args.warmup <= 30:
        parser.error("bounded: 1..10 rounds, 0..60 s per run, 0..30 s warm-up")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    chosen = set(args.cases.split(",")) if args.cases else {case.name for case in CASES}
    cases = [case for case in CASES if case.name in chosen]
    print(machine(args), flush=True)
    results: dict[str, list[Run]] = {}
    with tempfile.TemporaryDirectory(prefix="mockums-bench-") as tmp, contextlib.ExitStack() as stack:
        redis = None
        if any(case.store for case in cases) and shutil.which("redis-server"):
            redis = RedisProcess(Path(tmp))
            stack.callback(redis.stop)
        for round_number in range(args.rounds):
            for number, case in enumerate(cases):  # interleaved: each round runs every case once
                run = measure(case, args, Path(tmp), f"{round_number}{number:02d}", redis)
                results.setdefault(case.name, []).append(run)
                print(f"  round {round_number + 1} {case.name}: {run.figures.rate:,.0f} req/s "
                      f"p99 {run.figures.p99_ms:.2f} ms RSS {run.rss_mib:.0f} MiB CPU {run.cpu_us:.0f} µs/req",
                      flush=True)
        redis_memory = redis_memory_report(args.redis_memory_orders, redis) \
            if redis is not None and args.redis_memory_orders else ""
    print()
    print(report(results, args))
    ratios = store_ratios(results)
    if ratios:
        print()
        print(ratios)
    if redis_memory:
        print(redis_memory)
    if args.memory_orders:
        print()
        print(memory_report(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())

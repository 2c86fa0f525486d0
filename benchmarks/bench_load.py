"""The load side of the benchmark: signed requests, and two ways to send them to a loopback server.

wrk (when installed) is the load generator; otherwise a bounded asyncio client that speaks just
enough HTTP/1.1 (keep-alive, Content-Length) to stay far cheaper than the servers it drives. Either
runs in its own process pinned to its own core, and both report the same figures as one JSON line.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import chinaums_client

from mockums.config import DEMO_APP

HOST = "127.0.0.1"
CLOSE = "/v1/netpay/wx/app-pre-close"
FIXED_ID = "3194BENCHFIXED0001"
RATE_CEILING = 30_000  # requests/s no server here reaches: sizes the file of distinct requests


@dataclass(frozen=True)
class Load:
    """What one measurement sends and for how long."""

    workload: str  # "fixed": the same signed close every time; "new": a new merOrderId on every request
    connections: int
    duration: float  # seconds
    max_requests: int  # hard bound for the asyncio client (wrk is bounded by duration)


@dataclass(frozen=True)
class Figures:
    """What a load run measured: counts, rate and latency percentiles."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int  # connection errors, timeouts and non-2xx answers
    wrapped: int = 0  # times the "new" request file ran out and started again (ids repeated)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def signed_line(mer_order_id: str) -> str:
    """One signed close request as `Authorization<TAB>body` (a Go-style body: no tab, no newline)."""
    body = chinaums_client.go_json(chinaums_client.close_request(mer_order_id))
    header = chinaums_client.open_body_sig(DEMO_APP.app_id, DEMO_APP.app_key, body)
    return f"{header}\t{body.decode()}"


def write_requests(path: Path, workload: str, count: int, tag: str) -> Path:
    """`count` request lines (1 for "fixed"), freshly stamped; ids for "new" carry `tag` so runs never share one."""
    if workload == "fixed":
        lines = [signed_line(FIXED_ID)]
    else:
        lines = [signed_line(f"3194{tag}{index:09d}") for index in range(count)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def request_count(load: Load) -> int:
    return 1 if load.workload == "fixed" else int(min(load.max_requests, RATE_CEILING * load.duration) + 1)


# -- wrk ------------------------------------------------------------------------------------------

WRK_SCRIPT = r"""
-- Sends the requests of a file (Authorization TAB body per line) in order, starting again at its end.
local path = "%(path)s"
file, wraps = nil, 0  -- globals: done() reads wraps through thread:get
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) file = assert(io.open(path, "r")) end
function request()
  local line = file:read("*l")
  if line == nil then
    wraps = wraps + 1
    file:seek("set")
    line = file:read("*l")
  end
  local tab = line:find("\t", 1, true)
  return wrk.format("POST", "%(target)s",
    {["Authorization"] = line:sub(1, tab - 1), ["Content-Type"] = "application/json"}, line:sub(tab + 1))
end
function done(summary, latency, requests)
  local wrapped = 0
  for _, thread in ipairs(threads) do wrapped = wrapped + thread:get("wraps") end
  local e = summary.errors
  io.write(string.format(
    '\nRESULT {"requests": %%d, "seconds": %%.6f, "p50_ms": %%.3f, "p99_ms": %%.3f, "errors": %%d, "wrapped": %%d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.connect + e.read + e.write + e.status + e.timeout, wrapped))
end
"""

FIXED_SCRIPT = r"""
-- The same request every time (wrk builds it once).
local line = assert(io.open("%(path)s", "r")):read("*l")
local tab = line:find("\t", 1, true)
wrk.method = "POST"
wrk.path = "%(target)s"
wrk.headers["Authorization"] = line:sub(1, tab - 1)
wrk.headers["Content-Type"] = "application/json"
wrk.body = line:sub(tab + 1)
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\nRESULT {"requests": %%d, "seconds": %%.6f, "p50_ms": %%.3f, "p99_ms": %%.3f, "errors": %%d, "wrapped": 0}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def have_wrk() -> bool:
    return shutil.which("wrk") is not None


def pinned(core: int | None) -> list[str]:
    """taskset -c CORE, to pin a command to `core`; nothing when taskset is missing or `core` is None."""
    return ["taskset", "-c", str(core)] if core is not None and shutil.which("taskset") else []


def run_wrk(port: int, load: Load, requests: Path, core: int | None) -> Figures:
    """wrk -t1 on `core` for `load.duration` seconds (with a hard timeout of twice that plus 10 s)."""
    script = requests.with_suffix(".lua")
    template = FIXED_SCRIPT if load.workload == "fixed" else WRK_SCRIPT
    script.write_text(template % {"path": requests, "target": CLOSE}, encoding="utf-8")
    command = [*pinned(core), "wrk", "-t1", f"-c{load.connections}", f"-d{load.duration:g}s", "--timeout", "5s",
               "-s", str(script), f"http://{HOST}:{port}{CLOSE}"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=2 * load.duration + 10, check=True)
    return _result(done.stdout)


def _result(output: str) -> Figures:
    for line in output.splitlines():
        if line.startswith("RESULT "):
            return Figures(**json.loads(line[len("RESULT "):]))
    raise RuntimeError(f"the load generator printed no RESULT line:\n{output[-2000:]}")


# -- the asyncio client ---------------------------------------------------------------------------

def _http_request(line: str, port: int) -> bytes:
    header, body = line.split("\t", 1)
    data = body.encode()
    return (f"POST {CLOSE} HTTP/1.1\r\nHost: {HOST}:{port}\r\nAuthorization: {header}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n").encode() + data


async def _drive(port: int, load: Load, requests: Sequence[bytes]) -> Figures:
    latencies: list[float] = []
    errors = 0
    sent = 0
    deadline = time.monotonic() + load.duration

    async def connection() -> None:
        nonlocal errors, sent
        reader, writer = await asyncio.open_connection(HOST, port)
        try:
            while sent < load.max_requests and time.monotonic() < deadline:
                payload = requests[sent % len(requests)]
                sent += 1
                started = time.perf_counter()
                writer.write(payload)
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for raw in head.split(b"\r\n"):
                    if raw[:15].lower() == b"content-length:":
                        length = int(raw[15:])
                await reader.readexactly(length)
                latencies.append(time.perf_counter() - started)
                if not head.startswith((b"HTTP/1.1 2", b"HTTP/1.0 2")):
                    errors += 1
        except (OSError, asyncio.IncompleteReadError):
            errors += 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.wait_for(asyncio.gather(*(connection() for _ in range(load.connections))),
                           timeout=load.duration + 10)
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies) or [0.0]
    return Figures(len(latencies), elapsed, statistics.median(ordered) * 1000,
                   ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000, errors,
                   max(0, (sent - 1) // len(requests)) if load.workload == "new" else 0)


def client_main(argv: Sequence[str]) -> None:
    """`bench_load.py PORT WORKLOAD CONNECTIONS DURATION MAX_REQUESTS FILE`: print one RESULT line."""
    port, workload, connections, duration, max_requests, path = argv
    load = Load(workload, int(connections), float(duration), int(max_requests))
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    requests = [_http_request(line, int(port)) for line in lines]
    figures = asyncio.run(_drive(int(port), load, requests))
    print("RESULT " + json.dumps(figures.__dict__), flush=True)


def run_client(port: int, load: Load, requests: Path, core: int | None) -> Figures:
    """The asyncio client in its own process on `core`."""
    command = [*pinned(core), sys.executable, __file__, str(port), load.workload, str(load.connections),
               str(load.duration), str(load.max_requests), str(requests)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(command, capture_output=True, text=True, timeout=2 * load.duration + 30, check=True,
                          env=env)
    return _result(done.stdout)


if __name__ == "__main__":
    client_main(sys.argv[1:])

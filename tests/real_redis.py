"""A real `redis-server` for the tests (issue #23): started on a free loopback port, with nothing saved to disk, one
per pytest process (each xdist worker starts its own), stopped at the end of the session. `tests/conftest.py` makes
fixtures of it: `real_redis` (the server) and `redis_url` (its URL, the database flushed first).

Never a fake: what the Redis store does across processes is tested against the real thing. Where redis-server is
not installed the tests that need it are skipped, except under CI (`CI` set), which installs it (`.ci/run`) and so
fails them, saying what is missing.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import NoReturn

import pytest

START_WITHIN = 10.0  # seconds redis-server may take to answer PING (a bound: it answers in a few milliseconds)


def missing(what: str) -> NoReturn:
    """Skip (no redis-server on this machine), or fail under CI, which installs one."""
    if os.environ.get("CI"):
        pytest.fail(f"{what}: CI must run the Redis tests (.ci/run installs Debian's redis-server)")
    pytest.skip(f"{what}: the Redis tests need redis-server (apt-get install redis-server)")


def command(sock: socket.socket, *words: str) -> bytes:
    """One command in RESP, and the first line of its answer (`+PONG`, `+OK`)."""
    sock.sendall(f"*{len(words)}\r\n".encode() + b"".join(
        f"${len(word.encode())}\r\n".encode() + word.encode() + b"\r\n" for word in words))
    answer = b""
    while not answer.endswith(b"\r\n"):
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("redis-server closed the connection")
        answer += chunk
    return answer.split(b"\r\n", 1)[0]


def free_port() -> int:
    """A loopback port nothing listens on now (the kernel's pick)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RedisServer:
    """A redis-server process on 127.0.0.1: `url` names database 0; `flush()` empties it; `stop()` ends it."""

    def __init__(self, binary: str, port: int | None = None, keep_in: Path | None = None) -> None:
        self.binary = binary
        self.port = port or free_port()
        # `keep_in`: an append-only file there, each write synced before Redis answers (kept across a restart)
        kept = ["--dir", str(keep_in), "--appendonly", "yes", "--appendfsync", "always"] if keep_in else \
            ["--appendonly", "no"]
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", *kept,
             "--protected-mode", "yes", "--loglevel", "warning"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.url = f"redis://127.0.0.1:{self.port}/0"
        deadline = time.monotonic() + START_WITHIN
        while True:
            try:
                if self.ask("PING") == b"+PONG":
                    return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                output = self.stop()
                raise RuntimeError(f"redis-server on port {self.port} did not start: {output}")
            time.sleep(0.01)

    def database(self, number: int) -> str:
        """The URL of database `number` (0–15) of this server."""
        return f"redis://127.0.0.1:{self.port}/{number}"

    def ask(self, *words: str) -> bytes:
        with socket.create_connection(("127.0.0.1", self.port), timeout=2) as sock:
            return command(sock, *words)

    def flush(self) -> None:
        """Every key of every database gone."""
        assert self.ask("FLUSHALL") == b"+OK"

    def stop(self) -> str:
        """End the server; what it wrote."""
        self.process.terminate()
        try:
            output, _ = self.process.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            output, _ = self.process.communicate()
        return output.decode(errors="replace") if output else ""


def start_redis(port: int | None = None, keep_in: Path | None = None) -> RedisServer:
    """A new redis-server (on `port`, else a free one; keeping its data in the folder `keep_in` when given), or a
    skip (a failure under CI) when none is installed."""
    binary = shutil.which("redis-server")
    if binary is None:
        missing("redis-server not found on PATH")
    return RedisServer(binary, port, keep_in)


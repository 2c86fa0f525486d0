"""A real `redis-server` for the tests of the Redis store, and `mockums serve` processes pointed at it.

A plain module, not a test module: the store's tests import it. Every process listens on a free loopback
port; every wait is bounded (a deadline, not a sleep that assumes how long something takes).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

DEADLINE = 20.0  # seconds a process has to start listening
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_listening(port: int, process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{what} exited with {process.returncode} before it listened")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.02)
    raise AssertionError(f"{what} did not listen on {port} within {DEADLINE} s")


class RedisServer:
    """A redis-server of the test's own on a free loopback port, with no persistence; `url(db)`."""

    def __init__(self, directory: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            if os.environ.get("CI"):
                raise AssertionError("redis-server is missing: .ci/run installs Debian's redis-server")
            pytest.skip("redis-server is not installed (apt-get install redis-server)")
        self.port = free_port()
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(directory), "--databases", "64"],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        _wait_listening(self.port, self.process, "redis-server")

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(DEADLINE)


class Mockums:
    """`mockums serve` as a process of its own on a free loopback port, with `args` (a store among them)."""

    def __init__(self, *args: str, wait: bool = True) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {key: value for key, value in os.environ.items() if not key.startswith("MOCKUMS_")}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mockums", "serve", "--port", str(self.port), "--no-watch", *args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
        if wait:
            self.wait()

    def wait(self) -> Mockums:
        """Return once it listens (AssertionError if it exits first or takes longer than DEADLINE)."""
        _wait_listening(self.port, self.process, "mockums serve")
        return self

    def stop(self, sig: int = signal.SIGTERM) -> str:
        """Stop it (SIGKILL: as if the machine failed); what it printed."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        output, _ = self.process.communicate(timeout=DEADLINE)
        return output.decode(errors="replace")


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    yield server
    server.stop()


def mockums_pair(url: str, *args: str) -> list[Mockums]:
    """Two `mockums serve` processes sharing the store at `url` (started side by side)."""
    return [process.wait() for process in [Mockums("--store", url, *args, wait=False) for _ in range(2)]]

"""`mockums serve` processes of their own for the store's tests, on free loopback ports, pointed at one Redis.

A plain module, not a test module: the store's tests import it. Every wait is bounded (a deadline, not a
sleep that assumes how long something takes).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

from real_redis import free_port

DEADLINE = 20.0  # seconds a process has to start listening


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


def mockums_pair(url: str, *args: str) -> list[Mockums]:
    """Two `mockums serve` processes sharing the store at `url` (started side by side)."""
    return [process.wait() for process in [Mockums("--store", url, *args, wait=False) for _ in range(2)]]

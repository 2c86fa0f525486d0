"""`mockums serve` run in-process, so coverage sees the command line and the runner.

`cli.main(["serve", ...])` runs in a thread of the test process, exactly as the console script runs it,
except that `cli.run` is wrapped to pass the runner's two test hooks: `ready(port)` says when it listens,
and its `stop` event ends it as SIGTERM would. Nothing waits on wall time: the test blocks on a queue
until the server listens or the command returns.

(Named `cli_harness`, not `conftest`: the tests' shared `conftest` module is imported by name.)
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import queue
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import logging_kept

from mockums import cli
from mockums.config import Settings
from mockums.scenarios import Scenario
from mockums.server import runner

STARTUP_TIMEOUT = 30.0  # seconds; a bound, not a wait: the queue answers as soon as the server listens
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def serve_settings(*argv: str, env: dict[str, str] | None = None) -> Settings:
    """The settings `mockums serve ARGV` runs with under the environment `env`."""
    return cli.settings_from_args(cli.parse(["serve", *argv], env or {}))


class Serving:
    """A `mockums serve` running in this process: its port, url and settings; `stop()` gives its exit status."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *args: str) -> None:
        self.events: queue.Queue[tuple[str, int]] = queue.Queue()
        self.port = 0
        self.exit_code: int | None = None
        self.settings: Settings | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        real_run = runner.run

        async def run_with_hooks(settings: Settings, scenarios: tuple[Scenario, ...], **options: Any) -> int:
            # serve's own `ready` tunes the garbage collector of its process: not this test process's
            options.pop("ready", None)
            self.settings = settings
            self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
            return await real_run(settings, scenarios, stop=self._stop,
                                  ready=lambda port: self.events.put(("ready", port)), **options)

        monkeypatch.setattr(cli, "run", run_with_hooks)
        self.argv = ["serve", *args]
        self._thread = threading.Thread(target=self._main, name="mockums-cli-serve", daemon=True)

    def _main(self) -> None:
        code = 3  # an exception escaped main: the test fails on it
        try:
            code = cli.main(self.argv)
        finally:
            self.events.put(("exit", code))

    def start(self) -> tuple[str, int]:
        """Run the command until it listens, ("ready", port), or returns first, ("exit", status)."""
        self._thread.start()
        event = self.events.get(timeout=STARTUP_TIMEOUT)
        if event[0] == "ready":
            self.port = event[1]
        else:
            self.exit_code = event[1]
            self._thread.join(STARTUP_TIMEOUT)
        return event

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def get(self, path: str, token: str | None = None) -> tuple[int, Any]:
        """GET a path of the running sandbox: (HTTP status, JSON answer)."""
        request = urllib.request.Request(self.url + path)
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with NO_PROXY.open(request, timeout=10) as answer:
                return answer.status, json.load(answer)
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def stop(self) -> int:
        """Set the stop event, as SIGTERM would; the command's exit status once it has cleaned up."""
        if self._loop is not None and self._stop is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(STARTUP_TIMEOUT)
        assert not self._thread.is_alive(), "mockums serve did not stop"
        if self.exit_code is None:
            kind, self.exit_code = self.events.get(timeout=STARTUP_TIMEOUT)
            assert kind == "exit"
        return self.exit_code


@contextlib.contextmanager
def serving(monkeypatch: pytest.MonkeyPatch, *args: str) -> Iterator[Serving]:
    """`with serving(monkeypatch, "--port", "0", ...) as server:` a listening sandbox, stopped at the end."""
    server = Serving(monkeypatch, *args)
    with logging_kept():
        try:
            kind, value = server.start()
            assert kind == "ready", f"mockums serve returned {value} instead of listening"
            yield server
        finally:
            code = server.stop()
    assert code == 0

"""A real sandbox in a background thread, for a test session (the `mockums_server` fixture runs one)."""

from __future__ import annotations

import asyncio
import threading
import time

from aiohttp import web

from mockums.config import Settings
from mockums.core.sandbox import load_scenarios
from mockums.scenarios import Scenario
from mockums.server.app import create_app
from mockums.testing.errors import MockumsError
from mockums.testing.handles import Mockums


def bundled_and_configured_scenarios(settings: Settings) -> tuple[Scenario, ...]:
    """The scenarios `mockums serve` would load for these settings; MockumsError listing every problem."""
    scenarios, errors = load_scenarios(settings)
    if errors:
        listed = "\n".join(f"  {error}" for error in errors)
        raise MockumsError(f"mockums: the scenario files do not validate:\n{listed}")
    return scenarios


class BackgroundServer:
    """The real app on 127.0.0.1 (a free port), served by its own event loop in a daemon thread.

    `scenarios` defaults to those `mockums serve` would load for `settings`. `start()` returns the base URL
    once `/__mockums/health` answers; `stop()` runs the app's cleanup (notifier, ticker, file watcher) and
    ends the thread. Both are bounded by `timeout` seconds. As a context manager, `with` gives the URL.
    """

    HOST = "127.0.0.1"

    def __init__(self, settings: Settings, scenarios: tuple[Scenario, ...] | None = None,
                 timeout: float = 10.0) -> None:
        self.settings = settings
        self.scenarios = bundled_and_configured_scenarios(settings) if scenarios is None else scenarios
        self.timeout = timeout
        self.url = ""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None

    async def _serve(self) -> int:
        app = create_app(self.settings, self.scenarios)
        # A short graceful shutdown: a test may leave a connection held open (the no_answer fault).
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.HOST, 0).start()
        return int(self._runner.addresses[0][1])

    def start(self) -> str:
        """Start serving; the base URL (`http://127.0.0.1:PORT`) once the sandbox answers."""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="mockums-server", daemon=True)
        self._thread.start()
        try:
            port = asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(self.timeout)
            self.url = f"http://{self.HOST}:{port}"
            self._wait_healthy()
        except BaseException:
            self.stop()
            raise
        return self.url

    def _wait_healthy(self) -> None:
        handle = Mockums(self.url, timeout=1.0)
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                handle.health()
                return
            except MockumsError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def stop(self) -> None:
        """Stop serving and end the thread; does nothing if not started (or already stopped)."""
        loop, thread, runner = self._loop, self._thread, self._runner
        self._loop = self._thread = self._runner = None
        if loop is None or thread is None:
            return
        try:
            if runner is not None and loop.is_running():
                asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(self.timeout)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(self.timeout)
            if not thread.is_alive():
                leftovers = asyncio.all_tasks(loop)
                for task in leftovers:
                    task.cancel()
                if leftovers:
                    loop.run_until_complete(asyncio.gather(*leftovers, return_exceptions=True))
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.run_until_complete(loop.shutdown_default_executor())
                loop.close()

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

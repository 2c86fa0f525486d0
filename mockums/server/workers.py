"""`mockums serve --workers N`: N processes answering on one port, one sandbox in a shared store.

The first process supervises: it checks that the store answers (before anything binds the port), makes the TLS
certificate if one is wanted, holds the port bound (not listening: `--port 0` picks one port for all, and a port
another server has is said once), then forks the workers. Each worker opens its own connections to the store and
listens on the port with SO_REUSEPORT, so the kernel spreads the connections among them. The supervisor prints the
banner once every worker listens, and stops them all on SIGINT or SIGTERM.

A worker that dies is not restarted: the supervisor says which one and how it ended, stops the others and exits 1,
so whatever started mockums (a container runtime, systemd, a CI job) sees the failure and restarts the whole
sandbox, rather than a crash hidden by a quiet restart. Nothing is lost with it: the state is in the store. A
supervisor killed (SIGKILL) cannot stop its workers: each looks once a second and stops when it has gone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import selectors
import signal
import socket
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from types import FrameType

from mockums.config import Settings
from mockums.core.store import shown_store
from mockums.logs import say
from mockums.scenarios import Scenario
from mockums.server.runner import STOP_WITHIN, Worker, banner, cannot_listen, opened_store, run
from mockums.server.tls import server_tls

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
KILL_AFTER = STOP_WITHIN + 1.0  # seconds a worker has to stop after SIGTERM before it is killed


def workers_problem(settings: Settings) -> str | None:
    """Why these settings cannot be served by several workers (None: they can)."""
    if settings.workers <= 1:
        return None
    if shown_store(settings.store) == "memory":
        return (f"--workers {settings.workers} needs a shared store: with the memory store each process would keep "
                "its own orders, tokens, scenarios and journal, and each request would land on whichever process the "
                "kernel picks; start Redis and pass --store redis://HOST:PORT/DB (or set MOCKUMS_STORE), "
                "or serve with one worker")
    if not hasattr(os, "fork") or not hasattr(socket, "SO_REUSEPORT"):
        return (f"--workers needs fork and SO_REUSEPORT (Linux, the BSDs), which {sys.platform} lacks; run "
                "one mockums per port against the same --store, behind a load balancer")
    return None


def _reserve(host: str, port: int) -> socket.socket:
    """A socket bound to the address with SO_REUSEPORT and not listening: it keeps the port (the one `--port 0`
    picked) for the workers without taking any connection itself."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    holder = socket.socket(family, socket.SOCK_STREAM)
    try:
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        holder.bind((host, port))
    except OSError:
        holder.close()
        raise
    return holder


def _ended(status: int) -> str:
    """How a process ended, in words, from its wait status."""
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        with contextlib.suppress(ValueError):
            return f"was killed by {signal.Signals(number).name}"
        return f"was killed by signal {number}"
    return f"exited with status {os.waitstatus_to_exitcode(status)}"


def serve_workers(settings: Settings, scenarios: tuple[Scenario, ...], *, sign_hint: str = "mockums sign",
                  before_fork: Callable[[], object] = lambda: None,
                  ready: Callable[[int], object] = lambda _port: None) -> int:
    """Serve with `settings.workers` processes until SIGINT or SIGTERM: 0 then; 1 when the store cannot be used,
    the port cannot be had, or a worker dies (saying which); 2 when the settings cannot have workers.
    `before_fork` runs just before the workers start (flush what is buffered for stderr); each worker calls
    `ready(port)` once it listens, as `run` does."""
    problem = workers_problem(settings)
    if problem is not None:
        say(f"mockums: {problem}", settings.log_format, "workers_refused", stream=sys.stderr, level=logging.ERROR)
        return 2
    store = opened_store(settings)  # reachable before anything binds; each worker opens its own connections
    if store is None:
        return 1
    store.close()
    tls = server_tls(settings)  # made once: every worker serves the same certificate
    try:
        holder = _reserve(settings.host, settings.port)
    except OSError as error:
        cannot_listen(settings, error)
        return 1
    port = holder.getsockname()[1]
    base = settings.replica or socket.gethostname()
    settings = replace(settings, port=port)
    ready_read, ready_write = os.pipe()
    before_fork()
    children: dict[int, int] = {}  # pid -> worker number
    supervisor = os.getpid()
    for index in range(1, settings.workers + 1):
        try:
            pid = os.fork()
        except OSError as error:  # no more processes: those started go too
            for started in children:
                os.kill(started, signal.SIGKILL)
                os.waitpid(started, 0)
            say(f"mockums: cannot start worker {index}: {error.strerror or error}", settings.log_format,
                "worker_failed", stream=sys.stderr, level=logging.ERROR)
            holder.close()
            os.close(ready_read)
            os.close(ready_write)
            return 1
        if pid == 0:  # the worker: serve, then leave without running the supervisor's exit handlers
            os.close(ready_read)
            holder.close()
            worker = Worker(index, tls, announces=index == 1, supervisor=supervisor)
            os._exit(_work(replace(settings, replica=f"{base}-{index}"), scenarios, worker, ready, ready_write))
        children[pid] = index
    os.close(ready_write)
    try:
        return _Supervisor(children, lambda: say(
            banner(settings, port, scenarios, sign_hint, tls) + f"\n  workers:   {settings.workers} processes on this "
            f"port, one sandbox in {shown_store(settings.store)} (replicas {base}-1 to {base}-{settings.workers})",
            settings.log_format, "listening", port=port, workers=settings.workers), settings.log_format).run(ready_read)
    finally:
        holder.close()
        os.close(ready_read)


def _work(settings: Settings, scenarios: tuple[Scenario, ...], worker: Worker, listening: Callable[[int], object],
          ready_write: int) -> int:
    """One worker's life, in the forked process: its exit status."""
    for number in (*STOP_SIGNALS, signal.SIGCHLD):
        signal.signal(number, signal.SIG_DFL)
    signal.set_wakeup_fd(-1)

    def ready(port: int) -> None:
        listening(port)
        os.write(ready_write, f"{worker.index}\n".encode())

    try:
        return asyncio.run(run(settings, scenarios, ready=ready, worker=worker))
    except BaseException:  # said here, in the worker; its supervisor reports the exit
        logging.getLogger("mockums").exception("worker %d failed", worker.index)
        return 1
    finally:
        with contextlib.suppress(Exception):
            logging.shutdown()


class _Supervisor:
    """Waits on the workers: announces once all listen; on SIGINT or SIGTERM stops them all (status 0); when one
    dies, says so and stops the others (status 1)."""

    def __init__(self, children: dict[int, int], announce: Callable[[], object], log_format: str) -> None:
        self.children = children  # pid -> worker number
        self.count = len(children)
        self.announce = announce
        self.log_format = log_format
        self.listening: set[int] = set()
        self.announced = False
        self.stopping_since: float | None = None
        self.status = 0

    def run(self, ready_read: int) -> int:
        signal_read, signal_write = os.pipe()
        for end in (signal_read, signal_write):
            os.set_blocking(end, False)
        previous_fd = signal.set_wakeup_fd(signal_write)
        previous = {number: signal.signal(number, _noted) for number in (*STOP_SIGNALS, signal.SIGCHLD)}
        selector = selectors.DefaultSelector()
        selector.register(signal_read, selectors.EVENT_READ)
        selector.register(ready_read, selectors.EVENT_READ)
        try:
            while self.children:
                for key, _ in selector.select(self._timeout()):
                    data = os.read(key.fd, 4096)
                    if key.fd == ready_read:
                        if not data:  # every worker has closed its end
                            selector.unregister(ready_read)
                        self._listening(int(word) for word in data.split())
                    elif any(number in STOP_SIGNALS for number in data):
                        self._stop_all()
                self._reap()
        finally:
            selector.close()
            signal.set_wakeup_fd(previous_fd)
            for number, handler in previous.items():
                signal.signal(number, handler)
            os.close(signal_read)
            os.close(signal_write)
        say("mockums stopped", self.log_format, "stopped")
        return self.status

    def _timeout(self) -> float | None:
        """None while serving; while stopping, until the workers left are killed (then briefly, until reaped)."""
        if self.stopping_since is None:
            return None
        left = self.stopping_since + KILL_AFTER - time.monotonic()
        if left <= 0:
            self._signal_all(signal.SIGKILL)
        return max(0.05, left)

    def _listening(self, indexes: Iterable[int]) -> None:
        self.listening.update(indexes)
        if len(self.listening) == self.count and not self.announced and self.stopping_since is None:
            self.announced = True
            self.announce()

    def _signal_all(self, number: int) -> None:
        for pid in self.children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, number)

    def _stop_all(self) -> None:
        if self.stopping_since is None:
            self.stopping_since = time.monotonic()
            self._signal_all(signal.SIGTERM)

    def _reap(self) -> None:
        """Collect the workers that have ended; one that ended while the others serve is said, and stops them."""
        while self.children:
            try:
                pid, wait_status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                self.children.clear()
                return
            if pid == 0:
                return
            index = self.children.pop(pid)
            if self.stopping_since is None:
                when = "" if index in self.listening else " before it listened"
                say(f"mockums: worker {index} (pid {pid}) {_ended(wait_status)}{when}; stopping the others",
                    self.log_format, "worker_died", stream=sys.stderr, level=logging.ERROR, worker=index, pid=pid)
                self.status = 1
                self._stop_all()


def _noted(_number: int, _frame: FrameType | None) -> None:
    """A signal's handler that does nothing: the wakeup fd carries its number to the supervisor's loop."""

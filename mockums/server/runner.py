"""Running the app on a socket, and the start-up banner."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import shlex
import signal
import socket
import ssl
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace

from aiohttp import web

from mockums.config import DEMO_APP, Settings
from mockums.core.sandbox import Sandbox
from mockums.core.store import Store, replica_name, shown_store
from mockums.core.store_url import open_store
from mockums.errors import StoreUnavailable
from mockums.logs import request_line_writer, say
from mockums.scenarios import Scenario
from mockums.server.app import create_app
from mockums.server.background import WATCH_LOGGER
from mockums.server.control import CONTROL_PREFIX
from mockums.server.tls import Tls, server_tls

log = logging.getLogger("mockums")
# Seconds a request still in progress gets to finish after SIGTERM before it is cancelled (a held-open
# `no_answer` connection or a long scripted delay would otherwise hold the exit for a minute).
SHUTDOWN_GRACE = 1.0
STOP_WITHIN = 3.5  # seconds the whole shutdown may take (well inside the 10 s `docker stop` allows)


@dataclass(frozen=True)
class Worker:
    """How one process of `mockums serve --workers N` serves (mockums.server.workers starts them): its number
    (1 to N), the TLS its supervisor set up for all, and whether it speaks for the others' file reloads (the
    first does; the others reload quietly)."""

    index: int
    tls: Tls | None
    announces: bool
    supervisor: int = 0  # its supervisor's pid: a worker whose supervisor is gone (killed) stops too


ORPHAN_CHECK = 1.0  # seconds between a worker's looks at whether its supervisor is still there


async def _stop_when_orphaned(supervisor: int, stop: asyncio.Event) -> None:
    """Set `stop` once the process's parent is no longer `supervisor` (it died, and the worker was adopted)."""
    while os.getppid() == supervisor:
        await asyncio.sleep(ORPHAN_CHECK)
    log.warning("the supervisor (pid %d) is gone: this worker stops", supervisor)
    stop.set()


def store_problem(settings: Settings, why: str) -> str:
    """The one line that says the store cannot be used: which (password hidden) and why."""
    shown = shown_store(settings.store)
    why = why.replace(settings.store or shown, shown)  # its password hidden where the reason quotes the URL
    return f"mockums: cannot use the store: {why}" if shown in why else f"mockums: cannot use the store {shown}: {why}"


def opened_store(settings: Settings) -> Store | None:
    """The store the settings name, open; None when it cannot be used, after saying why on stderr (Redis not
    answering, or redis-py not installed)."""
    try:
        return open_store(settings)
    except StoreUnavailable as error:
        why = error.message
    except ImportError as error:  # mockums.state.redis, or redis-py under it
        why = f"{error} (a Redis store needs the redis extra: pip install 'mockums[redis]')"
    say(store_problem(settings, why), settings.log_format, "store_unavailable", stream=sys.stderr, level=logging.ERROR,
        store=shown_store(settings.store))
    return None


def base_url(host: str, port: int, scheme: str = "http") -> str:
    """`http://HOST:PORT` (or https), with an IPv6 address in brackets."""
    shown = f"[{host}]" if ":" in host else host
    return f"{scheme}://{shown}:{port}"


def banner(settings: Settings, port: int, scenarios: tuple[Scenario, ...], sign_hint: str = "mockums sign",
           tls: Tls | None = None) -> str:
    """What `mockums serve` prints once listening: where, the credentials it accepts, what to try first
    (`sign_hint`: how to run `mockums sign` from the shell that started it), and with `tls` what to trust."""
    url = base_url("127.0.0.1" if settings.host in ("0.0.0.0", "") else settings.host, port,
                   "https" if tls else "http")
    lines = [f"mockums listening on {url}", f"  health:    {url}{CONTROL_PREFIX}/health"]
    if settings.control:
        lines.append(f"  dashboard: {url}{CONTROL_PREFIX}/")
    if tls is not None and tls.ca_file is not None:
        lines.append(f"  tls:       clients must trust the CA certificate {tls.ca_file}")
        lines.append(f"             (made now, for {', '.join(tls.names)})")
        sign_hint += f" --cacert {shlex.quote(str(tls.ca_file))}"
    elif tls is not None:
        lines.append(f"  tls:       certificate {tls.certificate}")
    for app in settings.apps:
        if app == DEMO_APP:
            lines.append(f"  demo app:  appId={app.app_id}  appKey={app.app_key}")
            lines.append(f"             notifyKey={app.notify_key} (signs payment notifications)")
        else:
            lines.append(f"  app:       appId={app.app_id}{f'  ({app.name})' if app.name else ''}")
            if app.random_notify_key:
                key = f"notifyKey={app.notify_key}"
                lines.append(f"             {key} (random for this run: set notifyKey to keep one)")
    # Outcome scenarios first: they are what a first curl call can try.
    magic = [s.magic_id for s in sorted(scenarios, key=lambda s: s.lifecycle is not None) if s.magic_id]
    examples = f" (magic ids such as {', '.join(magic[:3])})" if magic else ""
    lines.append(f"  scenarios: {len(scenarios)} loaded{examples}")
    if settings.seed is not None:
        lines.append(f"  seed:      {settings.seed}")
    lines.append(f"  try:       {sign_hint} --url {url}/v1/netpay/wx/app-pre-close")
    return "\n".join(lines)


async def run(settings: Settings, scenarios: tuple[Scenario, ...], *, stop: asyncio.Event | None = None,
              ready: Callable[[int], object] | None = None, sign_hint: str = "mockums sign",
              worker: Worker | None = None) -> int:
    """Serve until SIGINT or SIGTERM: 0 then, or 1 at once if the store cannot be used or the address cannot
    be listened on (the store is opened first: nothing listens on a sandbox that cannot keep its state).

    For tests and embedding, which run this in-process: `stop`, when set, ends serving as a signal does;
    `ready(port)` is called once the socket listens and the banner is printed, with the port bound (the
    one `--port 0` picked). `sign_hint` is the banner's `mockums sign` command (see `banner`). A `worker` of
    `serve --workers` shares its port (SO_REUSEPORT) and prints no banner: its supervisor does, once.
    """
    settings = replace(settings, replica=replica_name(settings))  # the name this process's entries carry
    # Before anything listens: a certificate problem stops the start (ConfigError).
    tls = worker.tls if worker is not None else server_tls(settings)
    store = opened_store(settings)
    if store is None:
        return 1
    try:
        sandbox = Sandbox(settings, scenarios, store=store)
    except StoreUnavailable as error:
        store.close()
        say(store_problem(settings, error.message), settings.log_format, "store_unavailable", stream=sys.stderr,
            level=logging.ERROR, store=shown_store(settings.store))
        return 1
    if worker is not None and not worker.announces:  # one process speaks for the reloads every worker makes
        logging.getLogger(WATCH_LOGGER).setLevel(logging.CRITICAL)
    app = create_app(settings, sandbox=sandbox)
    # Asked once: whether each request's line can skip logging's records (only with serve's own handler).
    sandbox.write_request_lines(request_line_writer(logging.getLogger("mockums.http")))
    runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=SHUTDOWN_GRACE)
    await runner.setup()
    try:
        site = _site(runner, settings.host, settings.port, tls.context if tls else None, settings.idle_timeout,
                     reuse_port=worker is not None)
        await site.start()
    except OSError as error:
        await runner.cleanup()
        store.close()
        cannot_listen(settings, error)
        return 1
    # aiohttp has no public accessor for the bound port; needed when --port 0 picks one.
    sockets = getattr(site._server, "sockets", None) or ()
    port = sockets[0].getsockname()[1] if sockets else settings.port
    if worker is None:
        say(banner(settings, port, scenarios, sign_hint, tls), settings.log_format, "listening", port=port)
    if stop is None:
        stop = asyncio.Event()
    install_signal_handlers(stop)
    watch = asyncio.create_task(_stop_when_orphaned(worker.supervisor, stop)) if worker and worker.supervisor else None
    try:
        if ready is not None:
            ready(port)
        await stop.wait()
    finally:
        if watch is not None:
            watch.cancel()
        await _shut_down(runner)
        store.close()
    if worker is None:
        say("mockums stopped", settings.log_format, "stopped")
    return 0


def cannot_listen(settings: Settings, error: OSError) -> None:
    """Say on stderr that the address cannot be listened on, and why."""
    hint = " (another server has it: pass --port N, or --port 0 for any free one)" if (
        error.errno == errno.EADDRINUSE) else ""
    say(f"mockums: cannot listen on {settings.host}:{settings.port}: {error.strerror or error}{hint}",
        settings.log_format, "cannot_listen", stream=sys.stderr, level=logging.ERROR)


async def _shut_down(runner: web.AppRunner) -> None:
    """Stop listening, give requests in flight SHUTDOWN_GRACE seconds, then cut the rest (held
    `no_answer` requests, scripted delays) and abandon pending notifications: done within STOP_WITHIN."""
    try:
        await asyncio.wait_for(runner.cleanup(), STOP_WITHIN)
    except asyncio.TimeoutError:
        log.warning("stopping: cleanup took more than %g s; leaving the rest to the exit", STOP_WITHIN)


def _site(runner: web.AppRunner, host: str, port: int, ssl_context: ssl.SSLContext | None,
          handshake_timeout: float = 60.0, *, reuse_port: bool = False) -> web.BaseSite:
    """Where to listen. `::` means both IPv6 and IPv4 where the system allows it (asyncio's own sockets
    are IPv6-only), so a container bound to `::` also answers 127.0.0.1 — as `::ffff:127.0.0.1`. With TLS,
    a connection that has not completed its handshake within `handshake_timeout` seconds is closed.
    `reuse_port`: other processes listen on the same port too (SO_REUSEPORT: `serve --workers`)."""
    if host == "::" and socket.has_dualstack_ipv6():
        dual = socket.create_server((host, port), family=socket.AF_INET6, dualstack_ipv6=True, reuse_port=reuse_port)
        if ssl_context is not None:
            return _TlsSockSite(runner, dual, ssl_context=ssl_context, handshake_timeout=handshake_timeout)
        return web.SockSite(runner, dual, ssl_context=ssl_context)
    if ssl_context is not None:
        return _TlsTCPSite(runner, host, port, reuse_address=True, reuse_port=reuse_port, ssl_context=ssl_context,
                           handshake_timeout=handshake_timeout)
    return web.TCPSite(runner, host, port, reuse_address=True, reuse_port=reuse_port, ssl_context=ssl_context)


# aiohttp's sites take no TLS handshake timeout, and asyncio's default is 60 s: a client that connects and never
# says hello would hold its connection four times as long as `idle_timeout` lets an HTTP client do. These two
# sites start as aiohttp's do (aiohttp 3.14: `BaseSite.start`, then `loop.create_server`), passing one.


class _TlsTCPSite(web.TCPSite):
    def __init__(self, *args: object, handshake_timeout: float, **options: object) -> None:
        super().__init__(*args, **options)  # type: ignore[arg-type]
        self.handshake_timeout = handshake_timeout

    async def start(self) -> None:
        await web.BaseSite.start(self)
        assert self._runner.server is not None
        self._server = await asyncio.get_running_loop().create_server(
            self._runner.server, self._host, self._port, ssl=self._ssl_context, backlog=self._backlog,
            reuse_address=self._reuse_address, reuse_port=self._reuse_port,
            ssl_handshake_timeout=self.handshake_timeout)
        sockets = self._server.sockets
        self._bound_port = sockets[0].getsockname()[1] if sockets else self._port


class _TlsSockSite(web.SockSite):
    def __init__(self, *args: object, handshake_timeout: float, **options: object) -> None:
        super().__init__(*args, **options)  # type: ignore[arg-type]
        self.handshake_timeout = handshake_timeout

    async def start(self) -> None:
        await web.BaseSite.start(self)
        assert self._runner.server is not None
        self._server = await asyncio.get_running_loop().create_server(
            self._runner.server, sock=self._sock, ssl=self._ssl_context, backlog=self._backlog,
            ssl_handshake_timeout=self.handshake_timeout)


def install_signal_handlers(stop: asyncio.Event) -> None:
    """SIGINT and SIGTERM set `stop` (where the loop can take signals: not on Windows, nor off the main thread)."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):  # off the main thread
            loop.add_signal_handler(sig, stop.set)

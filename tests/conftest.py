"""Shared fixtures: a real mockums app on a real socket (pytest-aiohttp), and a signing client."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import json
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

import aiohttp.web_app
import chinaums_client
import pytest
import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer
from clock_waits import Sleepers
from real_redis import RedisServer, start_redis

from mockums.config import DEMO_APP, App, Settings
from mockums.core.sandbox import Sandbox, ScenarioFilesError, load_scenarios
from mockums.core.scenario_files import allowed_names, scenario_sources
from mockums.server.app import create_app

CLOSE = "/v1/netpay/wx/app-pre-close"

# Hypothesis loads the plugins installed packages declare (entry point group "hypothesis") when it is imported: here
# only trio's (trio comes with selenium), which imports trio, for tests of trio code. This suite has none, and
# the import took 0.5 s of CPU in each process that imports Hypothesis: every xdist worker (at collection) and
# schemathesis' `st` (children inherit the variable). Set before any test module imports Hypothesis.
os.environ.setdefault("HYPOTHESIS_NO_PLUGINS", "1")

# Every bundled scenario's story, as its description tells it, has a test over HTTP with no YAML, marked
# `@story(name)`: tests/http/test_bundled_scenarios.py reads the marks from the test modules' source and
# checks that they name each bundled scenario.
_Test = TypeVar("_Test", bound=Callable[..., Awaitable[None]])


def story(name: str) -> Callable[[_Test], _Test]:
    """Mark a test as the one that tells bundled scenario `name`'s story (the test itself is unchanged)."""
    def mark(test: _Test) -> _Test:
        return test
    return mark
SECOND_APP = App("mockums0second0app000000000000002", "second-app-key-for-tests-only", "second")


@dataclass
class Answer:
    status: int
    headers: Any
    text: str

    @property
    def json(self) -> dict[str, Any]:
        data = json.loads(self.text)
        assert isinstance(data, dict)
        return data


class Caller:
    """Sends requests the way an integrator's code does: JSON body, OPEN-BODY-SIG header."""

    def __init__(self, client: TestClient[Any, Any], sandbox: Sandbox) -> None:
        self.client = client
        self.sandbox = sandbox

    async def raw(self, path: str, body: bytes, authorization: str | None,
                  headers: dict[str, str] | None = None) -> Answer:
        sent = {"Content-Type": "application/json", **(headers or {})}
        if authorization is not None:
            sent["Authorization"] = authorization
        async with self.client.post(path, data=body, headers=sent) as response:
            return Answer(response.status, response.headers, await response.text())

    async def signed(self, path: str, body: bytes, app: App = DEMO_APP, **sig: Any) -> Answer:
        header = chinaums_client.open_body_sig(app.app_id, app.app_key, body, **sig)
        return await self.raw(path, body, header)

    async def call(self, path: str, mer_order_id: str | None, app: App = DEMO_APP, **fields: object) -> Answer:
        """Any netpay endpoint, with the common fields filled in the way an integrator's code does."""
        body = chinaums_client.go_json(chinaums_client.close_request(mer_order_id, **fields))  # type: ignore[arg-type]
        return await self.signed(path, body, app)

    async def form(self, path: str, content: dict[str, object] | str, app: App = DEMO_APP,
                   headers: dict[str, str] | None = None, **options: Any) -> Answer:
        """A GET with OPEN-FORM-PARAM, sent byte for byte as built (no redirect followed)."""
        text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
        query = chinaums_client.open_form_param(app.app_id, app.app_key, text, **options)
        return await self.get(f"{path}?{query}", headers)

    async def get(self, url: str, headers: dict[str, str] | None = None) -> Answer:
        """GET a path (with its query exactly as given), not following redirects."""
        from yarl import URL

        target = URL(url, encoded=True)
        if target.is_absolute():  # a Location: only its path and query go to the test server
            target = URL.build(path=target.raw_path, query_string=target.raw_query_string, encoded=True)
        async with self.client.get(target, headers=headers or {}, allow_redirects=False) as response:
            return Answer(response.status, response.headers, await response.text())

    async def post_form(self, url: str, fields: dict[str, str]) -> Answer:
        """POST a browser form to a page (its query kept exactly), not following redirects."""
        from yarl import URL

        target = URL(url, encoded=True)
        if target.is_absolute():
            target = URL.build(path=target.raw_path, query_string=target.raw_query_string, encoded=True)
        async with self.client.post(target, data=fields, allow_redirects=False) as response:
            return Answer(response.status, response.headers, await response.text())

    @functools.cached_property
    def sleepers(self) -> Sleepers:
        """What waits on this sandbox's clock (tests/clock_waits.py): first asked for before the waits begin.
        A sandbox whose store keeps notification attempts as timers (`store.delivery_timers`) has those
        watched too; one whose notifier sleeps on the clock per delivery has them among the sleeping tasks."""
        timers = getattr(getattr(self.sandbox, "store", None), "delivery_timers", None)
        return Sleepers(self.sandbox.clock, timers)

    async def held(self, path: str, mer_order_id: str, **fields: object) -> tuple[asyncio.Task[Answer], float]:
        """Send a call and return once the sandbox holds it on its clock (a scripted delay, the no_answer
        fault): the task that gets its answer, not done, and the sandbox seconds the hold has left."""
        sleepers = self.sleepers
        before = set(sleepers.deadlines)
        pending = asyncio.create_task(self.call(path, mer_order_id, **fields))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10
        while not (held := [at for task, at in sleepers.deadlines.items() if task not in before]):
            assert not pending.done(), f"answered instead of held: {pending.result()}"
            assert loop.time() < deadline, f"{path} for {mer_order_id}: not held on the sandbox clock within 10 s"
            await asyncio.sleep(0.005)
        [at] = held
        assert not pending.done()
        return pending, at - self.sandbox.clock.now()

    async def journaled(self, mer_order_id: str, timeout: float = 5.0) -> list[dict[str, Any]]:
        """The journal entries of an order, once there is one (the request has been decided)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not (entries := self.sandbox.journal(mer_order_id)) and loop.time() < deadline:
            await asyncio.sleep(0.01)
        assert entries, f"no request for {mer_order_id} reached the journal within {timeout} s"
        return entries

    async def attempted(self, mer_order_id: str, count: int, timeout: float = 5.0) -> None:
        """Until the order's notification has `count` attempts on record (each one's answer read), so a
        clock move made next is measured from the last attempt, not raced by it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            deliveries = self.sandbox.notifications(mer_order_id=mer_order_id)
            if sum(len(d["attempts"]) for d in deliveries) >= count:
                return
            await asyncio.sleep(0.01)
        raise AssertionError(f"{mer_order_id}: fewer than {count} notification attempts within {timeout} s")

    async def wait_idle(self, timeout: float = 5.0) -> None:
        """Until no notification delivery is pending (they run in the background)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while any(d["state"] == "pending" for d in self.sandbox.notifications()) and loop.time() < deadline:
            await asyncio.sleep(0.01)

    async def close(self, mer_order_id: str, app: App = DEMO_APP, **fields: object) -> Answer:
        body = chinaums_client.go_json(chinaums_client.close_request(mer_order_id, **fields))
        return await self.signed(CLOSE, body, app)


MakeCaller = Callable[..., Awaitable[Caller]]


_LEAN_SWITCHES = ("_srcfile", "logThreads", "logProcesses", "logMultiprocessing")


@contextlib.contextmanager
def logging_kept() -> Iterator[None]:
    """The root logger's handlers and level, and logging's record switches, as they were before: `serve`
    configures logging for its process, which here is the test's."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    switches = {name: getattr(logging, name) for name in _LEAN_SWITCHES}
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for name, value in switches.items():
            setattr(logging, name, value)


@pytest.fixture(autouse=True)
def _logging_restored() -> Iterator[None]:
    """Whatever a test sets up in logging (`serve` configures it, in-process) does not outlive the test."""
    with logging_kept():
        yield


# aiohttp caches the middleware chain of each route it has served in a module-level lru_cache of 1024 entries
# keyed by the handler and its apps: every app a test served stayed alive, with its sandbox and routes, until
# about a thousand later entries pushed it out. In a whole run that kept some 600 apps (640 000 objects) alive
# in each worker, for every full garbage collection to walk and for the worker's exit to free (seconds).
_MIDDLEWARE_CACHE = getattr(aiohttp.web_app, "_cached_build_middleware", None)


@pytest.fixture(autouse=True)
def _served_apps_released() -> Iterator[None]:
    """The apps a test served are not kept alive by aiohttp's middleware cache after it."""
    yield
    if _MIDDLEWARE_CACHE is not None:
        _MIDDLEWARE_CACHE.cache_clear()


@pytest.fixture
def settings() -> Settings:
    # Notifications retried every 50 ms and timed plans checked every 50 ms keep stories fast.
    return Settings(apps=(DEMO_APP, SECOND_APP), seed=7, notify_schedule=(0, 0.05, 0.05, 0.05), tick_interval=0.05,
                    store=_test_store())


_TEST_REDIS: list[Any] = []  # the redis-server of this worker, when the suite runs against Redis


def _test_store() -> str | None:
    """The store the suite's sandboxes keep their state in: in memory (None) unless MOCKUMS_TEST_STORE=redis
    (`nox -s redis`), which runs them on a redis-server of this worker's own, started on a free loopback port when
    first needed and stopped when the worker ends."""
    if os.environ.get("MOCKUMS_TEST_STORE") != "redis":
        return None
    if not _TEST_REDIS:
        import atexit

        server = start_redis()
        atexit.register(server.stop)
        _TEST_REDIS.append(server)
    return str(_TEST_REDIS[0].database(1))


_BUNDLED: dict[str, Any] = {}


def scenarios_for(settings: Settings) -> Any:
    """`load_scenarios(settings)`, read once per worker for each settings that name no scenario files of their
    own: the bundled files do not change during a run, and what loading makes is immutable (frozen
    dataclasses, tuples, read-only mappings). Reading and checking them took ~30 ms, ~80 ms under coverage,
    for each of the ~600 sandboxes the tests make; tests/scenarios/ tests the loading itself. Loads are told
    apart by what `load_scenarios` reads (the folders, and the names the files may use), so that settings which
    differ only in something else (a seed, a timeout) share one."""
    if settings.scenario_paths:
        return load_scenarios(settings)
    key = repr((scenario_sources(settings), allowed_names(settings)))  # a dataclass holding a mapping: unhashable
    if key not in _BUNDLED:
        _BUNDLED[key] = load_scenarios(settings)
    return _BUNDLED[key]


def emptied(settings: Settings) -> Settings:
    """`settings`, their Redis store (when the suite runs against one) emptied: each new sandbox starts fresh."""
    if settings.store:
        import redis

        with redis.Redis.from_url(settings.store) as client:
            client.flushdb()
    return settings


def sandbox_for(settings: Settings) -> Sandbox:
    """`Sandbox(settings)`, its scenarios read once per worker (`scenarios_for`): for the tests of the facade that
    are not about loading (ScenarioFilesError when the files do not validate, as there)."""
    scenarios, errors = scenarios_for(settings)
    if errors:
        raise ScenarioFilesError(errors)
    return Sandbox(emptied(settings), scenarios)


@pytest.fixture
def make_caller(aiohttp_client: Any, settings: Settings) -> MakeCaller:
    async def make(**changes: Any) -> Caller:
        configured = emptied(replace(settings, **changes))
        scenarios, errors = scenarios_for(configured)
        assert not errors, [str(e) for e in errors]
        sandbox = Sandbox(configured, scenarios)
        client = await aiohttp_client(create_app(configured, sandbox=sandbox))
        return Caller(client, sandbox)

    return make


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def _module_servers() -> AsyncIterator[dict[str, Caller]]:
    """The servers `caller` shares among the tests of a module, one for each settings asked for: closed when the
    module's tests are done."""
    servers: dict[str, Caller] = {}
    yield servers
    for shared in servers.values():
        await shared.client.close()


@pytest.fixture
async def caller(settings: Settings, _module_servers: dict[str, Caller]) -> Caller:
    """A mockums on a real socket, shared by the tests of a module that use it with the same settings, and reset
    between them through its control API, as a suite sharing one sandbox resets it: orders and refunds,
    sequences, the journal, notifications, runtime scenarios, the clock and tokens, and the seed set back to the
    settings' (what /reset leaves alone). A server of its own for each test made and closed ~650 apps and
    sandboxes (a fifth of the in-process tests' time, Faker's set-up and the routes mostly). `make_caller` still
    gives a test a server of its own, with changed settings or to stop it."""
    key = repr(settings)
    shared = _module_servers.get(key)
    if shared is None:
        scenarios, errors = scenarios_for(emptied(settings))
        assert not errors, [str(e) for e in errors]
        sandbox = Sandbox(settings, scenarios)
        client: TestClient[Any, Any] = TestClient(TestServer(create_app(settings, sandbox=sandbox)))
        await client.start_server()
        shared = _module_servers[key] = Caller(client, sandbox)
    else:
        async with shared.client.post("/__mockums/reset") as response:
            assert response.status == 200, await response.text()
        # Sent only when a test changed the seed (few do): the seed in force is read from the sandbox, which this
        # process holds (sent every time, it was half the requests of the reset before each of ~900 tests).
        if settings.seed is not None and shared.sandbox.seed()["seed"] != settings.seed:
            async with shared.client.post("/__mockums/seed", json={"seed": settings.seed}) as response:
                assert response.status == 200, await response.text()
    return Caller(shared.client, shared.sandbox)  # its own `sleepers`, made when the test first asks


# -- a real Redis ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def real_redis() -> Iterator[RedisServer]:
    """A real redis-server on a free loopback port, one per pytest process (each xdist worker has its own), nothing
    saved to disk; skipped where none is installed, failed under CI (tests/real_redis.py)."""
    server = start_redis()
    yield server
    server.stop()


@pytest.fixture
def redis_url(real_redis: RedisServer) -> str:
    """The URL of that Redis's database 0, emptied for this test (`real_redis.url` keeps what is there)."""
    real_redis.flush()
    return real_redis.url


# -- an independent notification receiver -------------------------------------------------------


@dataclass
class Received:
    form: dict[str, str]
    content_type: str
    at: float


class Receiver:
    """A merchant's notifyUrl on 127.0.0.1: records each notification and answers from a script."""

    def __init__(self, answers: list[tuple[int, str]] | None = None) -> None:
        self.answers = list(answers or [])
        self.received: list[Received] = []
        self.url = ""
        self.gate: asyncio.Event | None = None  # when set up: each answer waits until the test opens it

    async def handle(self, request: Any) -> Any:
        import time

        from aiohttp import web

        form = await request.post()
        self.received.append(Received({k: str(v) for k, v in form.items()}, request.content_type, time.monotonic()))
        if self.gate is not None:
            await self.gate.wait()
        status, text = self.answers.pop(0) if self.answers else (200, "SUCCESS")
        return web.Response(status=status, text=text)

    async def wait_for(self, count: int, timeout: float = 5.0) -> list[Received]:

        deadline = asyncio.get_running_loop().time() + timeout
        while len(self.received) < count and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.02)
        return self.received


def notification_signature_valid(form: dict[str, str], key: str, default: str = "SHA256") -> bool:
    """§7 key-append signature, re-implemented here independently of mockums. `default` is the digest when
    the form carries no signType: SHA256 for netpay notifications, MD5 for QR-code bills (§8.5)."""
    import hashlib

    pairs = sorted((k, v) for k, v in form.items() if k != "sign" and v != "")
    text = "&".join(f"{k}={v}" for k, v in pairs) + key
    algorithm = hashlib.md5 if form.get("signType", default).upper() == "MD5" else hashlib.sha256
    return algorithm(text.encode()).hexdigest().upper() == form.get("sign")


@pytest.fixture
async def receiver(aiohttp_server: Any) -> Receiver:
    from aiohttp import web

    merchant = Receiver()
    app = web.Application()
    app.router.add_post("/notify", merchant.handle)
    server = await aiohttp_server(app, host="127.0.0.1")
    merchant.url = f"http://127.0.0.1:{server.port}/notify"
    return merchant


# -- the build backend of the wheel builds, installed once for the run ----------------------------------------------


def _installed_closure(requires: list[str]) -> list[Any] | None:
    """The distributions of this suite's environment that satisfy `requires` and what they require in turn (markers
    evaluated here), or None when one is missing or of a version the requirement does not allow."""
    from importlib.metadata import PackageNotFoundError, distribution

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    found: dict[str, Any] = {}
    pending = [(Requirement(text), "") for text in requires]
    while pending:
        requirement, extra = pending.pop()
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": extra}):
            continue
        try:
            dist = distribution(requirement.name)
        except PackageNotFoundError:
            return None
        if not requirement.specifier.contains(dist.version, prereleases=True):
            return None
        key = canonicalize_name(requirement.name)
        if key in found and not requirement.extras:
            continue
        found[key] = dist
        for wanted in ["", *sorted(requirement.extras)]:
            pending += [(Requirement(text), wanted) for text in dist.requires or []]
    return list(found.values())


def _linked(dists: list[Any], folder: Path) -> None:
    """`folder` made to hold each distribution's top-level files and folders (its packages and its dist-info), as
    links to where this environment installed them: what `pip install --target` would put there."""
    folder.mkdir()
    for dist in dists:
        tops = {Path(str(entry)).parts[0] for entry in dist.files or () if not str(entry).startswith("..")}
        for top in sorted(tops):
            source = Path(str(dist.locate_file(top)))
            if source.exists() and not (folder / top).exists() and top != "__pycache__":
                (folder / top).symlink_to(source, target_is_directory=source.is_dir())


@pytest.fixture(scope="session")
def build_backend(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A folder holding what pyproject.toml's build-system.requires names (and what they need), nothing else: what
    pip's build isolation installs into a fresh prefix for each build, made once for the run. The first worker to ask
    makes it; the others wait on its lock and share it. The tests that build the wheel
    (tests/repo/test_dockerfile.py, tests/repo/test_howto_commands.py) run pip with `--no-build-isolation` in an
    empty venv with this folder on PYTHONPATH: the backend sees the standard library and these requirements, as
    in isolation. Each build installing them again took 3 to 4 s of CPU and pip's trips to the index.

    The test extra installs the backend into this suite's environment, so the folder links to those installed
    distributions (the requirements' closure, versions checked against build-system.requires): installing them
    from the index once for the run took 3 to 4 s of CPU more, and under the whole suite's load 10 to 14 s on its
    worker. Where they are missing or of another version, pip installs them into the folder, as before."""
    import fcntl
    import subprocess
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # Python 3.10: pytest's own dependency
        import tomli as tomllib

    base = tmp_path_factory.getbasetemp()
    run_root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # the workers' common folder
    folder = run_root / "build-backend"
    pyproject = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    requires = pyproject["build-system"]["requires"]
    with (run_root / "build-backend.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not (folder / "installed").is_file():
            installed = _installed_closure(requires)
            if installed is not None:
                _linked(installed, folder)
            else:
                result = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check",
                                         "--target", str(folder), *requires],
                                        capture_output=True, text=True, timeout=300, check=False)
                assert result.returncode == 0, f"installing {requires} failed:\n{result.stdout}\n{result.stderr}"
            (folder / "installed").write_text("\n".join(requires) + "\n", encoding="utf-8")
    return str(folder)


@pytest.fixture(scope="session")
def suite_pip(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A folder holding this suite's pip and nothing else (a link to it). On PYTHONPATH, a venv made without a pip of
    its own runs this pip in its own interpreter (`venv/bin/python -m pip ...`): what `pip --python venv/bin/python`
    does, without the first pip process that `--python` starts only to start the second one in the venv (0.6 s of
    CPU for each of the wheel builds' three pip runs). No dist-info goes with it, so the venv's pip does not count
    itself as installed there."""
    import shutil

    import pip

    folder = tmp_path_factory.mktemp("suite-pip")
    source = Path(pip.__file__).resolve().parent
    try:
        (folder / "pip").symlink_to(source, target_is_directory=True)
    except OSError:  # no symbolic links here: a copy does the same
        shutil.copytree(source, folder / "pip")
    return str(folder)


# -- how many workers, and the order they take the test files in ----------------------------------------------


@pytest.hookimpl(wrapper=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> Generator[None, int, int]:
    """`-n auto` (pyproject.toml's addopts) starts one worker more than xdist's count of the machine's cores, unless
    PYTEST_XDIST_AUTO_NUM_WORKERS names the number. A worker spends a quarter of its time waiting rather than
    computing (the dashboard's browser tests on the page's one-second polls, the command-line tests on servers
    starting and stopping): on the 2-core machine a third worker fills those waits. Three workers against two,
    back to back: the suite 7 s (12 %) faster in the median of 11 pairs, slower in one."""
    count: int = yield
    return count if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS") else count + 1


# The slowest test files, slowest first (seconds each took on its worker in two runs of the whole suite without
# coverage, as the README's command runs it, on the 2-core machine: 31-39, 15-30, 16-18, 13-20, 11, 6-11, 6-7, 6-7,
# 4-5, then 4 to 2). The workers take whole files (`--dist loadfile`), these first and the others in collection order,
# so that no long file is left to run alone at the end while the other workers idle: the store's files, which start
# processes of their own, last in collection order, left a worker 7 s behind the others. test_quality is early for CI,
# where mypy has no cache (7 s; 0.5 s with one). A file missing here or measured differently only runs at another
# moment: nothing else depends on this.
SLOW_FILES = (
    "tests/dashboard/test_dashboard_browser.py",
    "tests/http/test_control_openapi.py",
    "tests/repo/test_dockerfile.py",
    "tests/repo/test_howto_commands.py",
    "tests/repo/test_readme_commands.py",
    "tests/hostile/test_gateway_properties.py",
    "tests/store/test_restart_and_deliveries.py",
    "tests/cli/test_cli_workers.py",
    "tests/repo/test_quality.py",
    "tests/store/test_two_processes.py",
    "tests/repo/test_docs_site.py",
    "tests/protocol/test_request_reading.py",
    "tests/cli/test_console_script.py",
    "tests/http/test_deep_nesting.py",
    "tests/repo/test_architecture.py",
    "tests/plugin/test_plugin_fixtures.py",
    "tests/repo/test_tutorial.py",
    "tests/ledger/test_order_memory.py",
    "tests/cli/test_cli_tls.py",
    "tests/store/test_outage.py",
    "tests/scenarios/test_matching.py",
    "tests/http/test_hot_reload.py",
    "tests/cli/test_cli_hardening.py",
    "tests/scenarios/test_loader.py",
    "tests/hostile/test_browser_properties.py",
)


def pytest_collection_finish(session: pytest.Session) -> None:
    """What collection leaves alive (the test modules, what they import, the items) lives until the run ends: moved
    out of the garbage collector's sight (gc.freeze, after a collection so that no garbage is kept), so that its full
    collections (the automatic ones, and those of tests and of pytest at its end) stop walking it each time. In
    tests/http with -n 0 the collector took 0.95 s instead of 1.52 s (its full collections 0.38 s instead of 0.95 s).
    Objects the tests make are not frozen: what a test checks is collected is collected as before."""
    gc.collect()
    gc.freeze()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    rank = {path: index for index, path in enumerate(SLOW_FILES)}
    root = config.rootpath
    items.sort(key=lambda item: rank.get(item.path.relative_to(root).as_posix(), len(rank)))  # stable: in-file order kept

"""The mockums pytest plugin, registered as a `pytest11` entry point: installing mockums enables it.

- `mockums_settings` (session): the `Settings` the sandbox runs with. Redefine it (session scope) in a
  conftest.py to change them; the defaults are those of `mockums serve`.
- `mockums_server` (session): the real sandbox on 127.0.0.1 (a free port), served from a background
  thread for the whole session; a `Mockums` handle (`mockums.testing`).
- `mockums` (function): the same server and handle, reset before the test. Synchronous: use it with
  requests, urllib, httpx or any client, and from async tests too.
- `mockums_aiohttp` (function, async): for pytest-aiohttp users, a fresh in-process sandbox on the test's
  own event loop; an `AsyncMockums` handle whose calls are coroutines.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar, cast

import pytest

# mockums itself (aiohttp, Faker…) is imported only when a fixture is used: pytest loads this plugin in
# every run of every project where mockums is installed, and that must stay cheap.
if TYPE_CHECKING:
    from mockums.config import App, Settings
    from mockums.scenarios import Scenario
    from mockums.testing import AsyncMockums, Mockums

F = TypeVar("F", bound=Callable[..., Any])


def _app(settings: Settings) -> App:
    if not settings.control:
        pytest.fail("mockums_settings switches the control API off (control=False); the mockums fixtures "
                    "drive the sandbox through it", pytrace=False)
    return settings.apps[0]


@pytest.fixture(scope="session")
def mockums_settings() -> Settings:
    """The sandbox's settings; override this fixture (session scope) in a conftest.py to change them."""
    from mockums.config import Settings  # noqa: PLC0415

    return Settings()


@pytest.fixture(scope="session")
def _mockums_scenarios(mockums_settings: Settings) -> tuple[Scenario, ...]:
    from mockums.testing import bundled_and_configured_scenarios  # noqa: PLC0415

    return bundled_and_configured_scenarios(mockums_settings)


@pytest.fixture(scope="session")
def mockums_server(mockums_settings: Settings, _mockums_scenarios: tuple[Scenario, ...]) -> Iterator[Mockums]:
    """One sandbox for the whole session, on 127.0.0.1 in a background thread; stopped cleanly at the end."""
    from mockums.testing import BackgroundServer, Mockums  # noqa: PLC0415

    app = _app(mockums_settings)
    with BackgroundServer(mockums_settings, _mockums_scenarios) as url:
        yield Mockums(url, app, mockums_settings.control_token)


@pytest.fixture
def mockums(mockums_server: Mockums) -> Mockums:
    """The session's sandbox, reset before this test: no order, journal entry or added scenario is left."""
    mockums_server.reset()
    return mockums_server


def _async_fixture(function: F) -> F:
    """An async fixture for pytest-asyncio (which pytest-aiohttp runs on), in strict and auto mode alike."""
    try:
        import pytest_asyncio  # noqa: PLC0415 - optional: the sync fixtures must work without it
    except ImportError:

        @pytest.fixture(name=function.__name__)
        def unavailable() -> None:
            pytest.fail(f"the {function.__name__} fixture needs pytest-aiohttp: pip install pytest-aiohttp "
                        "(the pytest extra of mockums brings it)",
                        pytrace=False)

        return cast(F, unavailable)
    return cast(F, pytest_asyncio.fixture(function))


@_async_fixture
async def mockums_aiohttp(mockums_settings: Settings,
                          _mockums_scenarios: tuple[Scenario, ...]) -> AsyncIterator[AsyncMockums]:
    """A fresh sandbox on the test's own event loop (127.0.0.1, a free port), stopped after the test."""
    from aiohttp import ClientSession  # noqa: PLC0415
    from aiohttp.test_utils import TestServer  # noqa: PLC0415

    from mockums.server.app import create_app  # noqa: PLC0415
    from mockums.testing import AsyncMockums  # noqa: PLC0415

    app = _app(mockums_settings)
    server = TestServer(create_app(mockums_settings, _mockums_scenarios), host="127.0.0.1")
    await server.start_server(access_log=None, shutdown_timeout=1.0)
    try:
        async with ClientSession() as session:
            yield AsyncMockums(str(server.make_url("")), session, app, mockums_settings.control_token)
    finally:
        await server.close()


ASYNCIO_LOOP_SCOPE = "asyncio_default_fixture_loop_scope"


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Installing `mockums[pytest]` brings pytest-asyncio along (pytest-aiohttp runs on it), which warns on
    every run of a suite that leaves `asyncio_default_fixture_loop_scope` unset. A suite that did not ask for
    pytest-asyncio gets its documented default, `function`, without the warning; a value the suite sets wins."""
    try:
        value = config.getini(ASYNCIO_LOOP_SCOPE)
    except ValueError:  # pytest-asyncio is not installed: nothing to quiet
        return
    if not value:
        config._inicache[ASYNCIO_LOOP_SCOPE] = "function"  # what getini answers from now on (pytest caches it)

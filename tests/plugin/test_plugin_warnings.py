"""A user's suite with `mockums[pytest]` installed prints no warning it did not ask for (pytest-asyncio, which
pytest-aiohttp brings, warns when `asyncio_default_fixture_loop_scope` is unset)."""

from __future__ import annotations

import pytest
from pytester_runs import _only_the_users_plugins

pytest_plugins = ["pytester"]
__all__ = ["_only_the_users_plugins"]  # the fixture, imported for the tests below

A_USERS_TESTS = """
import pytest

def test_sync(mockums):
    assert mockums.health()["status"] == "ok"

@pytest.mark.asyncio
async def test_async(mockums_aiohttp, request):
    assert (await mockums_aiohttp.health())["status"] == "ok"
    print("loop scope:", request.config.getini("asyncio_default_fixture_loop_scope"))
"""


def test_a_suite_with_no_configuration_gets_no_warning(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(A_USERS_TESTS)
    result = pytester.runpytest("-s", "-W", "error::pytest.PytestDeprecationWarning")
    result.assert_outcomes(passed=2)
    assert "warnings summary" not in result.stdout.str()
    assert "is unset" not in result.stdout.str() + result.stderr.str()
    result.stdout.fnmatch_lines(["*loop scope: function*"])


def test_the_suites_own_setting_wins(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = module\n")
    pytester.makepyfile("def test_it(request):\n    print('loop scope:', request.config.getini("
                        "'asyncio_default_fixture_loop_scope'))\n")
    result = pytester.runpytest("-s")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*loop scope: module*"])

"""What the pytester runs of tests/plugin share (a plain module: test modules import it, never each other).

A run is in-process, and pytester takes back every module it imported, so each run imports its plugins anew.
The user these runs stand for has mockums installed and nothing else: the other plugins this suite's
environment has (schemathesis alone took about 3 s to import on each run) are not loaded in them.
"""

from __future__ import annotations

import pytest

NOT_THE_USERS = ("schemathesis", "anyio", "faker", "hypothesispytest")


@pytest.fixture(autouse=True)
def _only_the_users_plugins(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """For the tests that use pytester (the others are left as they are)."""
    if "pytester" not in request.fixturenames:
        return
    request.getfixturevalue("pytester")  # it clears PYTEST_ADDOPTS when it starts; set after it, inner runs read it
    monkeypatch.setenv("PYTEST_ADDOPTS", " ".join(f"-p no:{name}" for name in NOT_THE_USERS))

"""The suite on the oldest and the newest Python mockums declares (`nox`; `.ci/run` runs it after the README's
test command, which uses the machine's default `python3`).

The versions come from pyproject.toml's classifiers, so what is declared and what is tested cannot drift
(tests/repo/test_packaging.py checks both). An interpreter is found on PATH as `python3.X`, or among pyenv's
installed versions when pyenv's shim would refuse it (pyenv answers only for the versions it has selected).
The newest version's session also gates on branch coverage (COVERAGE below).
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import nox

if sys.version_info >= (3, 11):
    import tomllib
else:  # nox itself may run on 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
DECLARED = sorted((c.rsplit(" ", 1)[1] for c in PROJECT["classifiers"]
                   if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)),
                  key=lambda version: tuple(map(int, version.split("."))))
OLDEST_AND_NEWEST = [DECLARED[0], DECLARED[-1]]

nox.options.sessions = ["tests", "redis"]
nox.options.reuse_existing_virtualenvs = True  # a second run reinstalls mockums only, not every dependency


def _pyenv_interpreters() -> None:
    """Put pyenv's installed interpreters of the declared versions on PATH, ahead of its shims."""
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    if not root.is_dir():
        return
    found = []
    for version in OLDEST_AND_NEWEST:
        candidates = sorted(root.glob(f"{version}.*/bin/python{version}"))
        if candidates:
            found.append(str(candidates[-1].parent))
    if found:
        os.environ["PATH"] = os.pathsep.join([*found, os.environ.get("PATH", "")])


_pyenv_interpreters()


# The coverage gate: the newest Python's session measures branch coverage of the package and fails under 90 %
# (`--cov=mockums`, with [tool.coverage] in pyproject.toml; the value attached, so that a test path given after
# `--` stays a test path). The README's test command leaves coverage out to stay fast (its tracer made that run
# half again as long); this is where `.ci/run` enforces it.
COVERAGE = {OLDEST_AND_NEWEST[-1]: ["--cov=mockums"]}


@nox.session(python=OLDEST_AND_NEWEST)
def tests(session: nox.Session) -> None:
    """The whole suite, as the README's test command runs it (in parallel, lint and types); on the newest
    Python with the coverage gate too."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", *COVERAGE.get(str(session.python), []), *session.posargs)


# What runs against both stores: every test that talks to a sandbox over HTTP, the control API, the plugin and
# the facade. The store's own tests (tests/store: races, restarts, failover over two processes) are part of the
# whole suite above.
REDIS_SUITES = ["tests/http", "tests/plugin", "tests/testing", "tests/core", "tests/lines", "tests/notify",
                "tests/dashboard"]


@nox.session(python=OLDEST_AND_NEWEST[-1])
def redis(session: nox.Session) -> None:
    """The HTTP, control-API, plugin and facade tests again, each sandbox keeping its state in a real redis-server
    (one per test worker, started by tests/conftest.py: Debian's `redis-server` must be installed)."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", *(session.posargs or REDIS_SUITES), env={"MOCKUMS_TEST_STORE": "redis"})

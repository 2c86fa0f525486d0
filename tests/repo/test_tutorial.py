"""The documentation site's curl tutorial, run in the order and the form the page gives it (and what other how-to
pages say of the sandbox: a team's config, POS link, nox).

Like tests/repo/test_readme_commands.py, commands run in a scratch folder holding `.venv/bin/mockums`; the
sandbox's port comes from MOCKUMS_PORT (which `mockums sign` reads too), the receiver's from a free port put
where the page says 9000. Each answer the page shows is checked as a part of the real one: the fields shown
have the values shown.
"""

from __future__ import annotations

import functools
import json
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import readme as docs
import yaml
from repo_helpers import Shell, answer, block_in, fenced, free_port, make_shell

from mockums import cli
from mockums.config import load_config_file
from mockums.environment import apply_environment

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: pytest's own dependency
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[2]
NOTIFIED = 10.0  # seconds: a bound on the receiver's line, not a wait


@pytest.fixture
def shell(tmp_path: Path) -> Shell:
    return make_shell(tmp_path)


def shows(real: Any, shown: Any) -> bool:
    """Whether `real` has what `shown` shows: the same keys with the same values (lists item by item)."""
    if isinstance(shown, dict):
        return isinstance(real, dict) and all(key in real and shows(real[key], value) for key, value in shown.items())
    if isinstance(shown, list):
        return isinstance(real, list) and len(real) == len(shown) and all(map(shows, real, shown))
    return bool(real == shown)


def wait_for_line(path: Path, line: str) -> None:
    deadline = time.monotonic() + NOTIFIED
    while line not in [printed.rstrip() for printed in path.read_text(encoding="utf-8").splitlines()]:
        assert time.monotonic() < deadline, f"the receiver did not print {line!r}:\n{path.read_text(encoding='utf-8')}"
        time.sleep(0.05)


def test_the_curl_tutorial_step_by_step(shell: Shell) -> None:
    receiver_port = free_port()
    steps = fenced(docs.page("tutorial/curl.md").replace("127.0.0.1:9000", f"127.0.0.1:{receiver_port}"))
    (language, serve), *rest = steps
    assert (language, serve.strip()) == ("sh", ".venv/bin/mockums serve")
    receiver_log = shell.folder / "receiver.out"
    receiver: subprocess.Popen[bytes] | None = None
    last: Any = None
    checked = {"json": 0, "text": 0}
    with shell.serving(serve.strip()), receiver_log.open("w") as out:
        try:
            for language, block in rest:
                if language == "python":
                    (shell.folder / "receiver.py").write_text(block.replace(", 9000)", f", {receiver_port})"),
                                                              encoding="utf-8")
                elif language == "sh" and block.strip() == "python3 receiver.py":
                    receiver = subprocess.Popen([sys.executable, "receiver.py"], cwd=shell.folder, stdout=out,
                                                stderr=subprocess.STDOUT)
                    shell.wait_listening(receiver_port)
                elif language == "sh":
                    last = answer(shell, block.strip())
                elif language == "json":
                    assert shows(last, json.loads(block)), f"the page shows {block}, the sandbox answered {last}"
                    checked["json"] += 1
                elif language == "text" and block.startswith("notified:"):
                    wait_for_line(receiver_log, block.strip())
                    checked["text"] += 1
        finally:
            if receiver is not None:
                receiver.terminate()
                receiver.wait(timeout=10)
    assert checked == {"json": 5, "text": 2}  # every answer the page shows was compared


def test_the_team_sandbox_config_serves_as_described() -> None:
    page = docs.page("how-to/team-sandbox.md")
    example = block_in(page, "Save a config file", "yaml")
    settings = load_config_file_text(example)
    assert (settings.host, settings.control_remote, settings.control_token) == (
        "0.0.0.0", True, "change-me-for-your-team")
    assert [app.app_id for app in settings.apps] == ["shop-backend", "mobile-app"]
    command = block_in(page, "and start it with that file", "sh").strip()
    serve = cli.subcommand(cli.build_parser(), "serve")
    parsed = cli.parse(command.split()[1:], {})
    assert parsed.command == "serve" and parsed.config == Path("team.yaml")
    assert apply_environment(serve, parsed, {}) == []


def load_config_file_text(text: str) -> Any:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "team.yaml"
        path.write_text(text, encoding="utf-8")
        return load_config_file(path)


def test_the_pos_link_page_says_what_the_sandbox_does(capsys: pytest.CaptureFixture[str]) -> None:
    """The page's "Try it": `mockums sign --url /v2/poslink/transaction/pay` prints a curl command whose request a
    running sandbox answers 00 with an orderId; the query sample finds its payment paid."""
    import shlex
    import urllib.request

    from mockums.config import Settings
    from mockums.testing import BackgroundServer

    page = docs.page("how-to/pos-link.md")
    assert "mockums sign --url /v2/poslink/transaction/pay" in page and "Not implemented" not in page
    with BackgroundServer(Settings()) as url:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        for path, check in (("/v2/poslink/transaction/pay", "orderId"), ("/v2/poslink/transaction/query",
                                                                         "queryResCode")):
            assert cli.main(["sign", "--url", url + path]) == 0
            words = shlex.split(capsys.readouterr().out.split("curl ", 1)[1].replace("\\\n", " "))
            headers = dict(words[i + 1].split(": ", 1) for i, word in enumerate(words) if word == "-H")
            body = words[words.index("--data-binary") + 1].encode()
            request = urllib.request.Request(url + path, data=body, headers=headers)
            with opener.open(request, timeout=10) as response:
                answer = json.loads(response.read())
            assert answer["errCode"] == "00", answer
            assert check in answer
        assert answer["queryResCode"] == "0"


@functools.cache  # once: loading it registers its sessions with nox, which warns about a second time
def load_noxfile() -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location("noxfile", REPO / "noxfile.py")
    assert spec is not None and spec.loader is not None
    noxfile = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(noxfile)
    return noxfile


def test_the_nox_sessions_are_the_oldest_and_newest_declared_python() -> None:
    """`.venv/bin/nox` (the development page): the versions it runs are those the classifiers declare."""
    noxfile = load_noxfile()
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = [c.rsplit(" ", 1)[1] for c in project["classifiers"] if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)]
    assert [declared[0], declared[-1]] == noxfile.OLDEST_AND_NEWEST
    assert project["requires-python"] == f">={declared[0]}"
    assert "nox" in (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))["theme"]["name"] == "material"


def test_the_coverage_gate_is_the_newest_pythons_nox_session() -> None:
    """The README's test command measures no coverage (it stays fast); the nox session of the newest declared
    Python, which `.ci/run` runs, measures branch coverage of the package and fails under 90 %."""
    noxfile = load_noxfile()
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    coverage = pyproject["tool"]["coverage"]
    assert (coverage["run"]["source"], coverage["run"]["branch"]) == (["mockums"], True)
    assert coverage["report"]["fail_under"] == 90
    assert not [option for option in pyproject["tool"]["pytest"]["ini_options"]["addopts"].split()
                if option.startswith("--cov") and option != "--cov-report="], "the README's command measures coverage"

    class Session:  # what the session function asks of nox's
        def __init__(self, python: str) -> None:
            self.python, self.posargs, self.runs = python, [], []

        def install(self, *args: str) -> None:
            pass

        def run(self, *args: str) -> None:
            self.runs.append(list(args))

    runs = {}
    for python in noxfile.OLDEST_AND_NEWEST:
        session = Session(python)
        noxfile.tests(session)
        [runs[python]] = session.runs
    oldest, newest = noxfile.OLDEST_AND_NEWEST
    assert runs == {oldest: ["python", "-m", "pytest"], newest: ["python", "-m", "pytest", "--cov=mockums"]}
    assert ".venv/bin/nox" in (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()

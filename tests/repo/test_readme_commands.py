"""Every command and example of the README and the documentation site that a user would run, run as written.

Commands run in a scratch folder that holds `.venv/bin/mockums` (a link to the installed console script),
so `.venv/bin/mockums …` is typed exactly as printed; the only change is the port: `serve` gets a free one
through MOCKUMS_PORT (the environment outranks the config file, and the README's commands give none),
and `127.0.0.1:8000` in a curl line becomes that port. What needs a Docker engine is checked without one
(the image's own tests replay its build in tests/repo/test_dockerfile.py). Client snippets in other
languages run when their toolchain is on the machine (curl, keytool and java, php, go), and are skipped,
saying so, when it is not.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import sys
import textwrap
import urllib.request
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest
import readme as docs
import yaml
from repo_helpers import Shell, block_in, make_shell, printed_curl

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: pytest's own dependency
    import tomli as tomllib

from mockums import cli
from mockums.config import DEMO_APP, load_config_file
from mockums.environment import apply_environment

REPO = Path(__file__).resolve().parents[2]
README = docs.documentation()  # the README and every page of the documentation site


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, re.S)


def commands() -> list[str]:
    """Every command line of every sh block (continuations joined, comments dropped)."""
    found = []
    for block in blocks("sh"):
        for raw in block.replace("\\\n", " ").splitlines():
            line = re.sub(r"\s+#.*$", "", raw).strip()
            if line:
                found.append(line)
    return found


def block_after(marker: str, language: str) -> str:
    """The first `language` block after the text `marker`."""
    return block_in(README, marker, language)


@pytest.fixture
def shell(tmp_path: Path) -> Shell:
    return make_shell(tmp_path)


QUICK_START_SERVE = ".venv/bin/mockums serve"


@pytest.fixture(scope="module")
def _quick_start_served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Shell, list[str]]]:
    """The quick start's `.venv/bin/mockums serve`, run as typed in a scratch folder of its own, once for the tests
    that talk to it (a process each cost 0.5 s of CPU): the shell and the banner it printed."""
    shell = make_shell(tmp_path_factory.mktemp("quick-start"))
    with shell.serving(QUICK_START_SERVE) as banner:
        yield shell, banner


@pytest.fixture
def quick_start(_quick_start_served: tuple[Shell, list[str]]) -> tuple[Shell, list[str]]:
    """That server, reset (orders, journal, runtime scenarios, clock) through its control API, as each test found it
    when it had a server of its own."""
    shell = _quick_start_served[0]
    reset = urllib.request.Request(f"http://127.0.0.1:{shell.port}/__mockums/reset", method="POST")
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(reset, timeout=10) as answer:
        assert answer.status == 200
    return _quick_start_served


def readme_banner(marker: str, port: int) -> list[str]:
    return block_after(marker, "text").replace("127.0.0.1:8000", f"127.0.0.1:{port}").splitlines()


# -- every command is one of these --------------------------------------------------------------------------

COVERED_ELSEWHERE = {
    # The install commands: .ci/run runs the second verbatim (test_docs); test_dockerfile replays the first's
    # install into a fresh venv and serves from it; here, its `.venv/bin/mockums serve` runs as typed.
    "python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/mockums serve": "test_quick_start",
    "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/python -m pytest": "test_docs",
    "docker build -t mockums .": "test_dockerfile",
}
# Run by tests/repo/test_tutorial.py: the tutorial, the how-to guides' commands and the install story.
RUN_BY_TEST_TUTORIAL = {
    r"^\.venv/bin/mockums serve$": "the tutorial",
    r"^python3 receiver\.py$": "the tutorial",
    r"^\.venv/bin/mockums sign --url /v\d/\S+( --order-id \w+)?( --field \w+=\S+)*$": "the tutorial and how-to",
    r"^\.venv/bin/mockums (check|serve --scenarios) my-scenarios$": "script a failure",
    r"^\.venv/bin/mockums serve --config team\.yaml$": "a team sandbox",
    r"^\.venv/bin/pip (install|wheel) .*mockums": "install",
    r"^\.venv/bin/mockums --version$": "install",
    r"^\.venv/bin/(nox|mkdocs serve)$": "development",
}
# A team sandbox (issue #23): tests/cli/test_cli_workers.py runs the workers command as written, against a real
# redis-server (its URL in place of 127.0.0.1:6379); compose.yaml is checked by tests/repo/test_compose.py (no Docker
# engine here).
TEAM_SANDBOX = {
    r"^\.venv/bin/pip install '\.\[redis\]' && \.venv/bin/mockums serve --workers 2 --store redis://127\.0\.0\.1:6379/0$":
        "test_cli_workers",
    r"^MOCKUMS_CONTROL_TOKEN=\S+ docker compose up --build$": "test_compose",
}


def test_every_readme_command_is_run_or_checked_here() -> None:
    kinds = {
        r"^\.venv/bin/mockums sign( --order-id \w+)?$": "quick start",
        r"^\.venv/bin/mockums serve --config mockums\.yaml$": "config example",
        r"^\.venv/bin/pip install '\.\[tls\]' && \.venv/bin/mockums serve --tls --tls-ca-file mockums-ca\.pem$": "https",
        r"^curl --cacert mockums-ca\.pem https://127\.0\.0\.1:8000/__mockums/health$": "https",
        r"^keytool |^java ": "https java",
        r"^curl -s .*http://127\.0\.0\.1:8000/__mockums/": "control api",
        r"^docker run ": "docker run",
    }
    kinds |= RUN_BY_TEST_TUTORIAL | TEAM_SANDBOX
    unmatched = [c for c in commands() if c not in COVERED_ELSEWHERE and not any(re.search(k, c) for k in kinds)]
    assert not unmatched, f"README commands no test runs (add them to {Path(__file__).name}): {unmatched}"


def test_quick_start(quick_start: tuple[Shell, list[str]]) -> None:
    first = next(c for c in COVERED_ELSEWHERE if c.startswith("python3 -m venv .venv && .venv/bin/pip install ."))
    assert first.split(" && ")[-1] == QUICK_START_SERVE
    shell, banner = quick_start
    assert banner == readme_banner("It prints something like:", shell.port)
    hint = banner[-1].split("try:", 1)[1].strip()
    assert hint.startswith(".venv/bin/mockums sign --url ")

    # `.venv/bin/mockums sign`, then the curl line it prints: every field the README shows.
    signed = shell.run(commands()[commands().index(".venv/bin/mockums sign")]).stdout
    shown = block_after("In a second terminal", "text")
    assert signed.splitlines()[0].startswith(shown.splitlines()[0].split("Timestamp=")[0])
    answer = json.loads(shell.run(printed_curl(signed)).stdout)
    example = json.loads(block_after("Paste the curl line", "json"))
    assert set(answer) == set(example) and answer["errCode"] == example["errCode"] == "SUCCESS"
    assert answer["status"] == example["status"]

    # An edited body is refused, and the diagnosis says why and what to do.
    edited = printed_curl(signed).replace('"merOrderId": "', '"merOrderId": "MKPAID')
    refused = json.loads(shell.run(edited).stdout)
    documented = json.loads(block_after("a `diagnosis` object that explains it", "json"))
    assert (refused["errCode"], refused["errInfo"]) == ("1006", "签名验证失败")
    assert set(documented["diagnosis"]) <= set(refused["diagnosis"])
    assert "signed again" in refused["diagnosis"]["reason"]

    # The magic id, signed again by `sign --order-id`.
    paid = json.loads(shell.run(printed_curl(shell.run(".venv/bin/mockums sign --order-id MKPAID0001").stdout)
                                ).stdout)
    assert (paid["errCode"], paid["status"]) == ("TARGET_FAIL", "TRADE_SUCCESS")


def test_the_configuration_example_verbatim(shell: Shell) -> None:
    (shell.folder / "mockums.yaml").write_text(block_after("A YAML config file can set:", "yaml"), encoding="utf-8")
    command = next(c for c in commands() if "--config mockums.yaml" in c)
    with shell.serving(command) as banner:
        assert "  app:       appId=my-test-app  (shop)" in banner and "  app:       appId=second-app" in banner
        hint = banner[-1].split("try:", 1)[1].strip()
        assert " sign --config mockums.yaml --url " in hint  # signs for the config's apps, not the demo app
        answer = json.loads(shell.run(printed_curl(shell.run(hint).stdout)).stdout)
        assert answer["errCode"] == "SUCCESS"
        again = hint.replace(" sign ", " sign --app-id second-app ")
        assert json.loads(shell.run(printed_curl(shell.run(again).stdout)).stdout)["errCode"] == "SUCCESS"


def test_the_control_api_commands(quick_start: tuple[Shell, list[str]]) -> None:
    shell = quick_start[0]
    block = next(b for b in blocks("sh") if "__mockums/reset" in b)
    example = next(b for b in blocks("yaml") if b.startswith("scenarios:"))
    (shell.folder / "my-scenario.yaml").write_text(example, encoding="utf-8")
    for command in block.splitlines():
        output = shell.run(command).stdout
        assert "error" not in json.loads(output), (command, output)


def test_https_commands(shell: Shell) -> None:
    install, serve = next(c for c in commands() if "--tls-ca-file" in c).split(" && ")
    extras = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    assert install == ".venv/bin/pip install '.[tls]'" and any(d.startswith("trustme") for d in extras["tls"])
    with shell.serving(serve) as banner:
        shown = [line.replace(f"{shell.folder}/", "") for line in banner[:4]]  # the banner prints full paths
        assert shown == readme_banner("It needs the `tls` extra (trustme):", shell.port)[:4]
        curl = next(c for c in commands() if c.startswith("curl --cacert"))
        if shutil.which("curl"):
            assert json.loads(shell.run(curl).stdout)["status"] == "ok"
        missing = [tool for tool in ("keytool", "java", "php", "go") if not shutil.which(tool)]
        url = f"https://127.0.0.1:{shell.port}/__mockums/health"
        if "keytool" not in missing and "java" not in missing:
            java_ok(shell, url)
        if "php" not in missing:
            snippet = block_after("PHP (curl", "php").replace("127.0.0.1:8000", f"127.0.0.1:{shell.port}")
            (shell.folder / "client.php").write_text("<?php\n" + snippet, encoding="utf-8")
            assert json.loads(shell.run("php client.php").stdout)["status"] == "ok"
        if "go" not in missing:
            go_ok(shell)
    if missing:
        pytest.skip(f"not on this machine, so their README snippets did not run: {', '.join(missing)}")


def java_ok(shell: Shell, url: str) -> None:
    keytool, java = (c for c in commands() if c.startswith(("keytool ", "java ")))
    shell.run(keytool)
    (shell.folder / "Probe.java").write_text(textwrap.dedent(f"""\
        public class Probe {{
            public static void main(String[] args) throws Exception {{
                var connection = (java.net.HttpURLConnection) new java.net.URL("{url}").openConnection();
                System.out.println(new String(connection.getInputStream().readAllBytes()));
            }}
        }}
        """), encoding="utf-8")
    probe = java.replace("-jar your-tests.jar", "Probe.java")  # the README's JVM flags, our small client
    assert json.loads(shell.run(probe, timeout=120).stdout)["status"] == "ok"


def go_ok(shell: Shell) -> None:
    snippet = block_after("Go:", "go").replace("127.0.0.1:8000", f"127.0.0.1:{shell.port}")
    program = ('package main\n\nimport (\n\t"crypto/tls"\n\t"crypto/x509"\n\t"fmt"\n\t"io"\n\t"log"\n'
               '\t"net/http"\n\t"os"\n)\n\nfunc main() {\n' + textwrap.indent(snippet, "\t") +
               '\tif err != nil {\n\t\tlog.Fatal(err)\n\t}\n\tbody, _ := io.ReadAll(answer.Body)\n'
               '\tfmt.Println(string(body))\n}\n')
    (shell.folder / "main.go").write_text(program, encoding="utf-8")
    env_cache = f"GOCACHE={shell.folder / 'gocache'} GOPATH={shell.folder / 'gopath'} HOME={shell.folder}"
    assert json.loads(shell.run(f"{env_cache} go run main.go", timeout=120).stdout)["status"] == "ok"


def test_docker_commands_are_valid_for_the_image() -> None:
    serve = cli.subcommand(cli.build_parser(), "serve")
    for command in (c for c in commands() if c.startswith("docker run ")):
        words = shlex.split(command)
        image = words.index("mockums", 2)
        options, args = words[2:image], words[image + 1:]
        env = {value.split("=", 1)[0]: value.split("=", 1)[1] for flag, value in pairwise(options) if flag == "-e"}
        mounts = [value.split(":")[1] for flag, value in pairwise(options) if flag == "-v"]
        parsed = cli.parse(args or ["serve"], {})  # what the image runs: CMD ["serve"] unless args are given
        if parsed.command == "serve":
            apply_environment(serve, parsed, env)
            settings = cli.settings_from_args(parsed)
            assert all(str(path).startswith(tuple(mounts)) for path in settings.scenario_paths), command
        else:
            assert all(str(path).startswith(tuple(mounts)) for path in parsed.paths), command


def test_compose_and_ci_examples_set_valid_options() -> None:
    serve = cli.subcommand(cli.build_parser(), "serve")
    compose = yaml.safe_load(next(b for b in blocks("yaml") if b.startswith("services:")))
    ci = yaml.safe_load(next(b for b in blocks("yaml") if b.startswith("jobs:")))
    for env in (compose["services"]["mockums"]["environment"], ci["jobs"]["integration"]["services"]["mockums"]["env"]):
        parsed = cli.parse(["serve"], {})
        assert apply_environment(serve, parsed, env) == sorted(env, key=list(env).index)  # each one is an option
        cli.settings_from_args(parsed)  # and each value is valid
    mounted = compose["services"]["mockums"]["volumes"][0].split(":")[1]
    assert compose["services"]["mockums"]["environment"]["MOCKUMS_SCENARIOS"] == mounted
    assert compose["services"]["shop"]["depends_on"]["mockums"] == {"condition": "service_healthy"}


def test_the_editor_line_names_the_served_schema() -> None:
    line = next(b for b in blocks("yaml") if b.startswith("# yaml-language-server:")).strip()
    assert line == "# yaml-language-server: $schema=http://127.0.0.1:8000/__mockums/scenario-schema.json"


def test_the_demo_credentials_shown_are_the_demo_app() -> None:
    assert f"appId={DEMO_APP.app_id}  appKey={DEMO_APP.app_key}" in README
    assert load_config_file  # the config example itself is loaded by test_docs and served above

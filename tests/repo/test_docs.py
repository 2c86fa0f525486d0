"""The README and the documentation site stay true: generated sections are current, the two commands are what
CI runs, and the examples they show work."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import readme as docs
import yaml
from scenario_terms import terms

from mockums.config import Settings, load_config_file
from mockums.protocol.gateway_errors import DEFAULT_GATEWAY_ERRORS
from mockums.scenarios import load_text

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text(encoding="utf-8")
DOCUMENTATION = docs.documentation()  # the README and every page of the site
OPTIONS = docs.page("reference/options.md")


def fenced_blocks(language: str, text: str = DOCUMENTATION) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, re.S)


@pytest.mark.parametrize("path", docs.DOCUMENTS, ids=lambda path: path.name)
def test_generated_sections_are_current(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert docs.render(text) == text, f"{path.name} is stale: run `python tools/readme.py`"


@pytest.mark.parametrize("path", list(docs.FILES), ids=lambda path: path.name)
def test_generated_files_are_current(path: Path) -> None:
    assert path.is_file() and path.read_text(encoding="utf-8") == docs.FILES[path](), (
        f"{path.name} is stale: run `python tools/readme.py`")


def test_every_relative_link_in_the_readme_resolves() -> None:
    for target in re.findall(r"\]\((?!https?:|#)([^)#\s]+)", README):
        assert (REPO / target).exists(), f"the README links to {target}, which is not in the repository"
    assert "shared/docs" not in README


def test_readme_starts_with_exactly_the_two_commands() -> None:
    head = README.split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.*?)\n```", head, re.S)
    assert len(commands) == 2
    assert commands[0].endswith("mockums serve")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci, ".ci/run must run the README's test command"
    assert "set -e" in ci


def test_the_scenario_example_in_the_readme_is_valid() -> None:
    example = next(block for block in fenced_blocks("yaml", docs.page("reference/scenario-files.md"))
                   if block.startswith("scenarios:"))
    result = load_text(example, "scenario-files.md", allowed=terms(DEFAULT_GATEWAY_ERRORS.keys(), ["/v1/netpay/wx/app-pre-close"]))
    assert result.errors == ()
    assert [s.name for s in result.scenarios] == ["paid-then-refused", "locked-twice"]


def test_the_config_example_in_the_docs_loads(tmp_path: Path) -> None:
    example = next(block for block in fenced_blocks("yaml", OPTIONS) if block.startswith("host:"))
    path = tmp_path / "mockums.yaml"
    path.write_text(example, encoding="utf-8")
    settings = load_config_file(path)
    assert settings.seed == 42
    assert [app.app_id for app in settings.apps] == ["my-test-app", "second-app"]
    assert settings.gateway_errors["bad_signature"]["errCode"] == "BAD_SIGN"
    assert settings != Settings()
    assert yaml.safe_load(example)["tokens"] == {"lifetime": 3600, "max_live": 10}


def test_every_gateway_error_is_documented_with_its_evidence() -> None:
    for row in DEFAULT_GATEWAY_ERRORS.values():
        assert f"| `{row.key}` | {row.status} | `{row.err_code}` |" in docs.page("reference/errors.md")


def test_the_notification_check_in_the_readme_verifies_a_real_signature() -> None:
    from mockums.config import DEMO_APP
    from mockums.notify import sign_notification

    snippet = next(block for block in fenced_blocks("python", docs.page("reference/lifecycle.md")) if "def valid(" in block)
    namespace: dict[str, object] = {}
    exec(snippet, namespace)
    valid = namespace["valid"]
    form = sign_notification({"merOrderId": "3194000001", "totalAmount": "1", "attachedData": ""}, DEMO_APP.notify_key)
    assert valid(form, DEMO_APP.notify_key)  # type: ignore[operator]
    assert not valid({**form, "totalAmount": "2"}, DEMO_APP.notify_key)  # type: ignore[operator]


def test_the_quick_start_works_as_written(capsys: pytest.CaptureFixture[str]) -> None:
    """`mockums sign` with no option, its curl line sent to a sandbox run with the defaults, answers
    the fields the README shows; re-signed with MKPAID0001 it answers as for a paid order."""
    import json
    import shlex
    import urllib.request

    from mockums import cli
    from mockums.clock import Clock
    from mockums.testing import BackgroundServer

    quick_start = README.split("## A three-minute tour", 1)[1].split("\n## ", 1)[0]
    assert "```sh\n.venv/bin/mockums sign\n```" in quick_start
    shown = json.loads(next(block for block in fenced_blocks("json", README) if '"errCode":"SUCCESS"' in block))
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def send(argv: list[str]) -> dict[str, object]:
        assert cli.main(["sign", *argv]) == 0
        words = shlex.split(capsys.readouterr().out.split("\n\n", 1)[1].replace("\\\n", " "))
        assert words[:4] == ["curl", "-sS", "-X", "POST"] and words[4] == cli.DEFAULT_URL
        headers = dict(word.split(": ", 1) for word in words[6:-2:2])
        request = urllib.request.Request(words[4].replace("http://127.0.0.1:8000", url),
                                         data=words[-1].encode(), headers=headers)
        with opener.open(request, timeout=10) as response:
            assert response.status == 200
            answer = json.loads(response.read())
        assert isinstance(answer, dict)
        return answer

    with BackgroundServer(Settings()) as url:
        answer = send([])
        assert list(answer) == list(shown)
        assert (answer["errCode"], answer["status"], answer["targetSys"]) == ("SUCCESS", "TRADE_CLOSED", "WXPay")
        assert str(answer["merOrderId"]).startswith("MKSUCCESS")
        body = {**json.loads(cli.sample_body(Clock())), "merOrderId": "MKPAID0001"}
        paid = send(["--body", json.dumps(body)])
        assert (paid["errCode"], paid["status"]) == ("TARGET_FAIL", "TRADE_SUCCESS")
    assert "`MKSUCCESS`" in quick_start and "NO_ORDER 无法找到指定的订单" in quick_start


def test_the_config_example_shows_the_default_limits(tmp_path: Path) -> None:
    example = next(block for block in fenced_blocks("yaml", OPTIONS) if block.startswith("host:"))
    shown = yaml.safe_load(example)
    defaults = Settings()
    for key in ("journal_size", "journal_bytes", "max_orders", "max_refunds", "max_sequences", "max_notifications",
                "idle_timeout", "max_body_bytes", "no_answer_hold"):
        assert shown[key] == getattr(defaults, key), key
    assert f"{defaults.max_orders:,} orders holding {defaults.max_refunds:,} refunds" in docs.page("background/limits.md")
    assert (f"capped at {defaults.max_orders:,}\norders holding {defaults.max_refunds:,} refunds"
            in docs.page("reference/lifecycle.md"))


def test_the_readme_is_short_and_says_how_to_install_without_a_package_index() -> None:
    lines = README.splitlines()
    assert len(lines) < 200, f"the README has {len(lines)} lines: the details belong in the docs site"
    assert not [line for line in lines if len(line) > 200]
    install = README.split("## Install it into your own project", 1)[1].split("\n## ", 1)[0]
    for form in ("'/path/to/mockums[pytest]'", "@ git+https://", "pip wheel --no-deps -w dist"):
        assert form in install
    assert "pip install 'mockums[pytest]'" not in DOCUMENTATION  # not on an index: that finds nothing
    # The README's install commands are the install guide's, which tests/repo/test_howto_commands.py runs.
    guide = docs.page("how-to/install.md")
    shown = re.findall(r"```sh\n(.*?)```", install, re.S)[0].splitlines()
    assert shown and all(f"\n{command}\n" in guide for command in shown)


def test_the_readme_links_into_every_part_of_the_site() -> None:
    for part in ("tutorial", "how-to", "reference", "background"):
        pages = sorted((REPO / "docs" / part).glob("*.md"))
        assert pages, part
        for page in pages:
            assert f"(docs/{part}/{page.name})" in README, f"the README does not link to docs/{part}/{page.name}"

"""The README stays true: generated sections are current, the two commands are what CI runs, and
the examples it shows work."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import readme as docs
import yaml

from mockums.config import Settings, load_config_file
from mockums.protocol.gateway_errors import DEFAULT_GATEWAY_ERRORS
from mockums.scenarios import load_text

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text(encoding="utf-8")


def fenced_blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, re.S)


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
    example = next(block for block in fenced_blocks("yaml") if block.startswith("scenarios:"))
    result = load_text(example, "README.md", gateway_errors=DEFAULT_GATEWAY_ERRORS.keys(),
                       endpoints=["/v1/netpay/wx/app-pre-close"])
    assert result.errors == ()
    assert [s.name for s in result.scenarios] == ["paid-then-refused", "locked-twice"]


def test_the_config_example_in_the_readme_loads(tmp_path: Path) -> None:
    example = next(block for block in fenced_blocks("yaml") if block.startswith("host:"))
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
        assert f"| `{row.key}` | {row.status} | `{row.err_code}` |" in README


def test_the_notification_check_in_the_readme_verifies_a_real_signature() -> None:
    from mockums.config import DEMO_APP
    from mockums.notify import sign_notification

    snippet = next(block for block in fenced_blocks("python") if "def valid" in block)
    namespace: dict[str, object] = {}
    exec(snippet, namespace)
    valid = namespace["valid"]
    form = sign_notification({"merOrderId": "3194000001", "totalAmount": "1", "attachedData": ""}, DEMO_APP.notify_key)
    assert valid(form, DEMO_APP.notify_key)  # type: ignore[operator]
    assert not valid({**form, "totalAmount": "2"}, DEMO_APP.notify_key)  # type: ignore[operator]

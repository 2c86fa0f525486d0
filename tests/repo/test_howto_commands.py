"""The how-to guides' commands, run as the pages give them: scripting a failure, and installing mockums into a
project of one's own (the wheel built and installed; the path and git forms read as pip reads them)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import readme as docs
from repo_helpers import Shell, answer, block_in, fenced, make_shell

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: pytest's own dependency
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def shell(tmp_path: Path) -> Shell:
    return make_shell(tmp_path)


def test_script_a_failure_as_written(shell: Shell) -> None:
    page = docs.page("how-to/script-a-failure.md")
    commands = [line for language, block in fenced(page) if language == "sh" for line in block.splitlines()]
    magic, check, serve, add, sign = commands
    (shell.folder / "my-scenarios").mkdir()
    (shell.folder / "my-scenarios" / "refund-refused.yaml").write_text(block_in(page, "Save this as", "yaml"),
                                                                        encoding="utf-8")
    assert "1 scenario(s) in 1 file(s): OK" in shell.run(check).stdout
    with shell.serving(".venv/bin/mockums serve"):
        failed = answer(shell, magic)
        assert (failed["errCode"], failed["refundStatus"], failed["status"]) == ("SUCCESS", "FAIL", "TRADE_SUCCESS")
        assert answer(shell, sign)["errCode"] == "NO_ORDER"  # not scripted yet: an order nobody created
        assert [scenario["name"] for scenario in answer(shell, add)] == ["refund-refused"]
        refused = answer(shell, sign)
        assert (refused["errCode"], refused["errMsg"]) == ("TARGET_FAIL", "微信方失败")
    with shell.serving(serve):
        assert answer(shell, sign)["errCode"] == "TARGET_FAIL"


def test_the_install_commands(tmp_path: Path, build_backend: str, suite_pip: str) -> None:
    """The wheel is built as the page says and installs; the path and git forms are requirements pip reads."""
    from packaging.requirements import Requirement

    page = docs.page("how-to/install.md")
    commands = [line for language, block in fenced(page) if language == "sh" for line in block.splitlines()]
    from_path, from_git, build, install, version = commands
    assert Requirement(from_path.split("'")[1].removeprefix("/path/to/")).extras == {"pytest"}
    git = Requirement(from_git.split("'")[1])
    assert (git.name, git.extras, git.url.startswith("git+https://")) == ("mockums", {"pytest"}, True)
    toml = tomllib.loads(block_in(page, "In a requirements file", "toml"))
    assert Requirement(toml["project"]["optional-dependencies"]["test"][0]).name == "mockums"

    # `pip wheel --no-deps -w dist /path/to/mockums`, from this checkout, then the wheel the page names. It builds
    # in an empty venv with the backend pyproject.toml names and nothing else (`build_backend`, installed once for
    # the run, on PYTHONPATH): what pip's build isolation gives it, without installing the backend for this build.
    # The venv has no pip of its own: its interpreter runs this suite's pip (`suite_pip` on PYTHONPATH), as
    # `pip --python venv/bin/python` would.
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)], "venv")
    venv_pip = [str(venv / "bin" / "python"), "-m", "pip"]
    dist = tmp_path / "dist"
    args = build.replace(".venv/bin/pip", "").replace("/path/to/mockums", str(REPO)).replace(" dist ", f" {dist} ")
    run([*venv_pip, *args.split(), "--no-build-isolation"], "pip wheel",
        env={**os.environ, "PYTHONPATH": os.pathsep.join((suite_pip, build_backend))})
    wheel = install.split("'")[1].removesuffix("[pytest]")
    assert (tmp_path / wheel).is_file(), f"the page installs {wheel}; pip wheel made {sorted(dist.iterdir())}"
    # Installed alone (its dependencies are this environment's business), its command answers.
    run([*venv_pip, "install", "--no-deps", "-q", str(tmp_path / wheel)], "pip install",
        env={**os.environ, "PYTHONPATH": suite_pip})
    shown = run([str(venv / "bin" / "mockums"), version.split()[-1]], "mockums --version")
    assert shown.startswith("mockums ")


def run(command: list[str], what: str, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False, env=env)
    assert result.returncode == 0, f"{what} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    return result.stdout

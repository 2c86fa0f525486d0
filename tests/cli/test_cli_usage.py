"""The `mockums` command's usage, in-process: the version, and a command line argparse refuses."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mockums import __version__, cli


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        cli.main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out == f"mockums {__version__}\n"


def test_plain_mockums_prints_its_help(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.argv", ["mockums"])
    assert cli.main() == 0
    out, err = capsys.readouterr()
    assert out.startswith("usage: mockums ") and "{serve,check,sign}" in out and "run the sandbox server" in out
    assert err == ""


def test_an_option_without_a_command_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        cli.main(["--port", "8001"])
    assert done.value.code == 2
    assert "invalid choice: '8001' (choose from" in capsys.readouterr().err


def test_main_reads_the_process_arguments(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.argv", ["mockums", "sign", "--body", "{}", "--timestamp", "20260101000000"])
    assert cli.main() == 0
    assert 'Timestamp="20260101000000"' in capsys.readouterr().out


@pytest.mark.parametrize("command", ["serve", "check", "sign"])
def test_each_command_answers_version_too(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        cli.main([command, "--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out == f"mockums {__version__}\n"


def test_a_mistyped_option_gets_a_suggestion(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        cli.main(["serve", "--prot", "8001"])
    assert done.value.code == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("usage: mockums serve ")
    assert err[-2:] == ["mockums serve: error: unrecognized arguments: --prot 8001", "--prot: did you mean --port?"]


def test_an_unknown_word_without_a_close_option_gets_no_guess(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["sign", "--zzz"])
    assert capsys.readouterr().err.splitlines()[-1] == "mockums sign: error: unrecognized arguments: --zzz"


def test_importing_the_command_line_loads_no_server_code() -> None:
    """`mockums --version` and `--help` answer at once: the command line imports no aiohttp, YAML or Faker."""
    code = ("import sys; import mockums.cli; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'aiohttp', 'yaml', 'faker', 'multidict'}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize(("argv0", "on_path", "shown"), [
    ("/opt/venv/bin/mockums", "/opt/venv/bin/mockums", "mockums"),
    (".venv/bin/mockums", None, ".venv/bin/mockums"),
    ("/tmp/my venv/bin/mockums", "/usr/local/bin/mockums", "'/tmp/my venv/bin/mockums'"),
    ("/src/mockums/__main__.py", None, "python -m mockums"),
])
def test_the_banner_hint_names_the_program_as_it_was_run(argv0: str, on_path: str | None, shown: str,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", [argv0, "serve"])
    monkeypatch.setattr(sys, "executable", "/usr/bin/python")
    monkeypatch.setattr(shutil, "which", lambda name: on_path)
    assert cli.program() == shown
    assert cli.sign_hint(None) == f"{shown} sign"
    assert cli.sign_hint(Path("my config.yaml")) == f"{shown} sign --config 'my config.yaml'"

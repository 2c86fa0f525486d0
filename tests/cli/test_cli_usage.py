"""The `mockums` command's usage, in-process: the version, and a command line argparse refuses."""

from __future__ import annotations

import pytest

from mockums import __version__, cli


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        cli.main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out == f"mockums {__version__}\n"


def test_a_command_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        cli.main([])
    assert done.value.code == 2
    assert "the following arguments are required: command" in capsys.readouterr().err


def test_main_reads_the_process_arguments(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.argv", ["mockums", "sign", "--body", "{}", "--timestamp", "20260101000000"])
    assert cli.main() == 0
    assert 'Timestamp="20260101000000"' in capsys.readouterr().out

"""`mockums check`, in-process: what it lists when the files validate, and every error with its path and line."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from mockums import cli

REPO = Path(__file__).resolve().parents[2]


def test_check_lists_the_bundled_scenarios(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["check", str(REPO / "scenarios")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "38 scenario(s) in 6 file(s): OK"
    assert "  already-paid                 merOrderIdPrefix MKPAID  magic id MKPAID0001" in out
    assert len(out) == 1 + 38


def test_check_reports_path_line_reason_and_missing_files(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(dedent("""\
        scenarios:
          - name: broken
            match: {merOrderIdPrefix: BRK}
            respond:
              fault: explode
              delay: -1
        """), encoding="utf-8")
    assert cli.main(["check", str(broken), str(tmp_path / "missing.yaml")]) == 1
    captured = capsys.readouterr()
    errors = captured.err.splitlines()
    # A missing path is said once and counted once (it used to be reported twice, as 2 errors).
    assert [line for line in errors if "missing.yaml" in line] == [
        f"{tmp_path / 'missing.yaml'}: no such file or folder (or not readable)"]
    assert any(line.startswith(f"{broken}:5: ") and "explode" in line for line in errors), errors
    assert any(line.startswith(f"{broken}:6: ") and "delay" in line for line in errors), errors
    assert errors[-1] == f"{len(errors) - 1} error(s)" == "3 error(s)"
    assert captured.out == ""


def test_check_of_only_a_missing_path_counts_one_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert cli.main(["check", str(tmp_path / "nothere.yaml")]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"{tmp_path / 'nothere.yaml'}: no such file or folder (or not readable)", "1 error(s)"]


def test_check_with_a_config_file_and_a_scenario_without_magic_id(capsys: pytest.CaptureFixture[str],
                                                                  tmp_path: Path) -> None:
    config = tmp_path / "mockums.yaml"
    config.write_text("gateway_errors:\n  bad_signature: {errCode: BAD_SIGN}\n", encoding="utf-8")
    mine = tmp_path / "mine.yaml"
    mine.write_text(dedent("""\
        scenarios:
          - name: signature-refused
            match: {merOrderId: "3194SIG0001"}
            respond: {gateway_error: bad_signature}
        """), encoding="utf-8")
    assert cli.main(["check", "-c", str(config), str(mine)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "1 scenario(s) in 1 file(s): OK"
    assert out[1].startswith("  signature-refused ")
    assert "magic id" not in out[1]


def test_check_with_a_broken_config_file_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    config = tmp_path / "mockums.yaml"
    config.write_text("- not a mapping\n", encoding="utf-8")
    assert cli.main(["check", "-c", str(config), str(tmp_path)]) == 2
    assert capsys.readouterr().err == f"mockums: {config}: the top level must be a mapping of settings\n"

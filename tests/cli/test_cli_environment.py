"""`mockums serve` options from MOCKUMS_… variables: one per option, read from the argparse definitions,
with the command line first, then the environment, then the config file, then the defaults."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from cli_harness import serve_settings

from mockums import cli, environment
from mockums.config import Settings, Strictness


def serve_parser() -> argparse.ArgumentParser:
    return cli.subcommand(cli.build_parser(), "serve")


def test_every_serve_option_has_a_variable_named_after_its_long_form() -> None:
    names = {max(action.option_strings, key=len): environment.variable(action)
             for action in environment.options(serve_parser())}
    assert names["--skew-window"] == "MOCKUMS_SKEW_WINDOW"
    assert names["--scenarios"] == "MOCKUMS_SCENARIOS"
    assert names["--no-watch"] == "MOCKUMS_NO_WATCH"
    assert "--help" not in names and "--version" not in names
    # Every option a user can give on the command line, and only those: new options are picked up.
    given = {s for a in serve_parser()._actions for s in a.option_strings if s.startswith("--")}
    assert set(names) == given - {"--help", "--version"}
    assert all(name == "MOCKUMS_" + option[2:].upper().replace("-", "_") for option, name in names.items())


def test_each_variable_sets_what_its_option_sets(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    env = {
        "MOCKUMS_HOST": "::1", "MOCKUMS_PORT": "8123", "MOCKUMS_SCENARIOS": f"{tmp_path / 'a'}, {tmp_path / 'b'}",
        "MOCKUMS_NO_BUNDLED": "true", "MOCKUMS_SEED": "7", "MOCKUMS_STRICT": "header,orders",
        "MOCKUMS_SKEW_WINDOW": "0", "MOCKUMS_FAITHFUL": "1", "MOCKUMS_NO_WATCH": "yes", "MOCKUMS_JOURNAL_SIZE": "5",
        "MOCKUMS_NO_CONTROL": "on", "MOCKUMS_CONTROL_TOKEN": "t0k3n", "MOCKUMS_CONTROL_REMOTE": "TRUE",
        "MOCKUMS_LOG_LEVEL": "WARNING",
    }
    from_env = serve_settings(env=env)
    from_options = serve_settings(
        "--host", "::1", "--port", "8123", "-s", str(tmp_path / "a"), "-s", str(tmp_path / "b"), "--no-bundled",
        "--seed", "7", "--strict", "header,orders", "--skew-window", "0", "--faithful", "--no-watch",
        "--journal-size", "5", "--no-control", "--control-token", "t0k3n", "--control-remote",
        "--log-level", "WARNING")
    assert from_env == from_options != Settings()
    assert from_env.strict == Strictness(header=True)  # `orders`, retired, is accepted and ignored
    assert from_env.scenario_paths == ((tmp_path / "a").resolve(), (tmp_path / "b").resolve())


def test_false_words_and_empty_values_leave_the_default() -> None:
    env = {"MOCKUMS_FAITHFUL": "false", "MOCKUMS_NO_WATCH": "0", "MOCKUMS_NO_CONTROL": "off", "MOCKUMS_SEED": "",
           "MOCKUMS_SCENARIOS": ""}
    assert serve_settings(env=env) == Settings()
    assert serve_settings(env={"MOCKUMS_STRICT": ""}).strict == Strictness.all(True)  # like a bare --strict


def test_the_command_line_wins_over_the_environment_which_wins_over_the_config_file(tmp_path: Path) -> None:
    config = tmp_path / "mockums.yaml"
    config.write_text("port: 9000\nseed: 1\njournal_size: 10\nskew_window: 30\n", encoding="utf-8")
    env = {"MOCKUMS_CONFIG": str(config), "MOCKUMS_SEED": "2", "MOCKUMS_JOURNAL_SIZE": "20"}
    settings = serve_settings("--seed", "3", env=env)
    assert (settings.seed, settings.journal_size, settings.port, settings.skew_window) == (3, 20, 9000, 30)
    assert serve_settings(env={"MOCKUMS_JOURNAL_SIZE": "20"}).skew_window == Settings().skew_window
    # A list given on the command line replaces the variable's list (it is not added to it).
    mine = tmp_path / "mine"
    mine.mkdir()
    chosen = serve_settings("-s", str(mine), env={"MOCKUMS_SCENARIOS": str(tmp_path / "elsewhere")})
    assert chosen.scenario_paths == (mine.resolve(),)


@pytest.mark.parametrize(("env", "message"), [
    ({"MOCKUMS_PORT": "eighty"}, "MOCKUMS_PORT='eighty': not a valid value for --port (invalid literal for int() "
                                 "with base 10: 'eighty')"),
    ({"MOCKUMS_FAITHFUL": "sure"}, "MOCKUMS_FAITHFUL='sure': use one of 1, true, yes, on or 0, false, no, off"),
    ({"MOCKUMS_LOG_LEVEL": "LOUD"}, "MOCKUMS_LOG_LEVEL='LOUD': --log-level must be one of DEBUG, INFO, WARNING, "
                                    "ERROR"),
    ({"MOCKUMS_JOURNAL_SIZE": "0"}, "journal-size must be between 1 and 1000000, got 0"),
])
def test_a_bad_value_stops_serve_with_a_sentence_naming_the_variable(env: dict[str, str], message: str,
                                                                      capsys: pytest.CaptureFixture[str],
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert cli.main(["serve"]) == 2
    assert capsys.readouterr().err == f"mockums: {message}\n"


def test_a_misspelt_variable_is_pointed_out(capsys: pytest.CaptureFixture[str]) -> None:
    cli.parse(["serve"], {"MOCKUMS_PROT": "9000", "MOCKUMS_URL": "http://127.0.0.1:8000"})
    assert capsys.readouterr().err == (
        "mockums: warning: MOCKUMS_PROT is not an option of `mockums serve`; did you mean MOCKUMS_PORT?\n")


def test_other_commands_ignore_the_serve_variables() -> None:
    args = cli.parse(["check", "."], {"MOCKUMS_CONFIG": "/nowhere.yaml"})
    assert args.config is None


def test_the_variables_are_listed_with_what_they_accept() -> None:
    accepted = {environment.variable(a): environment.accepted_values(a) for a in environment.options(serve_parser())}
    assert accepted["MOCKUMS_SCENARIOS"] == "PATH,…"
    assert accepted["MOCKUMS_FAITHFUL"] == "1"
    assert accepted["MOCKUMS_LOG_LEVEL"] == "DEBUG/INFO/WARNING/ERROR"
    assert accepted["MOCKUMS_PORT"] == "PORT"

"""One table declares every setting (mockums/settings_table.py): the `Settings` defaults, the config file's
keys and checks, `serve`'s options and their MOCKUMS_… variables all follow from it."""

from __future__ import annotations

import dataclasses
import typing
from pathlib import Path

import pytest
from cli_harness import serve_settings

from mockums import cli, config, environment, limits
from mockums.config import ConfigError, Settings, Strictness, load_config_file
from mockums.settings_table import BY_NAME, SERVE_OPTIONS, SETTINGS, STRICT_PARTS, config_keys, section

FIELDS = {field.name: field for field in dataclasses.fields(Settings)}


def test_every_settings_field_is_declared_once_and_takes_its_default_from_the_table() -> None:
    declared = [setting.name for setting in SETTINGS if setting.in_settings]
    assert sorted(declared) == sorted(FIELDS) and len(set(declared)) == len(declared)
    defaults = Settings()
    for setting in SETTINGS:
        if setting.in_settings and not setting.default_text:  # apps, strict, gateway_errors: made by config
            assert getattr(defaults, setting.name) == setting.default, setting.name
    assert [s.name for s in SETTINGS if s.default_text] == ["apps", "strict", "gateway_errors"]


def test_each_field_has_the_type_its_declaration_says() -> None:
    hints = typing.get_type_hints(Settings)
    for setting in SETTINGS:
        if setting.in_settings and not setting.default_text:
            expected: object = tuple[setting.kind, ...] if setting.repeat else setting.kind
            assert hints[setting.name] == (expected | None if setting.nullable else expected), setting.name


def test_every_default_is_within_its_own_bounds() -> None:
    for setting in SETTINGS:
        if setting.in_settings and not setting.default_text and setting.default is not None:
            assert setting.problem(setting.default) is None, setting.name


def test_the_defaults_the_protocol_states_agree_with_the_table() -> None:
    """These five numbers are also the defaults of the auth, ledger and notify code (mockums.limits),
    which the command line cannot import without slowing `mockums --help`: change them in both places."""
    assert (BY_NAME["skew_window"].default, BY_NAME["token_lifetime"].default, BY_NAME["max_live_tokens"].default,
            BY_NAME["refunds_per_order"].default, BY_NAME["notify_schedule"].default) == (
        limits.DEFAULT_SKEW_WINDOW, limits.TOKEN_LIFETIME, limits.MAX_LIVE_TOKENS, limits.REFUNDS_PER_ORDER,
        limits.NOTIFY_SCHEDULE)


def test_the_strict_parts_are_the_fields_of_strictness() -> None:
    assert tuple(field.name for field in dataclasses.fields(Strictness)) == STRICT_PARTS


def test_each_section_of_the_config_file_has_its_parser_and_nothing_else_does() -> None:
    sections = {s.key.split(".")[0] for s in SETTINGS if s.section and s.key}
    assert sections == set(config._SECTIONS) == {"scenarios", "apps", "strict", "tokens", "notify", "gateway_errors"}
    assert [s.name for s in section("tokens")] == ["token_lifetime", "max_live_tokens"]
    assert set(config_keys()) == {s.key.split(".")[0] for s in SETTINGS if s.key}


def test_the_serve_options_are_the_tables() -> None:
    serve = cli.subcommand(cli.build_parser(), "serve")
    given = [tuple(action.option_strings) for action in environment.options(serve) if action.dest != "version"]
    assert given == [setting.options for setting in SERVE_OPTIONS]
    variables = [environment.variable(action) for action in environment.options(serve) if action.dest != "version"]
    assert variables == [setting.variable for setting in SERVE_OPTIONS]
    assert BY_NAME["watch"].variable == "MOCKUMS_NO_WATCH" and BY_NAME["tls_names"].variable == "MOCKUMS_TLS_NAME"


def test_a_misspelt_config_key_gets_a_guess(tmp_path: Path) -> None:
    path = tmp_path / "mockums.yaml"
    path.write_text("journl_size: 10\nport: 9000\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config_file(path)
    assert str(raised.value) == f"{path}: unknown settings ['journl_size'] (journl_size: did you mean journal_size?)"
    path.write_text("zzz: 1\n", encoding="utf-8")  # nothing close: the known keys are listed
    with pytest.raises(ConfigError, match=r"unknown settings \['zzz'\] \(known: \['allowed_hosts', 'apps', "):
        load_config_file(path)


@pytest.mark.parametrize(("name", "option", "variable", "value", "default"), [
    ("max_qr_codes", "--max-qr-codes", "MOCKUMS_MAX_QR_CODES", 5, 10_000),
    ("max_bills", "--max-bills", "MOCKUMS_MAX_BILLS", 7, 30_000),
])
def test_the_bills_store_limits_are_set_by_the_config_file_the_option_and_the_variable(
        tmp_path: Path, name: str, option: str, variable: str, value: int, default: int) -> None:
    assert getattr(Settings(), name) == default
    path = tmp_path / "mockums.yaml"
    path.write_text(f"{name}: {value}\n", encoding="utf-8")
    assert getattr(load_config_file(path), name) == value
    assert getattr(serve_settings(option, str(value)), name) == value
    assert getattr(serve_settings(env={variable: str(value)}), name) == value
    # The command line wins over the variable, which wins over the config file.
    assert getattr(serve_settings("-c", str(path), env={variable: str(value + 1)}), name) == value + 1
    assert getattr(serve_settings("-c", str(path), option, "3", env={variable: str(value + 1)}), name) == 3


@pytest.mark.parametrize(("name", "high"), [("max_qr_codes", 1_000_000), ("max_bills", 10_000_000)])
def test_the_bills_store_limits_are_bounded(tmp_path: Path, name: str, high: int,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "mockums.yaml"
    path.write_text(f"{name}: {high + 1}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=f"{name} must be between 1 and {high}, got {high + 1}$"):
        load_config_file(path)
    path.write_text(f"{name}: many\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=f"{name} must be an integer, got 'many'$"):
        load_config_file(path)
    spelled = name.replace("_", "-")
    assert cli.main(["serve", f"--{spelled}", "0"]) == 2
    assert capsys.readouterr().err == f"mockums: {spelled} must be between 1 and {high}, got 0\n"


def test_a_null_file_name_in_the_config_file_means_none(tmp_path: Path) -> None:
    path = tmp_path / "mockums.yaml"
    path.write_text("tls_cert: cert.pem\ntls_key: null\n", encoding="utf-8")
    settings = load_config_file(path)
    assert (settings.tls_cert, settings.tls_key) == ((tmp_path / "cert.pem").resolve(), None)


def test_the_sections_read_by_the_table(tmp_path: Path) -> None:
    path = tmp_path / "mockums.yaml"
    path.write_text("tokens: {lifetime: 60}\nnotify: {schedule: [0, 1.5], timeout: 2}\n", encoding="utf-8")
    settings = load_config_file(path)
    assert (settings.token_lifetime, settings.max_live_tokens) == (60, Settings().max_live_tokens)
    assert (settings.notify_schedule, settings.notify_timeout) == ((0.0, 1.5), 2.0)
    for text, message in (("tokens: {lifetime: 0}", "tokens.lifetime must be a positive integer"),
                          ("tokens: {life: 1}", "tokens must be a mapping with lifetime and/or max_live"),
                          ("notify: {timeout: 0}", "notify.timeout must be a positive number of seconds"),
                          ("notify: {schedule: []}", r"notify.schedule must be a list of 1 to 100 waits in seconds \(>= 0\)")):
        path.write_text(text + "\n", encoding="utf-8")
        with pytest.raises(ConfigError, match=message):
            load_config_file(path)

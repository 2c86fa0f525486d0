"""The public base URL of cashier links: configured in the file or on the command line, checked alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from mockums import cli
from mockums.config import ConfigError, Settings, load_config_file
from mockums.core.sandbox import Sandbox


def test_the_config_file_and_the_command_line_set_it(tmp_path: Path) -> None:
    path = tmp_path / "mockums.yaml"
    path.write_text("public_url: http://localhost:18080/\n", encoding="utf-8")
    settings = load_config_file(path)
    assert settings.public_url == "http://localhost:18080/"
    assert Sandbox(settings, ()).public_base("http://127.0.0.1:8000") == "http://localhost:18080"
    assert Sandbox(Settings(), ()).public_base("http://127.0.0.1:8000") == "http://127.0.0.1:8000"
    args = cli.build_parser().parse_args(["serve", "--public-url", "https://pay.example.test"])
    assert cli.settings_from_args(args).public_url == "https://pay.example.test"


def test_a_url_without_scheme_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "mockums.yaml"
    path.write_text("public_url: localhost:18080\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="public_url must start with http:// or https://"):
        load_config_file(path)
    args = cli.build_parser().parse_args(["serve", "--public-url", "ftp://x"])
    with pytest.raises(ConfigError, match="public-url must start with http://"):
        cli.settings_from_args(args)

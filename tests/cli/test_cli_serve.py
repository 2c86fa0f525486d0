"""`mockums serve`, in-process: the banner, each option reaching the sandbox, and every way it refuses to start."""

from __future__ import annotations

import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from textwrap import dedent

import chinaums_client
import pytest
from cli_harness import NO_PROXY, serving

from mockums import cli
from mockums.config import DEMO_APP, App, Settings, Strictness, load_config_file
from mockums.server.runner import banner, base_url

BROKEN = dedent("""\
    scenarios:
      - name: broken
        match: {merOrderIdPrefix: BRK}
        respond:
          fault: explode
          delay: -1
    """)


def test_serve_prints_the_banner_answers_and_stops_cleanly(monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(cli, "program", lambda: "mockums")  # as run from a shell where `mockums` is on PATH
    with serving(monkeypatch, "--port", "0") as server:
        lines = capsys.readouterr().out.splitlines()
        assert server.get("/__mockums/health")[1]["status"] == "ok"
    url = server.url
    assert lines == [
        f"mockums listening on {url}",
        f"  health:    {url}/__mockums/health",
        f"  dashboard: {url}/__mockums/",
        f"  demo app:  appId={DEMO_APP.app_id}  appKey={DEMO_APP.app_key}",
        f"             notifyKey={DEMO_APP.notify_key} (signs payment notifications)",
        "  scenarios: 38 loaded (magic ids such as MKSUCCESS0001, MKPAID0001, MKCLOSED0001)",
        f"  try:       mockums sign --url {url}/v1/netpay/wx/app-pre-close",
    ]
    with pytest.raises(urllib.error.URLError, match="refused"):  # stopped: nothing listens there any more
        NO_PROXY.open(url + "/__mockums/health", timeout=5)


def test_every_serve_option_reaches_the_sandbox(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                                tmp_path: Path) -> None:
    mine = tmp_path / "mine.yaml"
    mine.write_text("scenarios:\n  - name: mine\n    match: {merOrderIdPrefix: MINE}\n"
                    "    respond: {fields: {errCode: SYSTEM_BUSY}}\n", encoding="utf-8")
    with serving(monkeypatch, "--port", "0", "--host", "127.0.0.1", "-s", str(mine), "--no-bundled",
                 "--seed", "7", "--strict", "header,orders", "--assume-orders", "--skew-window", "0", "--faithful",
                 "--no-watch",
                 "--journal-size", "5", "--control-token", "t0k3n", "--control-remote",
                 "--log-level", "WARNING") as server:
        banner_text = capsys.readouterr().out
        assert server.get("/__mockums/journal") == (
            401, {"error": "this control API needs `Authorization: Bearer <token>` (--control-token)"})
        assert server.get("/__mockums/journal", token="t0k3n") == (200, [])
    settings = server.settings
    assert settings is not None
    assert (settings.host, settings.port, settings.seed, settings.skew_window, settings.journal_size) == (
        "127.0.0.1", 0, 7, 0, 5)
    assert settings.scenario_paths == (mine.resolve(),)
    assert not settings.bundled_scenarios and not settings.watch
    assert settings.faithful and settings.control_remote and settings.control_token == "t0k3n"
    assert settings.strict == Strictness(header=True)  # `orders`, now the default, is accepted and ignored
    assert settings.assume_orders
    assert settings.log_level == "WARNING"
    assert "  scenarios: 1 loaded\n  seed:      7\n" in banner_text  # `mine` has no magic id to suggest


def test_no_control_switches_the_control_api_off_but_not_health(monkeypatch: pytest.MonkeyPatch) -> None:
    with serving(monkeypatch, "--port", "0", "--no-control") as server:
        assert server.get("/__mockums/journal")[0] == 404
        assert server.get("/__mockums/health")[0] == 200


def test_a_config_file_adds_apps_and_strictness(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                                tmp_path: Path) -> None:
    config = tmp_path / "mockums.yaml"
    config.write_text("apps:\n  - appId: my-app\n    appKey: my-key\n    name: shop\nstrict: {orders: true}\n",
                      encoding="utf-8")
    with serving(monkeypatch, "--port", "0", "--config", str(config)) as server:
        text = capsys.readouterr().out
        body = chinaums_client.go_json(chinaums_client.close_request("3194000002"))
        request = urllib.request.Request(server.url + "/v1/netpay/wx/app-pre-close", data=body, headers={
            "Content-Type": "application/json",
            "Authorization": chinaums_client.open_body_sig("my-app", "my-key", body)})
        with NO_PROXY.open(request, timeout=10) as answer:
            assert answer.status == 200
            assert b'"errCode":"NO_ORDER"' in answer.read().replace(b" ", b"")  # the default; the old `strict: {orders: true}` still loads
    assert "  app:       appId=my-app  (shop)\n" in text
    assert "my-key" not in text
    assert "demo app" not in text
    # No notifyKey in the file: a random one for this run, printed so a receiver can check signatures.
    assert server.settings is not None
    [app] = server.settings.apps
    assert app.random_notify_key and len(app.notify_key) == 32
    assert f"             notifyKey={app.notify_key} (random for this run: set notifyKey to keep one)\n" in text


def test_an_app_without_notify_key_gets_a_random_one_not_derived_from_its_app_id(tmp_path: Path) -> None:
    config = tmp_path / "mockums.yaml"
    config.write_text("apps:\n  - {appId: my-app, appKey: my-key}\n  - {appId: other, appKey: k, notifyKey: fixed}\n",
                      encoding="utf-8")
    first, second = load_config_file(config), load_config_file(config)
    assert first.apps[0].notify_key != second.apps[0].notify_key  # drawn per run: nobody can predict it
    assert (first.apps[1].notify_key, first.apps[1].random_notify_key) == ("fixed", False)
    assert DEMO_APP.notify_key == Settings().apps[0].notify_key  # the demo app keeps its documented key


def test_a_port_in_use_is_refused_with_exit_status_1(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert cli.main(["serve", "--port", str(port), "--no-watch"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"mockums: cannot listen on 127.0.0.1:{port}: ")
    assert captured.err.endswith(" (another server has it: pass --port N, or --port 0 for any free one)\n")


def test_broken_scenario_files_stop_serve_before_it_listens(capsys: pytest.CaptureFixture[str],
                                                            tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    assert cli.main(["serve", "--port", "0", "--scenarios", str(tmp_path)]) == 2
    errors = capsys.readouterr().err.splitlines()
    assert errors[0].startswith(f"mockums: {tmp_path / 'broken.yaml'}:5: ")
    assert any(line.startswith(f"mockums: {tmp_path / 'broken.yaml'}:6: ") for line in errors)
    assert errors[-1] == f"mockums: {len(errors) - 1} scenario error(s); fix them or run `mockums check`"


@pytest.mark.parametrize(("argv", "message"), [
    (["--strict", "headers"], "--strict: unknown parts ['headers'] (use all or header, timestamp, request)"),
    (["--journal-size", "0"], "journal-size must be between 1 and 1000000, got 0"),
    (["--port", "70000"], "port must be between 0 and 65535, got 70000"),
])
def test_bad_option_values_exit_2_with_a_sentence(argv: list[str], message: str,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["serve", *argv]) == 2
    assert capsys.readouterr().err == f"mockums: {message}\n"


def test_config_file_mistakes_exit_2_naming_the_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    config = tmp_path / "mockums.yaml"
    config.write_text("apps:\n  - appId: my-app\nport: eighty\n", encoding="utf-8")
    assert cli.main(["serve", "--config", str(config)]) == 2
    assert capsys.readouterr().err.startswith(f"mockums: {config}: port must be an integer, got 'eighty'")
    assert cli.main(["serve", "--config", str(tmp_path / "missing.yaml")]) == 2
    assert capsys.readouterr().err.startswith(f"mockums: {tmp_path / 'missing.yaml'}: cannot read the config file")


def test_options_override_the_config_file_and_add_to_its_scenarios(tmp_path: Path) -> None:
    (tmp_path / "from-config").mkdir()
    config = tmp_path / "mockums.yaml"
    config.write_text("seed: 1\nport: 9000\nscenarios: [from-config]\nwatch: true\n", encoding="utf-8")
    args = cli.build_parser().parse_args(["serve", "-c", str(config), "--seed", "2", "-s", str(tmp_path)])
    settings = cli.settings_from_args(args)
    assert (settings.seed, settings.port, settings.watch) == (2, 9000, True)
    assert settings.scenario_paths == ((tmp_path / "from-config").resolve(), tmp_path.resolve())
    assert cli.settings_from_args(cli.build_parser().parse_args(["serve"])) == Settings()


def test_strict_parts() -> None:
    assert cli.parse_strict("all") == Strictness.all(True)
    assert cli.parse_strict(" header , request,") == Strictness(header=True, request=True)
    assert cli.parse_strict("orders") == Strictness()  # an earlier version's part, now the default
    assert cli.build_parser().parse_args(["serve", "--strict"]).strict == "all"


@pytest.mark.parametrize(("text", "assume"), [("assume_orders: true\n", True), ("strict: {orders: true}\n", False),
                                              ("strict: true\n", False), ("", False)])
def test_assume_orders_in_the_config_file(tmp_path: Path, text: str, assume: bool) -> None:
    config = tmp_path / "mockums.yaml"
    config.write_text(text, encoding="utf-8")
    assert cli.settings_from_args(cli.build_parser().parse_args(["serve", "-c", str(config)])).assume_orders is assume


def test_the_old_strict_orders_false_is_refused_with_where_it_went(capsys: pytest.CaptureFixture[str],
                                                                   tmp_path: Path) -> None:
    config = tmp_path / "mockums.yaml"
    config.write_text("strict: {header: true, orders: false}\n", encoding="utf-8")
    assert cli.main(["serve", "--config", str(config)]) == 2
    assert capsys.readouterr().err == (
        f"mockums: {config}: strict: orders: false: strict part 'orders' is gone: NO_ORDER for an order never "
        "created is now the default; to assume every unknown order exists, unpaid, set assume_orders: true "
        "(or --assume-orders)\n")


def test_the_banner_shows_a_reachable_address_and_names_the_apps() -> None:
    settings = Settings(host="0.0.0.0", apps=(App("app-1", "key-1"), App("app-2", "key-2", "shop")), seed=0)
    lines = banner(settings, 8123, ()).splitlines()
    assert lines == [
        "mockums listening on http://127.0.0.1:8123",
        "  health:    http://127.0.0.1:8123/__mockums/health",
        "  dashboard: http://127.0.0.1:8123/__mockums/",
        "  app:       appId=app-1",
        "  app:       appId=app-2  (shop)",
        "  scenarios: 0 loaded",
        "  seed:      0",
        "  try:       mockums sign --url http://127.0.0.1:8123/v1/netpay/wx/app-pre-close",
    ]
    assert base_url("::1", 8000) == "http://[::1]:8000"
    assert base_url("localhost", 8000) == "http://localhost:8000"


def test_refunds_per_order_in_the_config_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    config = tmp_path / "mockums.yaml"
    config.write_text("refunds_per_order: 50\n", encoding="utf-8")
    assert cli.settings_from_args(cli.build_parser().parse_args(["serve", "-c", str(config)])).refunds_per_order == 50
    assert Settings().refunds_per_order == 1000
    config.write_text("refunds_per_order: 0\n", encoding="utf-8")
    assert cli.main(["serve", "--config", str(config)]) == 2
    assert capsys.readouterr().err == f"mockums: {config}: refunds_per_order must be between 1 and 100000, got 0\n"


def test_serve_tunes_the_garbage_collector_of_its_own_process_once_it_listens() -> None:
    """`settle_heap` (serve's `ready`) freezes the start-up heap and spaces young collections out; run in a
    child process, since it changes the process's collector for good."""
    probe = ("import gc; from mockums import cli; before = gc.get_freeze_count(); cli.settle_heap(8000); "
             "print(before, gc.get_freeze_count() > 1000, gc.get_threshold()[0])")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.split() == ["0", "True", str(cli.YOUNG_COLLECTION_AFTER)]


def test_the_log_level_is_taken_in_either_case(tmp_path: Path) -> None:
    assert cli.settings_from_args(cli.parse(["serve", "--log-level", "error"], {})).log_level == "ERROR"
    assert cli.settings_from_args(cli.parse(["serve"], {"MOCKUMS_LOG_LEVEL": "warning"})).log_level == "WARNING"
    config = tmp_path / "mockums.yaml"
    config.write_text("log_level: debug\n", encoding="utf-8")
    assert load_config_file(config).log_level == "DEBUG"

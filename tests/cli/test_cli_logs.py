"""`mockums serve --log-format json`: one JSON object per line on stderr, a request's facts as fields;
the readable default, every time with its zone."""

from __future__ import annotations

import json
import logging
import re
import urllib.error
import urllib.request
from typing import Any

import chinaums_client
import pytest
from cli_harness import NO_PROXY, serving

from mockums.config import DEMO_APP
from mockums.logs import JsonFormatter, TextFormatter, configure_logging, fields, zoned_time

ZONED = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d"
CLOSE = "/v1/netpay/wx/app-pre-close"


def close(url: str, mer_order_id: str, app_key: str = DEMO_APP.app_key) -> int:
    body = chinaums_client.go_json(chinaums_client.close_request(mer_order_id))
    headers = {"Content-Type": "application/json",
               "Authorization": chinaums_client.open_body_sig(DEMO_APP.app_id, app_key, body)}
    try:
        with NO_PROXY.open(urllib.request.Request(url + CLOSE, data=body, headers=headers), timeout=10) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


def test_json_logs_carry_each_request_as_fields(monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    with serving(monkeypatch, "--port", "0", "--log-format", "json", "--no-watch") as server:
        capsys.readouterr()
        assert close(server.url, "MKPAID0001") == 200
        assert close(server.url, "3194000001", app_key="0" * 32) == 401
    err = capsys.readouterr().err  # after the stop: lines close together leave in one write, at the latest then
    lines = json_lines(err)  # every line of stderr is one JSON object
    requests = [line for line in lines if line["event"] == "request"]
    assert len(requests) == 2
    paid, refused = requests
    assert re.fullmatch(ZONED, paid["time"])
    assert {key: paid[key] for key in ("level", "logger", "method", "path", "merOrderId", "appId", "verdict",
                                       "scenario", "status", "errCode", "fault")} == {
        "level": "INFO", "logger": "mockums.http", "method": "POST", "path": CLOSE, "merOrderId": "MKPAID0001",
        "appId": DEMO_APP.app_id, "verdict": "ok", "scenario": "already-paid", "status": 200,
        "errCode": "TARGET_FAIL", "fault": None}
    assert isinstance(paid["durationMs"], float)
    assert paid["message"].startswith(f"POST {CLOSE} -> 200 TARGET_FAIL merOrderId=MKPAID0001")
    assert (refused["verdict"], refused["status"], refused["errCode"], refused["scenario"]) == (
        "bad_signature", 401, "1006", None)
    assert DEMO_APP.app_key not in err
    # The documented example line has exactly these keys, in this order.
    import readme as docs

    [shown] = [json.loads(block) for block in re.findall(r"```json\n(.*?)\n```", docs.page("reference/options.md"), re.S)
               if '"event": "request"' in block]
    assert list(shown) == list(paid)
    assert {key: shown[key] for key in ("merOrderId", "scenario", "errCode")} == {
        key: paid[key] for key in ("merOrderId", "scenario", "errCode")}


def test_the_readable_default_shows_times_with_their_zone(monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    with serving(monkeypatch, "--port", "0", "--no-watch") as server:
        capsys.readouterr()
        assert close(server.url, "MKPAID0002") == 200
    err = capsys.readouterr().err
    [line] = [line for line in err.splitlines() if "mockums.http" in line]
    assert re.fullmatch(ZONED + rf" INFO mockums\.http: POST {CLOSE} -> 200 TARGET_FAIL merOrderId=MKPAID0002 "
                        r"scenario=already-paid \d+\.\d ms", line), line


def test_the_log_format_comes_from_the_environment_and_the_config_file(monkeypatch: pytest.MonkeyPatch,
                                                                       tmp_path: Any) -> None:
    from mockums import cli

    assert cli.settings_from_args(cli.parse(["serve"], {"MOCKUMS_LOG_FORMAT": "json"})).log_format == "json"
    config = tmp_path / "mockums.yaml"
    config.write_text("log_format: json\n", encoding="utf-8")
    assert cli.settings_from_args(cli.parse(["serve", "-c", str(config)], {})).log_format == "json"
    config.write_text("log_format: xml\n", encoding="utf-8")
    from mockums.config import ConfigError, load_config_file

    with pytest.raises(ConfigError, match="log_format must be one of text, json, got 'xml'"):
        load_config_file(config)


def test_formatters_and_configure() -> None:
    record = logging.LogRecord("mockums.notify", logging.WARNING, __file__, 1, "notify %s: %s", ("n1", "refused"),
                               None)
    assert json.loads(JsonFormatter().format(record)) == {
        "time": zoned_time(record.created), "level": "WARNING", "logger": "mockums.notify", "event": "message",
        "message": "notify n1: refused"}
    record.__dict__.update(fields("notify", notifyId="n1", accepted=False))
    assert json.loads(JsonFormatter().format(record))["notifyId"] == "n1"
    assert TextFormatter().format(record) == f"{zoned_time(record.created)} WARNING mockums.notify: notify n1: refused"
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        failed = logging.LogRecord("mockums", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    assert "ValueError: boom" in json.loads(JsonFormatter().format(failed))["exception"]
    handler = configure_logging("DEBUG", "json")
    again = configure_logging("DEBUG", "json")  # replaces its own handler, keeps any other (pytest's capture)
    ours = [installed for installed in logging.getLogger().handlers if installed.get_name() == "mockums"]
    assert ours == [again] and handler not in logging.getLogger().handlers
    assert logging.getLogger().level == logging.DEBUG
    with pytest.raises(ValueError, match="log format must be one of text, json"):
        configure_logging("INFO", "yaml")


def test_in_json_mode_every_line_on_stdout_and_stderr_is_json(monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """The banner and the stop line too (they are printed, not logged), as one JSON object each."""
    with serving(monkeypatch, "--port", "0", "--log-format", "json", "--no-watch") as server:
        assert close(server.url, "MKPAID0003") == 200
    out, err = capsys.readouterr()
    printed = json_lines(out)
    assert [line["event"] for line in printed] == ["listening", "stopped"]
    listening, stopped = printed
    assert listening["message"] == f"mockums listening on {server.url}" and listening["port"] == server.port
    assert any(line.startswith("  try:") for line in listening["lines"])
    assert (stopped["message"], stopped["level"], stopped["logger"]) == ("mockums stopped", "INFO", "mockums")
    assert re.fullmatch(ZONED, stopped["time"])
    assert any(line["event"] == "request" for line in json_lines(err))


def test_in_json_mode_a_refusal_to_start_is_json_too(monkeypatch: pytest.MonkeyPatch, tmp_path: Any,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    from mockums import cli

    bad = tmp_path / "bad.yaml"
    bad.write_text("scenarios:\n  - name: Bad Name\n    match: {merOrderId: X1}\n", encoding="utf-8")
    monkeypatch.setenv("MOCKUMS_LOG_FORMAT", "json")
    monkeypatch.setenv("MOCKUMS_PROT", "8001")  # a misspelt variable: its warning too
    assert cli.main(["serve", "--scenarios", str(bad)]) == 2
    out, err = capsys.readouterr()
    lines = json_lines(err)
    assert out == "" and [line["level"] for line in lines] == ["WARNING"] + ["ERROR"] * (len(lines) - 1)
    assert "MOCKUMS_PROT is not an option" in lines[0]["message"] and f"{bad}:2:" in lines[1]["message"]
    assert lines[-1]["message"].endswith("scenario error(s); fix them or run `mockums check`")
    monkeypatch.setenv("MOCKUMS_CONFIG", str(tmp_path / "missing.yaml"))
    assert cli.main(["serve"]) == 2
    *_, refused = json_lines(capsys.readouterr().err)  # after the misspelt variable's warning
    assert refused["event"] == "error" and "missing.yaml" in refused["message"]

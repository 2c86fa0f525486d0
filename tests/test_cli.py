"""The `mockums` command as a user runs it: serve (a real subprocess), check, sign."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from textwrap import dedent

import pytest

REPO = Path(__file__).resolve().parent.parent
BROKEN = dedent("""\
    scenarios:
      - name: broken
        match: {merOrderIdPrefix: BRK}
        respond:
          fault: explode
          delay: -1
    """)


def mockums(*args: str, stdin: str | None = None, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mockums", *args], capture_output=True, text=True,
                          input=stdin, timeout=timeout, check=False)


class Server:
    def __init__(self, *args: str) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "mockums", "serve", "--port", "0", *args],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.banner: list[str] = []
        deadline = time.monotonic() + 30
        assert self.process.stdout is not None
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            self.banner.append(line.rstrip())
            if line.startswith("  try:"):
                break
        found = re.search(r"http://127\.0\.0\.1:\d+", "\n".join(self.banner))
        assert found, f"no base URL in the banner: {self.banner}; stderr: {self.stderr()}"
        self.url = found.group(0)

    def stderr(self) -> str:
        if self.process.poll() is None:
            return ""
        assert self.process.stderr is not None
        return self.process.stderr.read()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture
def server() -> Iterator[Server]:
    running = Server()
    yield running
    running.stop()


def post(url: str, body: bytes, authorization: str) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json", "Authorization": authorization})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_serve_prints_url_and_demo_credentials(server: Server) -> None:
    text = "\n".join(server.banner)
    assert text.startswith("mockums listening on http://127.0.0.1:")
    assert re.search(r"demo app:  appId=[0-9a-f]{32}  appKey=[0-9a-f]{32}", text)
    assert "scenarios: 26 loaded" in text
    with urllib.request.urlopen(server.url + "/__mockums/health", timeout=10) as response:
        assert json.loads(response.read())["status"] == "ok"


def test_sign_prints_a_curl_command_the_server_accepts(server: Server) -> None:
    result = mockums("sign", "--url", server.url + "/v1/netpay/wx/app-pre-close")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith('Authorization: OPEN-BODY-SIG AppId="')
    curl = shlex.split(" ".join(line.rstrip("\\") for line in lines[2:]))
    assert curl[:5] == ["curl", "-sS", "-X", "POST", server.url + "/v1/netpay/wx/app-pre-close"]
    header = curl[curl.index("-H", 6) + 1] if curl.count("-H") > 1 else ""
    authorization = header.split(": ", 1)[1]
    body = curl[curl.index("--data-binary") + 1].encode()
    status, answer = post(curl[4], body, authorization)
    assert status == 200
    assert answer["errCode"] == "SUCCESS"


def test_sign_reads_a_body_from_a_file_and_stdin(tmp_path: Path) -> None:
    body_file = tmp_path / "body.json"
    body_file.write_text('{"merOrderId":"3194000001"}', encoding="utf-8")
    from_file = mockums("sign", "--body", f"@{body_file}", "--timestamp", "20261126120000", "--nonce", "n1")
    from_stdin = mockums("sign", "--body", "-", "--timestamp", "20261126120000", "--nonce", "n1",
                         stdin='{"merOrderId":"3194000001"}')
    assert from_file.stdout.splitlines()[0] == from_stdin.stdout.splitlines()[0]
    assert 'Timestamp="20261126120000", Nonce="n1"' in from_file.stdout


def test_check_accepts_the_bundled_scenarios() -> None:
    result = mockums("check", str(REPO / "scenarios"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("26 scenario(s) in 2 file(s): OK")
    assert "already-paid                 merOrderIdPrefix MKPAID  magic id MKPAID0001" in result.stdout


def test_check_reports_path_line_and_reason(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(BROKEN, encoding="utf-8")
    result = mockums("check", str(broken), str(tmp_path / "missing.yaml"))
    assert result.returncode == 1
    errors = result.stderr.splitlines()
    assert any(line.startswith(f"{broken}:5: ") and "explode" in line for line in errors), errors
    assert any(line.startswith(f"{broken}:6: ") and "delay" in line for line in errors), errors
    assert f"{tmp_path / 'missing.yaml'}: no such file or folder" in errors


def test_serve_refuses_to_start_with_a_broken_scenario_file(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    result = mockums("serve", "--port", "0", "--scenarios", str(tmp_path))
    assert result.returncode == 2
    assert f"mockums: {tmp_path / 'broken.yaml'}:5: " in result.stderr
    assert "scenario error(s); fix them or run `mockums check`" in result.stderr


def test_config_file_adds_apps_and_reports_mistakes(tmp_path: Path) -> None:
    config = tmp_path / "mockums.yaml"
    config.write_text("apps:\n  - appId: my-app\n    appKey: my-key\nstrict: {orders: true}\n", encoding="utf-8")
    running = Server("--config", str(config))
    try:
        assert "app:       appId=my-app" in "\n".join(running.banner)
        assert "my-key" not in "\n".join(running.banner)
        sys.path.insert(0, str(Path(__file__).parent))
        import chinaums_client

        body = chinaums_client.go_json(chinaums_client.close_request("3194000002"))
        status, answer = post(running.url + "/v1/netpay/wx/app-pre-close", body,
                              chinaums_client.open_body_sig("my-app", "my-key", body))
        assert status == 200
        assert answer["errCode"] == "NO_ORDER"  # strict orders from the config file
    finally:
        running.stop()
    config.write_text("apps:\n  - appId: my-app\nport: eighty\n", encoding="utf-8")
    result = mockums("serve", "--config", str(config))
    assert result.returncode == 2
    assert result.stderr.startswith(f"mockums: {config}: port must be an integer, got 'eighty'")


def test_unknown_strict_part_is_refused() -> None:
    result = mockums("serve", "--strict", "headers")
    assert result.returncode == 2
    assert "--strict: unknown parts ['headers'] (use all or header, timestamp, request, orders)" in result.stderr


def test_serve_control_options() -> None:
    running = Server("--control-token", "t0k3n", "--journal-size", "5", "--no-watch")
    try:
        request = urllib.request.Request(running.url + "/__mockums/journal")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 401
        request.add_header("Authorization", "Bearer t0k3n")
        with urllib.request.urlopen(request, timeout=10) as response:
            assert json.loads(response.read()) == []
    finally:
        running.stop()
    closed = Server("--no-control")
    try:
        with pytest.raises(urllib.error.HTTPError) as off:
            urllib.request.urlopen(closed.url + "/__mockums/journal", timeout=10)
        assert off.value.code == 404
    finally:
        closed.stop()

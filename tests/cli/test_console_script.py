"""The `mockums` command as a user runs it, in real subprocesses: the console script is installed, `serve`
stops cleanly on SIGTERM, and a request `sign` prints is one the server accepts (a sandbox with `serve`'s
defaults, served over real HTTP from a thread of this process: the `serve` process itself is the SIGTERM
test's, and a second one cost 0.5 s of CPU).

Everything else about the command line is tested in-process, where coverage sees it: tests/cli/.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

import mockums as package

REPO = Path(__file__).resolve().parents[2]


def console_script() -> str:
    """The `mockums` script pip installed next to this interpreter (the entry point in pyproject.toml)."""
    found = Path(sys.executable).parent / "mockums"
    if found.exists():
        return str(found)
    on_path = shutil.which("mockums")
    assert on_path, "the mockums console script is not installed: pip install -e ."
    return on_path


def mockums(*args: str, stdin: str | None = None, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """`python -m mockums ARGS`, as a subprocess."""
    return subprocess.run([sys.executable, "-m", "mockums", *args], capture_output=True, text=True,
                          input=stdin, timeout=timeout, check=False)


class Server:
    """`mockums serve --port 0` through the console script, read until its banner is printed."""

    def __init__(self) -> None:
        self.process = subprocess.Popen([console_script(), "serve", "--port", "0"],
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

    def stop(self) -> int | None:
        """SIGTERM, as a service manager would; the exit status (None if it had to be killed)."""
        self.process.terminate()
        try:
            return self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
            return None


@pytest.fixture
def server() -> Iterator[package.Mockums]:
    """A sandbox with the settings `mockums serve` starts with, on a real socket (a thread of this process)."""
    with package.serving(watch=False) as running:
        yield running


def post(url: str, body: bytes, authorization: str) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json", "Authorization": authorization})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_the_console_script_serves_and_stops_cleanly_on_sigterm() -> None:
    server = Server()
    try:
        text = "\n".join(server.banner)
        assert text.startswith("mockums listening on http://127.0.0.1:")
        assert re.search(r"demo app:  appId=[0-9a-f]{32}  appKey=[0-9a-f]{32}", text)
        assert "scenarios: 38 loaded" in text
        with urllib.request.urlopen(server.url + "/__mockums/health", timeout=10) as response:
            assert json.loads(response.read())["status"] == "ok"
    finally:
        code = server.stop()
    assert code == 0, server.process.stderr.read() if server.process.stderr else ""
    assert server.process.stdout is not None
    assert server.process.stdout.read().endswith("mockums stopped\n")  # it says so, on SIGTERM too


def test_sign_prints_a_curl_command_the_server_accepts(server: package.Mockums) -> None:
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


def test_the_console_script_checks_the_bundled_scenarios() -> None:
    result = subprocess.run([console_script(), "check", str(REPO / "scenarios")], capture_output=True, text=True,
                            timeout=30, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("38 scenario(s) in 6 file(s): OK")
    assert "already-paid                 merOrderIdPrefix MKPAID  magic id MKPAID0001" in result.stdout


def test_a_reader_that_leaves_early_gets_no_traceback() -> None:
    """`mockums check … | head -1`: the pipe closes before the listing is written; a quiet exit, no traceback."""
    import os

    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has gone before anything is written
    try:
        result = subprocess.run([console_script(), "check", str(REPO / "scenarios")], stdout=write_end,
                                stderr=subprocess.PIPE, text=True, timeout=30, check=False)
    finally:
        os.close(write_end)
    assert result.returncode == 1
    assert result.stderr == ""

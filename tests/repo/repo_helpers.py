"""What the tests of the repository's commands share (a plain module: test modules import it, never each other)."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CONSOLE = Path(sys.executable).parent / "mockums"
STARTUP = 30.0  # seconds: a bound, not a wait


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def block_in(text: str, marker: str, language: str) -> str:
    """The first `language` block of `text` after the text `marker`."""
    rest = text[text.index(marker):]
    return re.search(rf"```{language}\n(.*?)```", rest, re.S).group(1)  # type: ignore[union-attr]


def printed_curl(output: str) -> str:
    """The curl command `mockums sign` printed (after the header line and a blank line)."""
    return output.split("\n\n", 1)[1]


def make_shell(folder: Path) -> Shell:
    """A scratch folder holding `.venv/bin/mockums` (a link to the installed console script)."""
    assert CONSOLE.exists(), f"no console script at {CONSOLE}"
    (folder / ".venv" / "bin").mkdir(parents=True)
    (folder / ".venv" / "bin" / "mockums").symlink_to(CONSOLE)
    return Shell(folder, free_port())


@dataclass
class Shell:
    """A scratch folder with `.venv/bin/mockums`, where README commands run as typed."""

    folder: Path
    port: int

    @property
    def env(self) -> dict[str, str]:
        """A user's shell: no MOCKUMS_ variable but the port, and not the test interpreter's folder on PATH (a
        runner such as nox puts it there, which would change how the banner names the program)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("MOCKUMS_")}
        path = os.pathsep.join(part for part in env.get("PATH", "").split(os.pathsep) if Path(part) != CONSOLE.parent)
        # The JVM the README's keytool and java lines start runs for a second or two: its first-tier compiler and
        # serial collector only (what a short-lived JVM does best; read by the JVM alone, which says so on stderr)
        # took about 1 s of CPU less for the two of them here.
        return {**env, "PATH": path, "MOCKUMS_PORT": str(self.port), "NO_PROXY": "127.0.0.1,localhost",
                "no_proxy": "127.0.0.1", "JAVA_TOOL_OPTIONS": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"}

    def localised(self, command: str) -> str:
        return command.replace("127.0.0.1:8000", f"127.0.0.1:{self.port}")

    def run(self, command: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(["bash", "-c", self.localised(command)], cwd=self.folder, env=self.env, text=True,
                                capture_output=True, timeout=timeout, check=False)
        assert result.returncode == 0, f"`{command}` failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
        return result

    def wait_listening(self, port: int) -> None:
        """Until something accepts connections on 127.0.0.1:`port` (a server the test started)."""
        deadline = time.monotonic() + STARTUP
        while True:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    return
            assert time.monotonic() < deadline, f"nothing listens on 127.0.0.1:{port}"
            time.sleep(0.05)

    @contextmanager
    def serving(self, command: str) -> Iterator[list[str]]:
        """Run a `mockums serve` command until its banner is out; the banner's lines."""
        out = (self.folder / "serve.out").open("w+", encoding="utf-8")
        process = subprocess.Popen(shlex.split(command), cwd=self.folder, env=self.env, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + STARTUP
            while "  try:" not in (text := (self.folder / "serve.out").read_text(encoding="utf-8")):
                assert process.poll() is None, f"`{command}` exited {process.returncode}:\n{text}"
                assert time.monotonic() < deadline, f"`{command}` printed no banner:\n{text}"
                time.sleep(0.05)
            yield [line for line in text.splitlines() if not re.match(r"\d{4}-\d\d-\d\dT", line)]
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=15)
            out.close()


def fenced(text: str) -> list[tuple[str, str]]:
    """Every fenced block of `text`, in order: (language, content)."""
    return re.findall(r"```(\w+)\n(.*?)```", text, re.S)


def answer(shell: Shell, command: str) -> Any:
    """The JSON a command prints; for `mockums sign`, what the curl command it prints answers."""
    output = shell.run(command).stdout
    if " sign " in command:
        output = shell.run(printed_curl(output)).stdout
    return json.loads(output)

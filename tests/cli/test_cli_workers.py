"""`mockums serve --workers N` and the store at start (issue #23).

The refusals run in-process (`cli.main`); the workers are real processes (`python -m mockums serve --workers 2`)
on a loopback port, against a real redis-server (`redis_url`), each step bounded in time: nothing sleeps and then
asserts that something did not happen.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import chinaums_client
import pytest
from cli_harness import NO_PROXY, serve_settings
from real_redis import free_port

from mockums import cli
from mockums.config import DEMO_APP

BOUND = 30.0  # seconds any one step may take (a bound, not a wait: each returns as soon as it can)
HAS_REDIS_STORE = importlib.util.find_spec("mockums.core.redis_store") is not None
needs_redis_store = pytest.mark.skipif(not HAS_REDIS_STORE, reason="the Redis store (mockums.core.redis_store, branch "
                                       "redis-core) is not in this tree yet")


def alive(pid: int) -> bool:
    """Whether a process (not a zombie) has this pid."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def refused(port: int) -> bool:
    """Whether nothing listens on 127.0.0.1:`port`."""
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def test_workers_are_a_setting_of_the_table(tmp_path: Path) -> None:
    assert serve_settings().workers == 1
    assert serve_settings("--workers", "4").workers == 4
    assert serve_settings(env={"MOCKUMS_WORKERS": "3", "MOCKUMS_REPLICA": "east"}).workers == 3
    assert serve_settings(env={"MOCKUMS_REPLICA": "east"}).replica == "east"
    config = tmp_path / "team.yaml"
    config.write_text("workers: 2\nreplica: west\nstore: redis://redis:6379/0\n", encoding="utf-8")
    settings = serve_settings("--config", str(config))
    assert (settings.workers, settings.replica, settings.store) == (2, "west", "redis://redis:6379/0")


def test_workers_with_the_memory_store_are_refused_at_once(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["--workers", "2"], ["--workers", "2", "--store", "memory"]):
        assert cli.main(["serve", "--port", "0", *argv]) == 2
        err = capsys.readouterr().err
        assert err == ("mockums: --workers 2 needs a shared store: with the memory store each process would keep its "
                       "own orders, tokens, scenarios and journal, and each request would land on whichever process "
                       "the kernel picks; start Redis and pass --store redis://HOST:PORT/DB (or set MOCKUMS_STORE), "
                       "or serve with one worker\n")


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_store_that_cannot_be_reached_stops_the_start_before_the_port_is_bound(
        workers: str, capsys: pytest.CaptureFixture[str]) -> None:
    nothing, port = free_port(), free_port()  # no Redis listens on the first
    url = f"redis://127.0.0.1:{nothing}/0"
    assert cli.main(["serve", "--port", str(port), "--store", url, "--workers", workers]) == 1
    captured = capsys.readouterr()
    [line] = captured.err.splitlines()
    assert line.startswith("mockums: cannot use the store") and url in line, line
    assert "listening" not in captured.out and refused(port)


def test_a_store_url_shows_no_password(capsys: pytest.CaptureFixture[str]) -> None:
    url = f"redis://user:s3cret@127.0.0.1:{free_port()}/0"
    assert cli.main(["serve", "--port", "0", "--store", url]) == 1
    err = capsys.readouterr().err
    assert "s3cret" not in err and "user" not in err and "redis://…@127.0.0.1:" in err


# -- real workers ---------------------------------------------------------------------------------------------------


class Served:
    """`mockums serve --workers 2` in its own process group: its output read as it comes."""

    def __init__(self, *argv: str) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen([sys.executable, "-m", "mockums", "serve", *argv], stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True, env=env, start_new_session=True)
        self.out: list[str] = []
        self.err: list[str] = []
        self.changed = threading.Condition()
        for stream, lines in ((self.process.stdout, self.out), (self.process.stderr, self.err)):
            threading.Thread(target=self._read, args=(stream, lines), daemon=True).start()

    def _read(self, stream: object, lines: list[str]) -> None:
        for line in stream:  # type: ignore[attr-defined]
            with self.changed:
                lines.append(line.rstrip("\n"))
                self.changed.notify_all()

    def wait_for(self, text: str, lines: list[str]) -> str:
        """The first line holding `text`, once one has come (within BOUND seconds)."""
        with self.changed:
            found = self.changed.wait_for(lambda: next((line for line in lines if text in line), None) or (
                self.process.poll() is not None), BOUND)
        line = next((line for line in lines if text in line), None)
        assert line is not None, f"no {text!r} within {BOUND} s: out={self.out} err={self.err} ({found})"
        return line

    def ended(self) -> int:
        return self.process.wait(BOUND)

    def workers(self) -> list[int]:
        """The pids of the supervisor's children (Linux)."""
        pid = self.process.pid
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(BOUND)


@pytest.fixture
def served() -> Iterator[list[Served]]:
    started: list[Served] = []
    yield started
    for one in started:
        one.stop()


def health(port: int) -> dict[str, object]:
    try:
        with NO_PROXY.open(f"http://127.0.0.1:{port}/__mockums/health", timeout=10) as answer:
            return dict(json.load(answer))
    except urllib.error.HTTPError as error:
        return dict(json.loads(error.read()))


README = Path(__file__).resolve().parents[2] / "README.md"


def readme_command(redis_url: str) -> list[str]:
    """The README's `mockums serve --workers` command ("A team sandbox"), its arguments after `serve`, with this
    test's Redis in place of the README's."""
    text = README.read_text(encoding="utf-8").split("## A team sandbox", 1)[1]
    line = next(line for line in text.splitlines() if " serve --workers " in line)
    arguments = line.split(" serve ", 1)[1].split()
    assert "redis://127.0.0.1:6379/0" in arguments, line
    return [redis_url if argument == "redis://127.0.0.1:6379/0" else argument for argument in arguments]


def start(served: list[Served], redis_url: str, *more: str) -> Served:
    server = Served(*readme_command(redis_url), "--port", "0", "--replica", "team", *more)
    served.append(server)
    return server


def close(port: int, order_id: str) -> None:
    """A signed close of `order_id`, on a connection of its own (so either worker may take it)."""
    body = json.dumps(chinaums_client.close_request(order_id)).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/netpay/wx/app-pre-close", data=body, headers={
        "Content-Type": "application/json",
        "Authorization": chinaums_client.open_body_sig(DEMO_APP.app_id, DEMO_APP.app_key, body)})
    with NO_PROXY.open(request, timeout=10) as answer:
        assert json.load(answer)["errCode"] == "SUCCESS"


def journal(port: int) -> list[dict[str, object]]:
    with NO_PROXY.open(f"http://127.0.0.1:{port}/__mockums/journal?view=summary", timeout=10) as answer:
        return list(json.load(answer))


MINE = "scenarios:\n  - name: {name}\n    match: {{merOrderIdPrefix: {name}}}\n    respond: {{fields: {{errCode: SYSTEM_BUSY}}}}\n"


def replicas_scenarios(port: int) -> dict[object, object]:
    """How many scenarios each worker has in force, as its health says (asked until both have answered)."""
    seen: dict[object, object] = {}
    deadline = time.monotonic() + BOUND
    while len(seen) < 2 and time.monotonic() < deadline:
        answer = health(port)
        seen[answer["replica"]] = answer["scenarios"]
    return seen


def listening(server: Served) -> int:
    line = server.wait_for("mockums listening on http://127.0.0.1:", server.out)
    return int(line.rsplit(":", 1)[1])


@needs_redis_store
def test_workers_share_a_port_stop_together_and_stop_when_a_worker_or_the_supervisor_dies(
        served: list[Served], redis_url: str, tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text(MINE.format(name="mine"), encoding="utf-8")
    server = start(served, redis_url, "--scenarios", str(tmp_path))
    doomed = start(served, redis_url, "--no-bundled")  # all start at once: a third of the wait
    orphaned = start(served, redis_url, "--no-bundled")
    port = listening(server)
    workers_line = server.wait_for("  workers:", server.out)
    assert workers_line == (f"  workers:   2 processes on this port, one sandbox in {redis_url} "
                            "(replicas team-1 to team-2)")
    assert len(server.workers()) == 2
    # Each new connection is handed to one of the two listening sockets: both answer, each under its name.
    seen: set[object] = set()
    deadline = time.monotonic() + BOUND
    while seen != {"team-1", "team-2"} and time.monotonic() < deadline:
        answer = health(port)
        assert answer["status"] == "ok"
        seen.add(answer["replica"])
    assert seen == {"team-1", "team-2"}
    assert sum("mockums listening" in line for line in server.out) == 1  # one banner, the supervisor's
    # One journal, in Redis: each worker's requests in it, each entry marked with the worker that answered.
    answered: set[object] = set()
    for number in range(200):
        close(port, f"MKSUCCESS{number:04d}")
        answered = {row["replica"] for row in journal(port)}
        if answered == {"team-1", "team-2"}:
            break
    assert answered == {"team-1", "team-2"}
    # A scenario file edited: every worker reloads it (each keeps the files' scenarios), one says so in the log.
    loaded = replicas_scenarios(port)
    (tmp_path / "another.yaml").write_text(MINE.format(name="another"), encoding="utf-8")
    deadline = time.monotonic() + BOUND
    while time.monotonic() < deadline and any(
            count != loaded[replica] + 1 for replica, count in replicas_scenarios(port).items()):
        time.sleep(0.05)
    assert replicas_scenarios(port) == {replica: count + 1 for replica, count in loaded.items()}
    server.process.send_signal(signal.SIGTERM)
    assert server.ended() == 0
    assert server.out[-1] == "mockums stopped" and refused(port)
    assert sum("scenario files changed" in line for line in server.err) == 1, server.err  # both reloaded before

    # A worker that dies is said, and the supervisor stops the other and exits 1 (for its runner to restart it all).
    other_port = listening(doomed)
    first, second = doomed.workers()
    os.kill(first, signal.SIGKILL)
    assert doomed.ended() == 1
    said = doomed.wait_for("stopping the others", doomed.err)
    assert said.startswith("mockums: worker ") and f"(pid {first}) was killed by SIGKILL" in said
    with pytest.raises(ProcessLookupError):  # the other one was stopped too
        os.kill(second, 0)
    assert refused(other_port)

    # Workers whose supervisor is killed stop by themselves (they look every second), freeing the port.
    third_port = listening(orphaned)
    workers = orphaned.workers()
    os.kill(orphaned.process.pid, signal.SIGKILL)
    orphaned.ended()
    deadline = time.monotonic() + BOUND
    while time.monotonic() < deadline and not (refused(third_port) and not any(alive(pid) for pid in workers)):
        time.sleep(0.05)
    assert refused(third_port) and not any(alive(pid) for pid in workers)

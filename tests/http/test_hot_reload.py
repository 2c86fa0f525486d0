"""Scenario files edited while the server runs apply without a restart, at the watcher's next looks; a
broken edit keeps the previous set and says why; orders and tokens survive. What the watcher has looked
at is seen by counting its looks, not by waiting a while on wall time."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import chinaums_client
import pytest
from conftest import CLOSE, Caller, MakeCaller

from mockums.config import DEMO_APP
from mockums.server import background

VERSION = """\
scenarios:
  - name: editable
    match: {{merOrderIdPrefix: EDIT}}
    respond:
      fields: {{errCode: {code}}}
"""


def write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    stamp = path.stat().st_mtime_ns + 1_000_000_000  # a distinct mtime even on coarse filesystems
    os.utime(path, ns=(stamp, stamp))


async def eventually(caller: Caller, order_id: str, code: str, within: float = 10.0) -> list[str]:
    """Until the sandbox answers `code` for this order (fails after `within` seconds): the answers until then."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    answers = []
    while True:
        answers.append(got := (await caller.close(order_id)).json["errCode"])
        if got == code:
            return answers
        assert loop.time() - started < within, f"still {got} after {within} s"
        await asyncio.sleep(0.02)


async def until(condition: Callable[[], object], what: str, within: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not condition():
        assert loop.time() < deadline, f"{what}: not within {within} s"
        await asyncio.sleep(0.005)


async def test_edits_apply_without_restart_and_state_survives(make_caller: MakeCaller, tmp_path: Path) -> None:
    scenario_file = tmp_path / "edit.yaml"
    write(scenario_file, VERSION.format(code="TARGET_FAIL"))
    caller = await make_caller(scenario_paths=(tmp_path,))
    assert (caller.sandbox.settings.watch, caller.sandbox.settings.watch_interval) == (True, 0.5)  # the defaults
    body = json.dumps(chinaums_client.token_request(DEMO_APP.app_id, DEMO_APP.app_key)).encode()
    token = (await caller.raw("/v1/token/access", body, None)).json["accessToken"]
    assert (await caller.close("MKSUCCESS202611260600")).json["errCode"] == "SUCCESS"
    assert (await caller.close("EDIT0001")).json["errCode"] == "TARGET_FAIL"

    write(scenario_file, VERSION.format(code="SYSTEM_BUSY"))
    await eventually(caller, "EDIT0002", "SYSTEM_BUSY")

    again = (await caller.close("MKSUCCESS202611260600")).json
    assert again["errCode"] == "OPERATION_NOT_ALLOWED"  # the order closed before the reload is still closed
    request = chinaums_client.go_json(chinaums_client.close_request("MKSUCCESS202611260601"))
    with_token = await caller.raw(CLOSE, request, f"OPEN-ACCESS-TOKEN AccessToken={token}")
    assert with_token.json["errCode"] == "SUCCESS"


async def test_a_broken_edit_keeps_the_previous_set_and_reports(make_caller: MakeCaller, tmp_path: Path) -> None:
    scenario_file = tmp_path / "edit.yaml"
    write(scenario_file, VERSION.format(code="TARGET_FAIL"))
    caller = await make_caller(scenario_paths=(tmp_path,), watch_interval=0.1)
    write(scenario_file, VERSION.format(code="TARGET_FAIL") + "      delay: forever\n")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    status: dict[str, object] = {}
    while loop.time() < deadline:
        async with caller.client.get("/__mockums/scenarios/reload") as response:
            status = await response.json()
        if status["at"] is not None:
            break
        await asyncio.sleep(0.05)
    assert status["ok"] is False
    errors = status["errors"]
    assert isinstance(errors, list)
    assert errors[0].startswith(f"{scenario_file}:6: scenarios[0].respond.delay: ")
    assert (await caller.close("EDIT0003")).json["errCode"] == "TARGET_FAIL"  # previous set still in force

    write(scenario_file, VERSION.format(code="NO_MERCHANT"))
    await eventually(caller, "EDIT0004", "NO_MERCHANT")


async def test_reload_on_request(make_caller: MakeCaller, tmp_path: Path) -> None:
    scenario_file = tmp_path / "edit.yaml"
    write(scenario_file, VERSION.format(code="TARGET_FAIL"))
    caller = await make_caller(scenario_paths=(tmp_path,), watch=False)
    write(scenario_file, VERSION.format(code="SYSTEM_BUSY"))
    # Not watching: the server started its clock ticker but no file watcher, so nothing will take the change up.
    background = {task.get_name() for task in asyncio.all_tasks()}
    assert "mockums-tick" in background and "mockums-watch" not in background
    assert caller.sandbox.scenario_files_changed()  # the change is there to be seen…
    assert (await caller.close("EDIT0005")).json["errCode"] == "TARGET_FAIL"  # …and not applied
    async with caller.client.post("/__mockums/scenarios/reload") as response:
        assert response.status == 200
        assert (await response.json())["ok"] is True
    assert (await caller.close("EDIT0006")).json["errCode"] == "SYSTEM_BUSY"


async def test_a_file_caught_mid_save_is_not_loaded(make_caller: MakeCaller, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    scenario_file = tmp_path / "edit.yaml"
    new_text = VERSION.format(code="SYSTEM_BUSY")
    write(scenario_file, VERSION.format(code="TARGET_FAIL"))
    caller = await make_caller(scenario_paths=(tmp_path,), watch_interval=0.02)
    # The watcher reloads only once two of its checks, SETTLE_SECONDS apart, find the files unchanged. Here
    # each of those pauses lasts until the test lets it end (instead of a span of wall time), and each
    # reload records the file as it read it (the real methods still do the work).
    settling, settled = asyncio.Event(), asyncio.Event()
    reloaded: list[str] = []

    class WatcherAsyncio:
        def __getattr__(self, name: str) -> Any:
            return getattr(asyncio, name)

        @staticmethod
        async def sleep(seconds: float) -> None:
            if seconds != background.SETTLE_SECONDS:
                await asyncio.sleep(seconds)
                return
            settling.set()
            await settled.wait()

    reload = caller.sandbox.reload_scenarios

    def recorded_reload(*args: Any, **kwargs: Any) -> Any:
        reloaded.append(scenario_file.read_text(encoding="utf-8"))
        return reload(*args, **kwargs)

    monkeypatch.setattr(background, "asyncio", WatcherAsyncio())
    monkeypatch.setattr(caller.sandbox, "reload_scenarios", recorded_reload)
    write(scenario_file, "")  # an editor truncates first…
    await until(lambda: settling.is_set() or reloaded, "the watcher seeing the change")
    assert reloaded == []  # …the watcher has seen the empty file, and waits for the files to settle…
    write(scenario_file, new_text)  # …then the editor writes the new text
    settled.set()
    answers = await eventually(caller, "EDIT0001", "SYSTEM_BUSY")
    assert set(answers) <= {"TARGET_FAIL", "SYSTEM_BUSY"}, answers  # never the empty file's "no scenario" NO_ORDER
    assert reloaded == [new_text]  # one reload, of the settled files: the empty file was never loaded


async def test_touching_files_the_loader_ignores_does_not_undo_a_removal(
    make_caller: MakeCaller, tmp_path: Path
) -> None:
    write(tmp_path / "edit.yaml", VERSION.format(code="TARGET_FAIL"))
    caller = await make_caller(scenario_paths=(tmp_path,), watch_interval=0.02)
    sandbox = caller.sandbox
    assert (await caller.close("EDIT0001")).json["errCode"] == "TARGET_FAIL"
    async with caller.client.delete("/__mockums/scenarios/editable") as response:
        assert response.status == 200
    assert (await caller.close("EDIT0002")).json["errCode"] == "NO_ORDER"  # nothing speaks for EDIT… now

    # Count the watcher's looks (the real method still answers), to know it has seen the touches.
    looks_after_touch = 0
    touched = False
    look = sandbox.scenario_files_changed

    def counting_look() -> bool:
        nonlocal looks_after_touch
        started_after_touch = touched
        answer = look()
        looks_after_touch += started_after_touch
        return answer

    sandbox.scenario_files_changed = counting_look  # type: ignore[method-assign]
    (tmp_path / ".git").mkdir()
    write(tmp_path / ".git" / "x.yml", "[not, a, scenario file")
    write(tmp_path / ".x.yaml", VERSION.format(code="SYSTEM_BUSY").replace("editable", "hidden"))
    touched = True
    # A look that sees a change waits for the files to settle, looks again, then reloads: after three
    # looks begun after the touches, a reload they caused would have happened.
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while looks_after_touch < 3 and loop.time() < deadline:
        await asyncio.sleep(0.01)
    assert looks_after_touch >= 3, "the watcher did not look"
    assert sandbox.reload_status()["at"] is None
    assert (await caller.close("EDIT0003")).json["errCode"] == "NO_ORDER"  # still removed: nothing speaks for it
    async with caller.client.get("/__mockums/scenarios") as response:
        assert "editable" not in await response.text()

    write(tmp_path / "edit.yaml", VERSION.format(code="NO_MERCHANT"))  # a real edit still reloads
    await eventually(caller, "EDIT0004", "NO_MERCHANT")

"""Scenario files edited while the server runs apply within a second; a broken edit keeps the
previous set and says why; orders and tokens survive."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import chinaums_client
from conftest import CLOSE, Caller, MakeCaller

from mockums.config import DEMO_APP

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


async def eventually(caller: Caller, order_id: str, code: str, within: float = 1.0) -> float:
    """Seconds until the sandbox answers `code` for this order (fails after `within`)."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    while True:
        got = (await caller.close(order_id)).json["errCode"]
        if got == code:
            return loop.time() - started
        assert loop.time() - started < within, f"still {got} after {within} s"
        await asyncio.sleep(0.05)


async def test_edits_apply_without_restart_and_state_survives(make_caller: MakeCaller, tmp_path: Path) -> None:
    scenario_file = tmp_path / "edit.yaml"
    write(scenario_file, VERSION.format(code="TARGET_FAIL"))
    caller = await make_caller(scenario_paths=(tmp_path,))  # the default polling interval, 0.5 s
    body = json.dumps(chinaums_client.token_request(DEMO_APP.app_id, DEMO_APP.app_key)).encode()
    token = (await caller.raw("/v1/token/access", body, None)).json["accessToken"]
    assert (await caller.close("MKSUCCESS202611260600")).json["errCode"] == "SUCCESS"
    assert (await caller.close("EDIT0001")).json["errCode"] == "TARGET_FAIL"

    write(scenario_file, VERSION.format(code="SYSTEM_BUSY"))
    assert await eventually(caller, "EDIT0002", "SYSTEM_BUSY") < 1.0

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
    deadline = loop.time() + 2
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
    await asyncio.sleep(0.2)
    assert (await caller.close("EDIT0005")).json["errCode"] == "TARGET_FAIL"  # not watching
    async with caller.client.post("/__mockums/scenarios/reload") as response:
        assert response.status == 200
        assert (await response.json())["ok"] is True
    assert (await caller.close("EDIT0006")).json["errCode"] == "SYSTEM_BUSY"


async def test_a_file_caught_mid_save_is_not_loaded(make_caller: MakeCaller, tmp_path: Path) -> None:
    scenario_file = tmp_path / "edit.yaml"
    write(scenario_file, VERSION.format(code="TARGET_FAIL"))
    caller = await make_caller(scenario_paths=(tmp_path,), watch_interval=0.02)
    await asyncio.sleep(0.1)  # the watcher has taken its first look
    write(scenario_file, "")  # an editor truncates first…
    await asyncio.sleep(0.1)  # …long enough for a poll to see the empty file…
    write(scenario_file, VERSION.format(code="SYSTEM_BUSY"))  # …then writes the new text
    seen = set()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 1.5
    while loop.time() < deadline:
        seen.add((await caller.close(f"EDIT{len(seen):04d}")).json["errCode"])
        await asyncio.sleep(0.02)
    assert seen <= {"TARGET_FAIL", "SYSTEM_BUSY"}, seen  # never the empty file's "no scenario" NO_ORDER
    assert "SYSTEM_BUSY" in seen


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
    deadline = loop.time() + 2
    while looks_after_touch < 3 and loop.time() < deadline:
        await asyncio.sleep(0.01)
    assert looks_after_touch >= 3, "the watcher did not look"
    assert sandbox.reload_status()["at"] is None
    assert (await caller.close("EDIT0003")).json["errCode"] == "NO_ORDER"  # still removed: nothing speaks for it
    async with caller.client.get("/__mockums/scenarios") as response:
        assert "editable" not in await response.text()

    write(tmp_path / "edit.yaml", VERSION.format(code="NO_MERCHANT"))  # a real edit still reloads
    await eventually(caller, "EDIT0004", "NO_MERCHANT")

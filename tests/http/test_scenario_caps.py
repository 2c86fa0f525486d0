"""Runtime scenarios are capped by size: each upload (`max_scenario_upload_bytes`) and all of them together
(`max_runtime_scenario_bytes`); a refusal is a 413 that says the cap and how to raise it."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import Caller, MakeCaller

from mockums.config import Settings
from mockums.core.sandbox import Sandbox
from mockums.errors import OverCap

YAML = {"Content-Type": "application/yaml"}


def scenario(name: str, padding: int = 0) -> str:
    """One scenario, in about 150 + `padding` bytes of YAML."""
    return (f"scenarios:\n  - name: {name}\n    match: {{merOrderIdPrefix: CAP{name.upper()}X}}\n"
            f"    respond: {{fields: {{errCode: TARGET_FAIL, errMsg: '{'m' * padding}'}}}}\n")


async def upload(caller: Caller, method: str, path: str, text: str) -> tuple[int, Any]:
    async with caller.client.request(method, "/__mockums" + path, data=text.encode(), headers=YAML) as response:
        return response.status, await response.json()


@pytest.fixture
async def capped(make_caller: MakeCaller) -> Caller:
    return await make_caller(max_scenario_upload_bytes=1024, max_runtime_scenario_bytes=2048)


async def test_an_upload_over_its_cap_gets_413_naming_the_cap(capped: Caller) -> None:
    text = scenario("big", 1000)
    status, problem = await upload(capped, "POST", "/scenarios", text)
    assert status == 413
    assert problem["error"].startswith(f"a scenario upload is at most 1024 bytes, this one is {len(text)};")
    assert "max_scenario_upload_bytes" in problem["error"] and "--max-scenario-upload-bytes" in problem["error"]
    assert (await upload(capped, "PUT", "/scenarios/big", text))[0] == 413
    async with capped.client.get("/__mockums/scenarios") as response:
        assert "big" not in {s["name"] for s in await response.json()}


async def test_all_runtime_scenarios_together_are_capped_until_some_go(capped: Caller) -> None:
    for name in ("one", "two", "three"):
        assert (await upload(capped, "POST", "/scenarios", scenario(name, 500)))[0] == 201, name
    status, problem = await upload(capped, "POST", "/scenarios", scenario("four", 500))
    assert status == 413
    assert "runtime scenarios may take 2048 bytes in all" in problem["error"]
    assert "max_runtime_scenario_bytes" in problem["error"] and "reset" in problem["error"]
    # Replacing one counts its own bytes out; removing one makes room; a reset frees it all.
    assert (await upload(capped, "PUT", "/scenarios/three", scenario("three", 500)))[0] == 200
    async with capped.client.delete("/__mockums/scenarios/two") as response:
        assert response.status == 200
    assert (await upload(capped, "POST", "/scenarios", scenario("four", 500)))[0] == 201
    async with capped.client.post("/__mockums/reset") as response:
        assert response.status == 200
    for name in ("five", "six", "seven"):
        assert (await upload(capped, "POST", "/scenarios", scenario(name, 500)))[0] == 201, name


def test_an_upload_given_in_process_is_measured_too() -> None:
    sandbox = Sandbox(Settings(max_scenario_upload_bytes=1024, max_runtime_scenario_bytes=1500), ())
    answer = {"respond": {"fields": {"errCode": "TARGET_FAIL", "errMsg": "m" * 600}}}
    sandbox.add_scenarios({"name": "a", "match": {"merOrderIdPrefix": "INPROCA"}, **answer})
    sandbox.add_scenarios(scenario("b", 600))
    with pytest.raises(OverCap, match="runtime scenarios may take 1500 bytes in all"):
        sandbox.add_scenarios({"name": "c", "match": {"merOrderIdPrefix": "INPROCC"}, **answer})
    with pytest.raises(OverCap, match="a scenario upload is at most 1024 bytes"):
        sandbox.add_scenarios(scenario("d", 2000))

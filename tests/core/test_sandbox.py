"""The core facade without HTTP: every control operation is one call, and requests are journaled."""

from __future__ import annotations

import json

import chinaums_client
import pytest
from conftest import sandbox_for

from mockums.config import DEMO_APP, Settings
from mockums.core import Conflict, Invalid, NotFound, Sandbox, ScenarioFilesError

CLOSE, ORDER = "/v1/netpay/wx/app-pre-close", "/v1/netpay/wx/app-pre-order"
MID = "898201612345678"


@pytest.fixture
def sandbox() -> Sandbox:
    return sandbox_for(Settings(seed=3))


def send(sandbox: Sandbox, path: str, order_id: str, **fields: object) -> dict[str, object]:
    body = chinaums_client.go_json(chinaums_client.close_request(order_id, **fields))
    reply = sandbox.handle_api(path, chinaums_client.open_body_sig(DEMO_APP.app_id, DEMO_APP.app_key, body), body)
    return dict(reply.body)


def test_a_request_is_answered_and_journaled(sandbox: Sandbox) -> None:
    assert send(sandbox, CLOSE, "MKSUCCESSCORE0001")["errCode"] == "SUCCESS"
    [entry] = sandbox.journal("MKSUCCESSCORE0001")
    assert (entry["endpoint"], entry["auth"]["verdict"], entry["errCode"]) == (CLOSE, "ok", "SUCCESS")  # type: ignore[index]
    assert json.loads(str(entry["request"]))["merOrderId"] == "MKSUCCESSCORE0001"


def test_pay_notify_and_forget(sandbox: Sandbox) -> None:
    with pytest.raises(NotFound):
        sandbox.pay(MID, "3194CORE0002")
    send(sandbox, ORDER, "3194CORE0002", totalAmount=100)
    with pytest.raises(Conflict, match="no payment to notify about yet"):
        sandbox.notify(MID, "3194CORE0002")
    assert sandbox.pay(MID, "3194CORE0002")["status"] == "TRADE_SUCCESS"
    with pytest.raises(Conflict, match="only NEW_ORDER or WAIT_BUYER_PAY"):
        sandbox.pay(MID, "3194CORE0002")
    with pytest.raises(Conflict, match="no notifyUrl"):
        sandbox.notify(MID, "3194CORE0002")
    assert sandbox.forget_order(MID, "3194CORE0002") == {"reset": True}
    assert sandbox.orders() == [] and sandbox.journal("3194CORE0002") == []


def test_the_clock_moves_only_within_range(sandbox: Sandbox) -> None:
    frozen = sandbox.move_clock(freeze=True, at="2026-12-01 12:00:00")
    assert (frozen["beijing"], frozen["frozen"]) == ("2026-12-01 12:00:00", True)
    assert sandbox.move_clock(advance=60)["beijing"] == "2026-12-01 12:01:00"
    with pytest.raises(Invalid, match=r"outside 1970\.\.2100"):
        sandbox.move_clock(advance=1e12)
    with pytest.raises(Invalid, match="is not epoch seconds"):
        sandbox.move_clock(at="tomorrow")
    assert sandbox.clock_state()["beijing"] == "2026-12-01 12:01:00"
    sandbox.reset()
    assert sandbox.clock_state()["frozen"] is False


def test_scenarios_are_added_replaced_and_removed(sandbox: Sandbox) -> None:
    before = len(sandbox.scenarios())
    [added] = sandbox.add_scenarios({"name": "mine", "match": {"merOrderIdPrefix": "3194MINE"},
                                     "respond": {"fields": {"errCode": "TARGET_FAIL"}}})
    assert (added["name"], added["origin"]) == ("mine", "runtime")
    assert send(sandbox, CLOSE, "3194MINE0001")["errCode"] == "TARGET_FAIL"
    sandbox.replace_scenario("mine", {"match": {"merOrderIdPrefix": "3194MINE"}, "respond": {"delay": 0}})
    assert send(sandbox, CLOSE, "3194MINE0002")["errCode"] == "SUCCESS"
    with pytest.raises(Invalid) as problem:
        sandbox.add_scenarios("scenarios:\n  - name: broken\n")
    assert problem.value.details["errors"]
    assert sandbox.remove_scenario("mine") == {"removed": "mine"}
    with pytest.raises(NotFound):
        sandbox.remove_scenario("mine")
    assert len(sandbox.scenarios()) == before


def test_the_seed_makes_answers_reproducible() -> None:
    first, second = sandbox_for(Settings(seed=9)), sandbox_for(Settings(seed=9))
    a = send(first, ORDER, "3194SEED0001", totalAmount=1)
    b = send(second, ORDER, "3194SEED0001", totalAmount=1)
    assert (a["seqId"], a["merName"], a["targetMid"]) == (b["seqId"], b["merName"], b["targetMid"])
    second.set_seed(10)
    assert send(second, ORDER, "3194SEED0002", totalAmount=1)["seqId"] != send(first, ORDER, "3194SEED0002",
                                                                               totalAmount=1)["seqId"]


def test_broken_scenario_files_stop_the_start(tmp_path: object) -> None:
    from pathlib import Path

    folder = Path(str(tmp_path))
    (folder / "bad.yaml").write_text("scenarios:\n  - name: x\n", encoding="utf-8")
    with pytest.raises(ScenarioFilesError, match=r"bad\.yaml:2"):
        Sandbox(Settings(scenario_paths=(folder,)))


async def test_notifications_go_out_through_the_notifier(sandbox: Sandbox) -> None:
    await sandbox.start()
    try:
        send(sandbox, ORDER, "3194CORE0003", totalAmount=1, notifyUrl="not-a-url")
        sandbox.pay(MID, "3194CORE0003")
        [delivery] = sandbox.notifications(MID, "3194CORE0003")
        assert delivery["state"] == "gave_up"
        assert "invalid notify URL" in str(delivery["reason"]) or "unsupported notify URL" in str(delivery["reason"])
    finally:
        await sandbox.stop()

"""`mockums.testing` without a server: its names, each method written once for both handles, and the
assertions' checks and messages over canned answers."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytest

import mockums.testing
from mockums.testing import AsyncMockums, Mockums, MockumsError, MockumsServer, ScenarioError
from mockums.testing import methods as shared
from mockums.testing.calls import Call, Entry
from mockums.testing.failures import format_deliveries, format_journal

URL = "http://127.0.0.1:9"
Answers = Callable[[Call[Any]], tuple[int, Any]]


class CannedSync(Mockums):
    """A blocking handle whose calls are answered by `answers` instead of a sandbox."""

    def __init__(self, answers: Answers) -> None:
        super().__init__(URL)
        self.answers = answers
        self.sent: list[str] = []

    def _send(self, call: Call[Any]) -> tuple[int, Any]:
        self.sent.append(f"{call.method} {call.target()}")
        return self.answers(call)


class CannedAsync(AsyncMockums):
    """The async handle, answered the same way."""

    def __init__(self, answers: Answers) -> None:
        super().__init__(URL, session=None)  # type: ignore[arg-type]  # never used: _send is replaced
        self.answers = answers
        self.sent: list[str] = []

    async def _send(self, call: Call[Any]) -> tuple[int, Any]:
        self.sent.append(f"{call.method} {call.target()}")
        return self.answers(call)


def entry(number: int, endpoint: str = "/v1/netpay/query", order: str = "A1", err_code: str = "SUCCESS") -> Entry:
    return {"id": number, "time": "2026-01-01 12:00:00.000", "endpoint": endpoint, "merOrderId": order,
            "auth": {"verdict": "ok"}, "scenario": None, "status": 200, "errCode": err_code}


def test_the_public_names_are_exported_and_the_deprecated_handle_name_is_an_alias() -> None:
    assert set(mockums.testing.__all__) >= {"AsyncMockums", "BackgroundServer", "MockumsError", "MockumsServer",
                                            "ScenarioError", "bundled_and_configured_scenarios", "Mockums"}
    assert MockumsServer is Mockums
    assert issubclass(ScenarioError, MockumsError)


def test_each_method_is_written_once_and_shows_its_own_signature_and_docstring() -> None:
    sync, async_ = CannedSync(lambda call: (200, [])), CannedAsync(lambda call: (200, []))
    for name in ("journal", "assert_requested", "assert_notified", "advance_clock", "reset"):
        written = inspect.getattr_static(shared.HandleMethods, name)
        assert written.__doc__
        for bound in (getattr(sync, name), getattr(async_, name)):
            assert bound.__doc__ == written.__doc__
            assert "self" not in inspect.signature(bound).parameters
        assert not inspect.iscoroutinefunction(getattr(sync, name))
        assert inspect.iscoroutinefunction(getattr(async_, name))
    assert sync.journal.__qualname__ == "CannedSync.journal"
    assert str(inspect.signature(sync.journal)) == "(merOrderId: 'str | None' = None, endpoint: 'str | None' = None)"


def journal_answers(entries: list[Entry]) -> Answers:
    def answer(call: Call[Any]) -> tuple[int, Any]:
        order, limit = call.query.get("merOrderId"), call.query.get("limit")
        found = [e for e in entries if order is None or e["merOrderId"] == order]
        return 200, found[-int(limit):] if limit else found

    return answer


async def test_both_handles_fail_an_assertion_with_the_same_message() -> None:
    answers = journal_answers([entry(1, order="OTHER1")])
    sync, async_ = CannedSync(answers), CannedAsync(answers)
    with pytest.raises(AssertionError) as blocking:
        sync.assert_requested("/v1/netpay/query", merOrderId="A1", times=1)
    with pytest.raises(AssertionError) as awaited:
        await async_.assert_requested("/v1/netpay/query", merOrderId="A1", times=1)
    assert str(blocking.value) == str(awaited.value)
    assert str(blocking.value).splitlines()[:2] == [
        "expected 1 request to /v1/netpay/query for merOrderId A1, got 0:",
        "the journal holds no request for merOrderId A1; its last 1 request:",
    ]
    assert sync.sent == async_.sent == ["GET /__mockums/journal?merOrderId=A1", "GET /__mockums/journal?limit=10"]


async def test_assert_not_requested_is_assert_requested_with_times_zero() -> None:
    answers = journal_answers([entry(1), entry(2, err_code="SYSTEM_BUSY")])
    for handle in (CannedSync(answers), CannedAsync(answers)):
        result = handle.assert_not_requested(merOrderId="A1", errCode="NO_ORDER")
        assert (await result if inspect.isawaitable(result) else result) is None
    with pytest.raises(AssertionError, match=r"^expected no request for merOrderId A1 answered with errCode "
                       r"SYSTEM_BUSY, got 1:\nthe journal holds 2 requests for merOrderId A1 \(> marks"):
        CannedSync(answers).assert_not_requested(merOrderId="A1", errCode="SYSTEM_BUSY")


def delivery(accepted: bool | None, state: str = "pending") -> Entry:
    attempts = [] if accepted is None else [{"number": 1, "status": 200, "body": "x", "accepted": accepted}]
    return {"notifyId": "n1", "kind": "payment", "params": {"status": "TRADE_SUCCESS"}, "state": state,
            "url": "http://127.0.0.1:9/notify", "attempts": attempts}


async def test_assert_notified_looks_again_until_the_delivery_is_there(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shared, "POLL_SECONDS", 0)
    for make in (CannedSync, CannedAsync):
        looks = iter([[], [delivery(None)], [delivery(True, "delivered")]])
        handle = make(lambda call, looks=looks: (200, [{"notifyUrl": "http://127.0.0.1:9/notify"}])
                      if call.path == "/orders" else (200, next(looks)))
        result = handle.assert_notified("A1", status="TRADE_SUCCESS", accepted=True)
        [found] = await result if inspect.isawaitable(result) else result
        assert found["state"] == "delivered"
        # No delivery yet: a look at the order (it has a notifyUrl, so one will come), then at the deliveries.
        assert handle.sent == ["GET /__mockums/notifications?merOrderId=A1", "GET /__mockums/orders?merOrderId=A1",
                               *["GET /__mockums/notifications?merOrderId=A1"] * 2]


async def test_assert_notified_fails_at_once_for_an_order_without_notify_url() -> None:
    for make in (CannedSync, CannedAsync):
        handle = make(lambda call: (200, [{"merOrderId": "A1", "notifyUrl": None}] if call.path == "/orders" else []))
        async def assert_notified(handle: Any = handle) -> object:
            result = handle.assert_notified("A1", timeout=30)
            return await result if inspect.isawaitable(result) else result

        with pytest.raises(AssertionError) as failed:
            await assert_notified()
        assert str(failed.value) == (
            "expected at least one notification for merOrderId A1, but the order was created without a notifyUrl: "
            "the sandbox notifies only the notifyUrl an order is created with, so none will come (create it with "
            "notifyUrl=… to receive them).")
        assert len(handle.sent) == 2  # no waiting: one look at the deliveries, one at the order


def test_assert_notified_keeps_waiting_while_there_is_no_order_yet() -> None:
    handle = CannedSync(lambda call: (200, []))
    with pytest.raises(AssertionError, match="mockums sent no notification for merOrderId A1"):
        handle.assert_notified("A1", timeout=0)


def test_assert_notified_gives_up_after_its_timeout_listing_the_deliveries() -> None:
    handle = CannedSync(lambda call: (200, [delivery(False)]))
    with pytest.raises(AssertionError) as failed:
        handle.assert_notified("A1", times=1, status="TRADE_SUCCESS", accepted=True, timeout=0)
    assert str(failed.value).splitlines() == [
        "expected 1 notification for merOrderId A1 with status TRADE_SUCCESS, accepted by the receiver, got 0"
        " (waited 0.0 s):",
        "mockums holds 1 delivery for merOrderId A1:",
        "  notifyId n1  payment  status=TRADE_SUCCESS  pending  -> http://127.0.0.1:9/notify",
        "      attempt 1: HTTP 200 'x' refused",
    ]
    assert handle.sent == ["GET /__mockums/notifications?merOrderId=A1"]


def test_a_refused_call_names_the_call_and_the_sandbox_reason() -> None:
    handle = CannedSync(lambda call: (404, {"error": "no scenario named 'x'"}))
    with pytest.raises(MockumsError, match=r"^remove_scenario\('x'\): HTTP 404: no scenario named 'x'$") as caught:
        handle.remove_scenario("x")
    assert (caught.value.status, caught.value.answer) == (404, {"error": "no scenario named 'x'"})
    with pytest.raises(MockumsError, match=r"^clock: HTTP 500: not json$"):
        CannedSync(lambda call: (500, "not json")).clock()


def test_the_scenario_block_removes_what_it_added_even_when_removal_fails() -> None:
    def answer(call: Call[Any]) -> tuple[int, Any]:
        if call.method == "POST":
            assert call.content_type == "application/yaml"
            assert call.body == b"scenarios: []\n"
            return 201, [{"name": "a"}, {"name": "b"}]
        return (404, {"error": "gone"}) if call.path.endswith("/a") else (200, {})

    handle = CannedSync(answer)
    with handle.scenario("""
        scenarios: []
    """.lstrip("\n")) as names:
        assert names == ["a", "b"]
    assert handle.sent[1:] == ["DELETE /__mockums/scenarios/a", "DELETE /__mockums/scenarios/b"]


def test_the_journal_table_shows_the_newest_rows() -> None:
    table = format_journal([entry(n) for n in range(35)], marked=[entry(34)]).splitlines()
    assert len(table) == 1 + 1 + 30
    assert table[1] == "    … 5 earlier requests not shown"
    assert table[-1].startswith("  > ")
    assert "12:00:00.000" in table[-1]


def test_deliveries_without_an_answer_or_given_up_say_so() -> None:
    lost = {**delivery(None, "failed"), "reason": "no answer after 3 attempts",
            "attempts": [{"number": 1, "status": None, "error": "connection refused", "accepted": False}]}
    waiting = delivery(None)
    assert format_deliveries([lost, waiting]).splitlines()[1:] == [
        "      attempt 1: no answer (connection refused) refused",
        "      gave up: no answer after 3 attempts",
        "  notifyId n1  payment  status=TRADE_SUCCESS  pending  -> http://127.0.0.1:9/notify",
        "      no attempt yet",
    ]

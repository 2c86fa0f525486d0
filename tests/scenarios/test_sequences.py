from __future__ import annotations

import pytest

from mockums.scenarios import (
    MatchRule,
    Scenario,
    SequenceTracker,
    Step,
    StepPick,
    Then,
    step_for_call,
)

PROCESSING = Step(fields={"errCode": "ORDER_PROCESSING"}, repeat=2)
SUCCESS = Step(fields={"errCode": "SUCCESS"})
CLOSED = Step(order_status="TRADE_CLOSED")


def sequence(name: str = "processing", then: Then = Then.REPEAT_LAST) -> Scenario:
    return Scenario(name=name, match=MatchRule.prefix("MK"), steps=(PROCESSING, SUCCESS, CLOSED), then=then)


def codes(tracker: SequenceTracker, scenario: Scenario, key: str, calls: int) -> list[object]:
    return [tracker.next_step(scenario, key).step.fields.get("errCode") for _ in range(calls)]


def test_repeat_then_repeat_last() -> None:
    tracker = SequenceTracker()
    picks = [tracker.next_step(sequence(), "MK1") for _ in range(6)]
    assert picks == [
        StepPick(PROCESSING, 1),
        StepPick(PROCESSING, 2),
        StepPick(SUCCESS, 3),
        StepPick(CLOSED, 4),
        StepPick(CLOSED, 5),
        StepPick(CLOSED, 6),
    ]


def test_cycle_starts_again_after_the_last_step() -> None:
    scenario = sequence(then=Then.CYCLE)
    assert [step_for_call(scenario, call) for call in range(1, 10)] == [
        PROCESSING, PROCESSING, SUCCESS, CLOSED,
        PROCESSING, PROCESSING, SUCCESS, CLOSED,
        PROCESSING,
    ]  # fmt: skip


def test_a_single_step_answers_every_call() -> None:
    single = Scenario(name="one", match=MatchRule.exact("A"), steps=(SUCCESS,), then=Then.CYCLE)
    tracker = SequenceTracker()
    assert [tracker.next_step(single, "A") for _ in range(3)] == [
        StepPick(SUCCESS, 1),
        StepPick(SUCCESS, 2),
        StepPick(SUCCESS, 3),
    ]


def test_counters_are_per_scenario_and_key() -> None:
    tracker = SequenceTracker()
    first, second = sequence("first"), sequence("second")
    assert codes(tracker, first, "MK1", 3) == ["ORDER_PROCESSING", "ORDER_PROCESSING", "SUCCESS"]
    assert codes(tracker, first, "MK2", 1) == ["ORDER_PROCESSING"]
    assert codes(tracker, second, "MK1", 1) == ["ORDER_PROCESSING"]
    assert (tracker.calls("first", "MK1"), tracker.calls("first", "MK2")) == (3, 1)
    assert tracker.calls("first", "never") == 0
    assert len(tracker) == 3


def test_least_recently_used_keys_are_forgotten_beyond_capacity() -> None:
    tracker = SequenceTracker(capacity=2)
    scenario = sequence()
    tracker.next_step(scenario, "old")
    tracker.next_step(scenario, "kept")
    tracker.next_step(scenario, "old")  # "old" is now the most recently used
    tracker.next_step(scenario, "new")  # evicts "kept"
    assert len(tracker) == 2
    assert tracker.calls("processing", "kept") == 0
    assert tracker.next_step(scenario, "old") == StepPick(SUCCESS, 3)
    assert tracker.next_step(scenario, "kept") == StepPick(PROCESSING, 1)  # starts again


def test_reset_one_key_everything_or_one_scenario() -> None:
    tracker = SequenceTracker()
    first, second = sequence("first"), sequence("second")
    for scenario in (first, second):
        for key in ("MK1", "MK2"):
            tracker.next_step(scenario, key)
    tracker.reset("MK1")
    assert [tracker.calls(s, k) for s in ("first", "second") for k in ("MK1", "MK2")] == [0, 1, 0, 1]
    tracker.reset_scenario("first")
    assert [tracker.calls(s, "MK2") for s in ("first", "second")] == [0, 1]
    tracker.reset()
    assert len(tracker) == 0
    assert tracker.next_step(second, "MK2").call == 1


def test_capacity_must_be_positive() -> None:
    with pytest.raises(ValueError, match="capacity must be at least 1, got 0"):
        SequenceTracker(capacity=0)

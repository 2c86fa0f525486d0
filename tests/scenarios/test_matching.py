from __future__ import annotations

import random
from typing import Any

import pytest

from mockums.scenarios import (
    Check,
    IdMatch,
    MatchRule,
    Scenario,
    ScenarioRegistry,
    SourceRef,
    Step,
    check_body,
    check_endpoint,
    check_order_id,
)

CLOSE = "/v1/netpay/wx/app-pre-close"
QUERY = "/v1/netpay/query"


def scenario(name: str, rule: MatchRule, line: int = 1) -> Scenario:
    return Scenario(name=name, source=SourceRef("close.yaml", line), match=rule, steps=(Step(delay=0.1),))


def chosen(registry: ScenarioRegistry, order_id: object, endpoint: str = CLOSE, **body: object) -> str | None:
    selection = registry.choose(endpoint, {"merOrderId": order_id, **body})
    return None if selection.scenario is None else selection.scenario.name


def test_exact_beats_prefix_beats_pattern() -> None:
    registry = ScenarioRegistry(
        [
            scenario("pattern", MatchRule.regex(r"MK\w+")),
            scenario("prefix", MatchRule.prefix("MK")),
            scenario("exact", MatchRule.exact("MKPAID0001")),
        ]
    )
    assert chosen(registry, "MKPAID0001") == "exact"
    assert chosen(registry, "MKPAID0002") == "prefix"
    assert chosen(registry, "XMK") is None
    only_pattern = ScenarioRegistry([scenario("pattern", MatchRule.regex(r"MK\w+"))])
    assert chosen(only_pattern, "MKPAID0002") == "pattern"
    assert chosen(only_pattern, "MK-1") is None  # fullmatch, not search


def test_longer_prefix_wins_whatever_the_load_order() -> None:
    registry = ScenarioRegistry(
        [
            scenario("mk", MatchRule.prefix("MK")),
            scenario("mkpaid", MatchRule.prefix("MKPAID")),
            scenario("mkp", MatchRule.prefix("MKP")),
        ]
    )
    assert chosen(registry, "MKPAID0001") == "mkpaid"
    assert chosen(registry, "MKPX") == "mkp"
    assert chosen(registry, "MKX") == "mk"
    assert chosen(registry, "M") is None


def test_at_one_level_endpoint_narrowing_then_body_conditions_win() -> None:
    registry = ScenarioRegistry(
        [
            scenario("plain", MatchRule.prefix("MK")),
            scenario("two-fields", MatchRule.prefix("MK", body={"instMid": "APPDEFAULT", "tid": "T1"})),
            scenario("one-field", MatchRule.prefix("MK", body={"instMid": "APPDEFAULT"})),
            scenario("close-only", MatchRule.prefix("MK", endpoints=[CLOSE])),
        ]
    )
    assert chosen(registry, "MK1", CLOSE, instMid="APPDEFAULT", tid="T1") == "close-only"
    assert chosen(registry, "MK1", QUERY, instMid="APPDEFAULT", tid="T1") == "two-fields"
    assert chosen(registry, "MK1", QUERY, instMid="APPDEFAULT", tid="T2") == "one-field"
    assert chosen(registry, "MK1", QUERY, instMid="OTHER") == "plain"


def test_a_narrowed_rule_that_fails_falls_through_to_a_less_specific_one() -> None:
    registry = ScenarioRegistry(
        [
            scenario("exact-close", MatchRule.exact("MK1", endpoints=[CLOSE])),
            scenario("prefix", MatchRule.prefix("MK")),
        ]
    )
    assert chosen(registry, "MK1", CLOSE) == "exact-close"
    assert chosen(registry, "MK1", QUERY) == "prefix"


def test_remaining_ties_go_to_load_order() -> None:
    registry = ScenarioRegistry(
        [
            scenario("first", MatchRule.regex(r"MK\d+")),
            scenario("second", MatchRule.regex(r"MK.*")),
        ]
    )
    assert chosen(registry, "MK1") == "first"
    assert chosen(registry, "MKX") == "second"


def test_body_values_compare_as_text_and_reach_nested_fields() -> None:
    registry = ScenarioRegistry(
        [
            scenario("amount", MatchRule.prefix("A", body={"totalAmount": "100"})),
            scenario("flag", MatchRule.prefix("F", body={"extra.paid": "true"})),
        ]
    )
    assert chosen(registry, "A1", totalAmount=100) == "amount"
    assert chosen(registry, "A1", totalAmount="100") == "amount"
    assert chosen(registry, "A1", totalAmount=100.5) is None
    assert chosen(registry, "F1", extra={"paid": True}) == "flag"
    assert chosen(registry, "F1", extra="paid") is None


def test_numeric_order_ids_are_read_as_their_digits() -> None:
    registry = ScenarioRegistry([scenario("digits", MatchRule.prefix("3194"))])
    assert chosen(registry, 31940001) == "digits"
    assert chosen(registry, True) is None


def test_reason_of_a_choice() -> None:
    registry = ScenarioRegistry(
        [
            scenario("already-paid", MatchRule.prefix("MKPAID"), line=12),
            scenario("exact", MatchRule.exact("MKX1", endpoints=[CLOSE], body={"instMid": "APPDEFAULT"}), 20),
            scenario("pattern", MatchRule.regex(r"P\d+"), line=30),
        ]
    )
    selection = registry.choose(CLOSE, {"merOrderId": "MKPAID0001"})
    assert selection.reason == (
        "merOrderId MKPAID0001 starts with prefix MKPAID of scenario already-paid (close.yaml:12)"
    )
    assert selection.near_misses == ()
    assert registry.choose(CLOSE, {"merOrderId": "MKX1", "instMid": "APPDEFAULT"}).reason == (
        "merOrderId MKX1 is the exact id of scenario exact (close.yaml:20); "
        f"endpoint is {CLOSE}; body instMid is APPDEFAULT"
    )
    assert registry.choose(CLOSE, {"merOrderId": "P42"}).reason == (
        r"merOrderId P42 fully matches pattern P\d+ of scenario pattern (close.yaml:30)"
    )


def test_near_misses_explain_the_closest_scenarios_first() -> None:
    registry = ScenarioRegistry(
        [
            scenario("far", MatchRule.exact("ZZZ"), line=1),
            scenario("paid", MatchRule.exact("MKPAID0001"), line=2),
            scenario("close-only", MatchRule.prefix("MKPAID", endpoints=[CLOSE]), line=3),
            scenario("app", MatchRule.exact("MKPAID0002", body={"instMid": "APPDEFAULT"}), line=4),
            scenario("pattern", MatchRule.regex(r"Q\d+"), line=5),
        ]
    )
    selection = registry.choose(QUERY, {"merOrderId": "MKPAID0002", "instMid": "MINIDEFAULT"})
    assert selection.scenario is None
    assert selection.reason == f"no scenario matches merOrderId MKPAID0002 on {QUERY}"
    assert selection.near_misses == (
        "app (close.yaml:4): body instMid is MINIDEFAULT, expected APPDEFAULT",
        f"close-only (close.yaml:3): endpoint is {QUERY}, expected {CLOSE}",
        "paid (close.yaml:2): merOrderId is MKPAID0002, expected MKPAID0001",
    )
    unlimited = registry.choose(QUERY, {"merOrderId": "MKPAID0002"}, max_near_misses=10)
    assert unlimited.near_misses[-2:] == (
        "far (close.yaml:1): merOrderId is MKPAID0002, expected ZZZ",
        r"pattern (close.yaml:5): merOrderId is MKPAID0002, expected a full match of pattern Q\d+",
    )
    assert registry.choose(QUERY, {"merOrderId": "X"}, max_near_misses=0).near_misses == ()


def test_a_request_without_order_id_matches_nothing() -> None:
    registry = ScenarioRegistry([scenario("any", MatchRule.regex(".*"))])
    selection = registry.choose(CLOSE, {"mid": "898"})
    assert selection == registry.choose(CLOSE, {"merOrderId": ["not", "an", "id"]})
    assert (selection.scenario, selection.reason, selection.near_misses) == (
        None,
        "the request has no merOrderId, so no scenario applies",
        (),
    )


def test_predicates_return_outcome_and_reason() -> None:
    rule = MatchRule.exact("A1", endpoints=[CLOSE, QUERY], body={"tid": "T1", "mid": "M"})
    assert check_order_id(rule, "A1") == Check(True, "merOrderId A1 is the exact id")
    assert check_order_id(rule, None) == Check(False, "the request has no merOrderId")
    assert check_endpoint(rule, "/x") == Check(False, f"endpoint is /x, expected {QUERY} or {CLOSE}")
    assert check_endpoint(MatchRule.exact("A1"), "/x") == Check(True, "the scenario accepts any endpoint")
    assert check_body(rule, {"tid": "T1"}) == (
        Check(True, "body tid is T1"),
        Check(False, "body mid is missing, expected M"),
    )


def test_listing_and_lookup_by_name() -> None:
    first = scenario("b-first", MatchRule.regex("B.*"))
    second = scenario("a-second", MatchRule.exact("A"))
    registry = ScenarioRegistry([first, second])
    assert registry.list() == (first, second)
    assert list(registry) == [first, second]
    assert len(registry) == 2
    assert registry.by_name("a-second") is second
    assert registry.by_name("missing") is None


def test_lookup_stays_fast_with_thousands_of_scenarios() -> None:
    count = 5_000
    scenarios = [scenario(f"exact-{i}", MatchRule.exact(f"EX{i:06d}")) for i in range(count)]
    scenarios += [scenario(f"prefix-{i}", MatchRule.prefix(f"PR{i:04d}")) for i in range(count // 10)]
    scenarios += [scenario(f"pattern-{i}", MatchRule.regex(rf"PA{i}-\d+")) for i in range(20)]
    registry = ScenarioRegistry(scenarios)
    for i in range(0, count, 25):
        assert chosen(registry, f"EX{i:06d}") == f"exact-{i}"
        assert chosen(registry, f"PR{i % 500:04d}X") == f"prefix-{i % 500}"
        # Fast without a clock: the index hands over the few rules that can match, never a scan of all 5,520.
        assert [s.name for s in registry._id_candidates(f"EX{i:06d}")] == [f"exact-{i}"]
        assert [s.name for s in registry._id_candidates(f"PR{i % 500:04d}X")] == [f"prefix-{i % 500}"]
    assert chosen(registry, "PA7-12") == "pattern-7"
    assert [s.name for s in registry._id_candidates("PA7-12")] == ["pattern-7"]  # by its literal "PA7-"
    assert len(registry.choose(CLOSE, {"merOrderId": "EX9999999"}).near_misses) == 3


def test_near_misses_are_worked_out_only_when_read_and_once(monkeypatch: pytest.MonkeyPatch) -> None:
    registry = ScenarioRegistry([scenario("paid", MatchRule.prefix("MKPAID"))])
    calls = []
    real = ScenarioRegistry._near_misses

    def counting(self: ScenarioRegistry, *args: Any) -> tuple[str, ...]:
        calls.append(args)
        return real(self, *args)

    monkeypatch.setattr(ScenarioRegistry, "_near_misses", counting)
    selection = registry.choose(CLOSE, {"merOrderId": "MKPAYD0001"})
    assert (selection.scenario, calls) == (None, [])  # nothing computed for a request nobody looks at
    first = selection.near_misses
    assert first == selection.near_misses and len(calls) == 1
    assert first[0].startswith("paid (close.yaml:1): merOrderId is MKPAYD0001, expected prefix MKPAID")


def _by_the_rules(scenarios: list[Scenario], endpoint: str, body: dict[str, object]) -> tuple[str | None, str | None]:
    """The documented precedence by brute force: (the chosen scenario, the owner: the chosen one, else the most
    specific whose id rule matches). Exact id > prefix (longer first) > pattern; then endpoint narrowing, more
    body conditions; then load order."""
    order_id = str(body["merOrderId"])
    matching = [s for s in scenarios if s.match.matches_order_id(order_id)]
    ranked = sorted(matching, key=lambda s: s.match.specificity, reverse=True)  # stable: load order breaks ties
    passing = [s for s in ranked if check_endpoint(s.match, endpoint).matched
               and all(check.matched for check in check_body(s.match, body))]
    if passing:
        return passing[0].name, passing[0].name
    return None, (ranked[0].name if ranked else None)


def test_precedence_holds_among_hundreds_of_scenarios_of_every_kind() -> None:
    """A third exact ids, a third prefixes of many lengths, a third patterns (with a literal prefix, a literal
    inside, none), some narrowed by endpoint or body, many overlapping: every choice is the one the rules give."""
    rng = random.Random(26)
    alphabet = "AB01"
    scenarios: list[Scenario] = []
    for index in range(600):
        kind = index % 3
        shortest, longest = ((1, 9), (4, 7), (1, 4))[kind]
        stem = "".join(rng.choice(alphabet) for _ in range(rng.randint(shortest, longest)))
        if kind == 0:
            rule = MatchRule.exact
            value = stem
        elif kind == 1:
            rule = MatchRule.prefix
            value = stem
        else:
            rule = MatchRule.regex
            value = rng.choice([f"{stem}[AB]*", f"[01]{stem}.*", f".*{stem}", f"{stem}(A|B)?1", rf"\w{{2}}{stem}"])
        narrowing: dict[str, Any] = {}
        if rng.random() < 0.3:
            narrowing["endpoints"] = [rng.choice([CLOSE, QUERY])]
        if rng.random() < 0.3:
            narrowing["body"] = {"mid": rng.choice(["1", "2"])} if rng.random() < 0.5 else {"mid": "1", "tid": "2"}
        scenarios.append(scenario(f"s{index}", rule(value, **narrowing), line=index + 1))
    # Ids matched by nothing but a narrowed exact rule.
    scenarios += [scenario(f"z{digit}", MatchRule.exact(f"Z{digit}", endpoints=[QUERY], body={"mid": "1"}))
                  for digit in range(2, 10)]
    registry = ScenarioRegistry(scenarios)
    seen: set[object] = set()
    for _ in range(500):
        order_id = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 9)))
        if rng.random() < 0.1:
            order_id = f"Z{rng.randint(2, 11)}"
        endpoint = rng.choice([CLOSE, QUERY])
        body: dict[str, object] = {"merOrderId": order_id, "mid": rng.choice(["1", "2"]), "tid": rng.choice(["1", "2"])}
        selection = registry.choose(endpoint, body)
        got = (None if selection.scenario is None else selection.scenario.name,
               None if selection.owner is None else selection.owner.name)
        assert got == _by_the_rules(scenarios, endpoint, body), (order_id, endpoint, body)
        seen.add(None if selection.scenario is None else selection.scenario.match.kind)
        if selection.scenario is None and selection.owner is not None:
            seen.add("narrowed out")
    assert seen == {*IdMatch, None, "narrowed out"}  # every outcome was met


def test_precedence_holds_among_ten_thousand_scenarios_shaped_like_the_benchmarks() -> None:
    """The benchmark's 10,000 (a third exact ids, a third prefixes of 4 to 15 digits, a third patterns, half with
    a literal prefix): ids meant for each kind, and ids meant for none, get what the rules give."""
    scenarios = []
    for index in range(10_000):
        kind = index % 3
        if kind == 0:
            rule = MatchRule.exact(f"BX{index:08d}")
        elif kind == 1:
            rule = MatchRule.prefix(f"BP{index:0{4 + index % 12}d}")
        elif index % 2:
            rule = MatchRule.regex(f"BQ{index:06d}-[0-9]{{4}}")
        else:
            rule = MatchRule.regex(f"[A-Z]{{2}}{index:06d}Z[0-9]+")
        scenarios.append(scenario(f"bench-{index}", rule, line=index + 1))
    registry = ScenarioRegistry(scenarios)
    ids = ["BX00000000", "BX00009999", "BX00000001", "BP00001", "BP000010X", "BP00000000004", "BP0007", "BP",
           "BQ000005-1234", "BQ000005-123", "QQ000002Z7", "qq000002Z7", "XY009998Z", "XY009998Z0", "3194BENCHFIXED0001",
           "BP0000000000000016", "BP000000000016", "BP00000016X"]
    kinds = []
    for order_id in ids:
        selection = registry.choose(CLOSE, {"merOrderId": order_id})
        got = (None if selection.scenario is None else selection.scenario.name,
               None if selection.owner is None else selection.owner.name)
        assert got == _by_the_rules(scenarios, CLOSE, {"merOrderId": order_id}), order_id
        kinds.append(None if selection.scenario is None else selection.scenario.match.kind)
    assert set(kinds) == {*IdMatch, None}

"""The pattern index: the same scenarios as trying every pattern, without trying every pattern."""

from __future__ import annotations

import itertools
import re

import pytest

from mockums.scenarios import MatchRule, Scenario, ScenarioRegistry, Step
from mockums.scenarios.model import IdMatch
from mockums.scenarios.patterns import PatternIndex
from mockums.scenarios.regexes import compile_pattern, required_literal

PATTERNS = [
    r"BQ000123-[0-9]{4}", r"[A-Z]{2}000123Z[0-9]+", r"^ABC.*", r"AB|CD", r"(?i)abc\d*", r"ab*c", r"abc?d",
    r"x(yz)w", r"\d+", r"TEST-\d{4}-FAIL", r"^(?:AB)C", r"a{2}bcd", r"\AQWE\d", r"abc|abd", r".*-FAIL",
    r"MK\w+", r"(ORD|TEST)\d{3}", r"(a)\1b", r"(?P<x>k)(?P=x)", r"[^0-9]+9", r"é+ü", r"3194.*", r"31\d4X",
]
IDS = [
    "BQ000123-4567", "XY000123Z9", "ABCdef", "AB", "CD", "ABC", "abc12", "aBc", "ac", "abbbbc", "abd", "abcd",
    "xyzw", "12345", "TEST-1234-FAIL", "TEST-12-FAIL", "aabcd", "QWE1", "abd", "x-FAIL", "MKPAID0001",
    "ORD123", "TEST999", "aab", "kk", "hello9", "éüü", "3194BENCH0001", "3124X", "", "BQ000123-45678",
]


def scenario(name: str, pattern: str) -> Scenario:
    return Scenario(name=name, match=MatchRule.regex(pattern), steps=(Step(),))


def test_required_literals_are_read_from_the_pattern() -> None:
    assert required_literal(r"BQ000123-[0-9]{4}") == ("BQ000123-", True)
    assert required_literal(r"^(?:AB)C") == ("ABC", True)
    assert required_literal(r"[A-Z]{2}000123Z[0-9]+") == ("000123Z", False)
    assert required_literal(r"abc?d") == ("ab", True)  # the optional c ends the prefix
    assert required_literal(r"abc|abd") == ("ab", True)  # re factors the shared prefix out
    # Nothing is required when a character may be absent, alternated or match either case.
    for pattern in (r"AB|CD", r"(?i)abc", r"\d+", r"a*", "["):
        assert required_literal(pattern) == ("", False)


def test_the_index_finds_exactly_what_trying_every_pattern_finds() -> None:
    scenarios = [scenario(f"p{i}", pattern) for i, pattern in enumerate(PATTERNS)]
    index = PatternIndex(scenarios)
    for order_id in IDS:
        expected = [s.name for s in scenarios if re.fullmatch(s.match.value, order_id)]
        assert [s.name for s in index.matching(order_id)] == expected, order_id


def test_a_miss_tries_no_pattern_when_each_has_a_literal(monkeypatch: pytest.MonkeyPatch) -> None:
    scenarios = [scenario(f"with-prefix-{i}", rf"BQ{i:06d}-[0-9]{{4}}") for i in range(2000)]
    scenarios += [scenario(f"inside-{i}", rf"[A-Z]{{2}}{i:06d}Z[0-9]+") for i in range(2000)]
    registry = ScenarioRegistry(scenarios)
    tried = itertools.count()
    real = MatchRule.matches_order_id

    def counting(rule: MatchRule, order_id: str) -> bool:
        next(tried)
        return real(rule, order_id)

    monkeypatch.setattr(MatchRule, "matches_order_id", counting)
    assert registry.choose("/v1/netpay/close", {"merOrderId": "3194BENCHFIXED0001"}).scenario is None
    assert next(tried) == 0  # 4,000 patterns, and no candidate: none's whole literal run is in the id
    tried = itertools.count()
    # New ids of digits share four-digit slices with some patterns' literals ("001234Z"), never the whole run
    assert [registry.choose("/v1/netpay/close", {"merOrderId": f"3194M{n:09d}"}).scenario for n in range(500)] == [
        None] * 500
    assert next(tried) == 0
    chosen = registry.choose("/v1/netpay/close", {"merOrderId": "QQ001234Z77"}).scenario
    assert chosen is not None and chosen.name == "inside-1234"


def test_patterns_without_a_literal_are_still_tried() -> None:
    index = PatternIndex([scenario("digits", r"\d+"), scenario("any-case", r"(?i)mk.*")])
    assert index.unindexed == 2
    assert [s.name for s in index.matching("12345")] == ["digits"]
    assert [s.name for s in index.matching("MKPAID")] == ["any-case"]
    assert all(s.match.kind is IdMatch.PATTERN for s in index.matching("mk1"))


@pytest.mark.parametrize("pattern", PATTERNS)
def test_a_pattern_compiled_from_its_one_parse_is_what_re_compiles(pattern: str) -> None:
    compiled, literal = compile_pattern(pattern)
    expected = re.compile(pattern)
    assert (compiled.flags, compiled.groups, compiled.groupindex) == (expected.flags, expected.groups,
                                                                      expected.groupindex)
    assert [compiled.fullmatch(i) is not None for i in IDS] == [expected.fullmatch(i) is not None for i in IDS]
    assert literal == required_literal(pattern)
    assert MatchRule.regex(pattern).literal == literal


@pytest.mark.parametrize("pattern", ["[", "a{2,1}", "(?<=a+)b", "(", "\\", "a**", "(?P<x>a)(?P<x>b)"])
def test_a_bad_pattern_is_refused_in_re_compiles_words(pattern: str) -> None:
    with pytest.raises(re.error) as expected:
        re.compile(pattern)
    with pytest.raises(re.error) as refused:
        compile_pattern(pattern)
    assert str(refused.value) == str(expected.value)

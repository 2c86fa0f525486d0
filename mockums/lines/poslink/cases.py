"""Magic payment codes: a `pay` whose payCode carries `9999` and a four-digit case right after the wallet's two-digit
prefix plays that case, whatever the wallet (`13` `9999` `1002` `00000000` is a WeChat code that pays after two
queries). Every other code pays at once. The cases are the tables below; `docs/how-to/pos-link.md` shows them
(`case_rows`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from mockums.lines.poslink.vocabulary import CATALOGUE
from mockums.scenarios.model import Fault

MARK = "9999"


@dataclass(frozen=True)
class PayCase:
    """What a magic payment code makes a payment do."""

    describe: str
    paying_queries: int | None = None  # paying until this many queries reported it
    paying_seconds: float | None = None  # paying until this much sandbox time passed
    succeeds: bool = True  # how a paying payment ends (and whether a lost answer's money moved)
    fault: Fault | None = None  # the answer to pay is lost this way
    refuse: str | None = None  # pay answers this trade failure code and the payment failed


# Cases whose last three digits are a number: (the case's first digit) -> (counted in queries, succeeds, what).
PASSWORD: Mapping[str, tuple[bool, bool, str]] = {
    "1": (True, True, "the customer must enter a password: pay answers `ER 用户支付中` (with the `orderId`); the "
                      "first nnn queries answer `FF`, the next one `0` (paid)"),
    "2": (True, False, "the same, but after nnn queries the payment fails: `5 交易失败: 用户取消支付`"),
    "3": (False, True, "paying until nnn seconds of sandbox time have passed, then paid"),
    "4": (False, False, "paying for nnn seconds of sandbox time, then failed"),
}

LOST: Mapping[str, PayCase] = {
    "5001": PayCase("the answer to pay never comes (the `no_answer` fault: silent for `no_answer_hold`, then reset); "
                    "the money moved, so a query answers `0`", fault=Fault.NO_ANSWER),
    "5002": PayCase("the answer to pay never comes and no money moved: a query answers `1 交易超时`",
                    fault=Fault.NO_ANSWER, succeeds=False),
    "5003": PayCase("the connection is reset instead of the answer to pay; the money moved",
                    fault=Fault.CONNECTION_RESET),
    "5004": PayCase("the connection is reset instead of the answer to pay; no money moved",
                    fault=Fault.CONNECTION_RESET, succeeds=False),
}

# 6xxx: the trade failure each case answers (A7 and ER have no digits of their own).
TRADE_FAILURE_CASES: Mapping[str, str] = {
    "6003": "03", "6013": "13", "6022": "22", "6025": "25", "6030": "30", "6057": "57", "6061": "61",
    "6064": "64", "6094": "94", "6096": "96", "6097": "97", "6098": "A7", "6099": "ER",
}


def case_of(pay_code: str) -> PayCase | None:
    """The case a payment code plays; None for an ordinary code (it pays at once)."""
    if pay_code[2:6] != MARK or len(pay_code) < 10:
        return None
    case = pay_code[6:10]
    kind, number = case[0], case[1:]
    if kind in PASSWORD and number.isdigit():
        by_queries, succeeds, what = PASSWORD[kind]
        count = int(number)
        described = f"{what} (nnn = {count})"
        if by_queries:
            return PayCase(described, paying_queries=count, succeeds=succeeds)
        return PayCase(described, paying_seconds=float(count), succeeds=succeeds)
    if case in LOST:
        return LOST[case]
    if case in TRADE_FAILURE_CASES:
        code = TRADE_FAILURE_CASES[case]
        return PayCase(f"refused with errCode {code}", refuse=code, succeeds=False)
    return None


def case_rows() -> list[tuple[str, str]]:
    """Every case and what it does, for the documentation."""
    rows = [(f"{kind}nnn", what) for kind, (_, _, what) in PASSWORD.items()]
    rows += [(case, known.describe) for case, known in LOST.items()]
    rows += [(case, f"pay is refused with `{code} {CATALOGUE[code]}`; nothing is paid")
             for case, code in TRADE_FAILURE_CASES.items()]
    return rows

"""Magic payment codes: a `pay` whose payCode carries `9999` and a four-digit case right after the wallet's two-digit
prefix plays that case, whatever the wallet (`13` `9999` `1002` `00000000` is a WeChat code that pays after two
queries). Every other code pays at once.

    1nnn  the customer must enter a password: pay answers "paying"; the first nnn queries report paying, the next
          one reports the payment paid
    2nnn  the same, but the payment fails (the customer cancels) after nnn queries
    3sss  paying for sss seconds of sandbox time, then paid
    4sss  paying for sss seconds, then failed
    5001  the answer to pay is lost (no answer until the client gives up), and the money moved
    5002  the answer is lost and no money moved
    5003  the connection is reset instead of answering, and the money moved
    5004  the connection is reset and no money moved
    6xxx  pay is refused with a trade failure code (TRADE_FAILURE_CASES)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

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


# 6xxx: the trade failure each case answers (A7 and ER have no digits of their own).
TRADE_FAILURE_CASES: Mapping[str, str] = {
    "6003": "03", "6013": "13", "6022": "22", "6025": "25", "6030": "30", "6057": "57", "6061": "61",
    "6064": "64", "6094": "94", "6096": "96", "6097": "97", "6098": "A7", "6099": "ER",
}

LOST: Mapping[str, PayCase] = {
    "5001": PayCase("the answer to pay is lost (no answer); the money moved", fault=Fault.NO_ANSWER),
    "5002": PayCase("the answer to pay is lost (no answer); no money moved", fault=Fault.NO_ANSWER, succeeds=False),
    "5003": PayCase("the connection is reset instead of answering pay; the money moved",
                    fault=Fault.CONNECTION_RESET),
    "5004": PayCase("the connection is reset instead of answering pay; no money moved",
                    fault=Fault.CONNECTION_RESET, succeeds=False),
}


def case_of(pay_code: str) -> PayCase | None:
    """The case a payment code plays; None for an ordinary code (it pays at once)."""
    if pay_code[2:6] != MARK or len(pay_code) < 10:
        return None
    case = pay_code[6:10]
    kind, number = case[0], case[1:]
    if not number.isdigit():
        return None
    if kind in "12":
        count = int(number)
        return PayCase(f"paying until {count} queries reported it, then {'paid' if kind == '1' else 'failed'}",
                       paying_queries=count, succeeds=kind == "1")
    if kind in "34":
        seconds = float(int(number))
        return PayCase(f"paying for {seconds:g} s of sandbox time, then {'paid' if kind == '3' else 'failed'}",
                       paying_seconds=seconds, succeeds=kind == "3")
    if case in LOST:
        return LOST[case]
    if case in TRADE_FAILURE_CASES:
        code = TRADE_FAILURE_CASES[case]
        return PayCase(f"refused with errCode {code}", refuse=code, succeeds=False)
    return None


def magic_code(prefix: str, case: str, length: int = 18) -> str:
    """A payment code of the wallet with `prefix` that plays `case` (zeros after it, up to `length` digits)."""
    return (prefix + MARK + case).ljust(length, "0")

"""The field validator driven by the endpoint tables, lenient and strict."""

from __future__ import annotations

from datetime import datetime, timedelta

from mockums.clock import BEIJING, Clock, format_body_time, format_compact
from mockums.lines import DEFAULT_REGISTRY
from mockums.protocol.fields import ValidationPolicy, validate_body

ENDPOINTS = DEFAULT_REGISTRY.endpoints

ORDER = ENDPOINTS["/v1/netpay/wx/app-pre-order"]
CLOSE = ENDPOINTS["/v1/netpay/wx/app-pre-close"]
LENIENT, STRICT = ValidationPolicy(), ValidationPolicy(strict=True)
CLOCK = Clock()


def body(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {"requestTimestamp": format_body_time(datetime.now(BEIJING)), "mid": "898201612345678",
                               "tid": "88880001", "instMid": "APPDEFAULT", "merOrderId": "3194VALID01"}
    base.update(changes)
    return {key: value for key, value in base.items() if value is not None}


def test_a_clean_close_passes() -> None:
    result = validate_body(body(), CLOSE.request, LENIENT, CLOCK, CLOSE.one_of)
    assert (result.violations, result.warnings, result.abnormal_time) == ((), (), None)


def test_each_violation_names_field_and_rule() -> None:
    result = validate_body(body(mid=None, tid="1", instMid="NOPE"), CLOSE.request, LENIENT, CLOCK)
    assert [str(v) for v in result.violations] == [
        "instMid: 'NOPE' is not one of APPDEFAULT (rule: required, one of APPDEFAULT)",
        "mid: is missing or empty (rule: required, 8..15 characters)",
        "tid: length 1 is below 2 (rule: required, 2..8 characters)",
    ]


def test_amounts_as_digit_strings_pass_in_both_modes() -> None:
    lenient = validate_body(body(totalAmount="360"), ORDER.request, LENIENT, CLOCK)
    strict = validate_body(body(totalAmount="360"), ORDER.request, STRICT, CLOCK)
    assert not [v for v in lenient.violations if v.field == "totalAmount"]
    assert not [v for v in strict.violations if v.field == "totalAmount"]
    assert (lenient.warnings, strict.warnings) == ((), ())
    too_big = validate_body(body(totalAmount=10**9), ORDER.request, LENIENT, CLOCK)
    assert [v.message for v in too_big.violations if v.field == "totalAmount"] == ["1000000000 is outside 1..100000000"]


def test_a_compact_request_timestamp_is_flagged_or_refused() -> None:
    compact = format_compact(datetime.now(BEIJING))
    lenient = validate_body(body(requestTimestamp=compact), CLOSE.request, LENIENT, CLOCK)
    assert lenient.violations == ()
    assert lenient.warnings == (f"requestTimestamp: {compact!r} is yyyyMMddHHmmss; the API table says "
                                "yyyy-MM-dd HH:mm:ss",)
    strict = validate_body(body(requestTimestamp=compact), CLOSE.request, STRICT, CLOCK)
    assert [v.field for v in strict.violations] == ["requestTimestamp"]


def test_a_skewed_request_timestamp() -> None:
    utc_stamp = format_body_time(datetime.now(BEIJING) - timedelta(hours=8))
    lenient = validate_body(body(requestTimestamp=utc_stamp), CLOSE.request, LENIENT, CLOCK)
    assert "it looks stamped with a UTC clock" in lenient.warnings[0]
    strict = validate_body(body(requestTimestamp=utc_stamp), CLOSE.request, STRICT, CLOCK)
    assert strict.abnormal_time is not None and strict.abnormal_time.startswith("requestTimestamp: ")

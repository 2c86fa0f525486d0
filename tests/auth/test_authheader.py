"""Parsing Authorization headers in every form real clients send."""

from __future__ import annotations

import pytest

from mockums.auth.header import BodySigHeader, HeaderProblem, TokenHeader, parse_authorization

CANONICAL = 'OPEN-BODY-SIG AppId="app", Timestamp="20240101120000", Nonce="n1", Signature="c2ln"'


def test_canonical_header_has_no_deviations() -> None:
    parsed = parse_authorization(CANONICAL)
    assert parsed == BodySigHeader("app", "20240101120000", "n1", "c2ln", ())
    assert isinstance(parsed, BodySigHeader) and parsed.canonical


def test_comma_without_space_is_an_official_form_too() -> None:
    # The official API page writes the header with "," between fields, the official demo code with ", ".
    parsed = parse_authorization(CANONICAL.replace('", ', '",'))
    assert parsed == BodySigHeader("app", "20240101120000", "n1", "c2ln", ())


@pytest.mark.parametrize("raw", [
    CANONICAL.replace('", ', '" , '),
    CANONICAL.replace('", ', '",  '),
    CANONICAL.replace('", Nonce', '",Nonce'),  # the two official separators mixed in one header
    CANONICAL.replace("OPEN-BODY-SIG ", "OPEN-BODY-SIG  "),
])
def test_other_spacing_is_read_and_flagged(raw: str) -> None:
    parsed = parse_authorization(raw)
    assert isinstance(parsed, BodySigHeader) and parsed.signature == "c2ln"
    assert parsed.deviations == ('spacing or key order differs from OPEN-BODY-SIG AppId="…", Timestamp="…", '
                                 'Nonce="…", Signature="…" (fields separated by ", " or ",")',)


def test_lowercase_keys_and_unquoted_values_are_read_and_flagged() -> None:
    parsed = parse_authorization('OPEN-BODY-SIG appid=app, Timestamp="20240101120000", Nonce=n1, Signature="c2ln"')
    assert isinstance(parsed, BodySigHeader)
    assert parsed.app_id == "app"
    assert parsed.deviations == (
        "key 'appid' should be spelled 'AppId'",
        "value of AppId is not in double quotes",
        "value of Nonce is not in double quotes",
    )


@pytest.mark.parametrize(
    ("raw", "kind", "reason"),
    [
        (None, "missing_authorization", "the Authorization header is missing or empty"),
        ("   ", "missing_authorization", "the Authorization header is missing or empty"),
        ("Bearer abc", "unknown_scheme", "unknown scheme 'Bearer': expected OPEN-BODY-SIG or OPEN-ACCESS-TOKEN"),
        ('OPEN-BODY-SIG AppId="a", Timestamp="1"', "malformed_authorization",
         "Nonce, Signature are missing or empty (expected AppId, Timestamp, Nonce, Signature)"),
        ('OPEN-BODY-SIG AppId="a" Timestamp="1"', "malformed_authorization", "expected ',' after AppId, got 'T'"),
        ('OPEN-BODY-SIG AppId="a", AppId="b"', "malformed_authorization", "AppId appears twice"),
        ("OPEN-BODY-SIG !!!", "malformed_authorization", "cannot read a Key=\"value\" pair at character 0: '!!!'"),
        ("OPEN-ACCESS-TOKEN", "malformed_authorization",
         "AccessToken is missing or empty (expected AccessToken=<token>)"),
    ],
)
def test_problems_name_the_part_that_failed(raw: str | None, kind: str, reason: str) -> None:
    assert parse_authorization(raw) == HeaderProblem(kind, reason)  # type: ignore[arg-type]


def test_huge_header_is_refused_without_parsing() -> None:
    parsed = parse_authorization("OPEN-BODY-SIG " + "x" * 10_000)
    assert isinstance(parsed, HeaderProblem)
    assert parsed.kind == "malformed_authorization"
    assert "10014 characters" in parsed.reason


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("OPEN-ACCESS-TOKEN AccessToken=30fabba831a447699f5a1fc056dfd4ee",
         TokenHeader("30fabba831a447699f5a1fc056dfd4ee")),
        ('OPEN-ACCESS-TOKEN AccessToken="30fabba831a447699f5a1fc056dfd4ee"',
         TokenHeader("30fabba831a447699f5a1fc056dfd4ee")),
        ('OPEN-ACCESS-TOKEN AccessToken="tok", AppId="app"', TokenHeader("tok", "app")),
        ('OPEN-ACCESS-TOKEN AccessToken="tok", AppId ="app"', TokenHeader("tok", "app")),
    ],
)
def test_token_header_forms(raw: str, expected: TokenHeader) -> None:
    assert parse_authorization(raw) == expected

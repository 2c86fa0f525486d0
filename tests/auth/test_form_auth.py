"""OPEN-FORM-PARAM without HTTP: the query is read as the gateway reads it, and each failure has its
gateway error key and a reason a developer can act on."""

from __future__ import annotations

import json
from urllib.parse import quote, unquote_plus

import chinaums_client
import pytest

from mockums.auth.form import FormParams, form_param_query, java_url_encode, parse_form_query
from mockums.auth.header import HeaderProblem
from mockums.auth.tokens import TokenStore
from mockums.auth.verdict import Authenticator, AuthPolicy
from mockums.clock import Clock
from mockums.config import DEMO_APP

KEYS = {DEMO_APP.app_id: DEMO_APP.app_key}
CONTENT = json.dumps(chinaums_client.h5_content("3194FORM0001"), ensure_ascii=False)


def authenticator(**policy: object) -> Authenticator:
    clock = Clock()
    return Authenticator(KEYS, TokenStore(KEYS, clock), clock, AuthPolicy(**policy))  # type: ignore[arg-type]


def query(content: str = CONTENT, **options: object) -> str:
    return chinaums_client.open_form_param(DEMO_APP.app_id, DEMO_APP.app_key, content, **options)  # type: ignore[arg-type]


def test_java_url_encoding_matches_an_independent_implementation() -> None:
    text = "a b+c~d*e.f-g_h/{\"备注\":1}!'()"
    assert java_url_encode(text) == chinaums_client.java_urlencode(text)
    assert java_url_encode("2024-07-02 13:25:17") == "2024-07-02+13%3A25%3A17"


def test_the_builder_and_an_independent_client_sign_alike() -> None:
    ours = form_param_query(DEMO_APP.app_id, DEMO_APP.app_key, "20261126120000", CONTENT, nonce="n1")
    theirs = query(timestamp="20261126120000", nonce="n1")
    assert ours == theirs


def test_a_good_query_is_authenticated_over_the_decoded_content() -> None:
    result, params = authenticator().authenticate_form(query())
    assert (result.ok, result.scheme, result.app_id, result.warnings) == (True, "OPEN-FORM-PARAM", DEMO_APP.app_id, ())
    assert isinstance(params, FormParams)
    assert params.content == CONTENT


@pytest.mark.parametrize(("raw", "failure", "reason"), [
    ("appId=x", "missing_authorization", "the query has no authorization parameter"),
    ("authorization=OPEN-BODY-SIG&appId=x", "unknown_scheme", "a GET must use OPEN-FORM-PARAM"),
    ("authorization=OPEN-FORM-PARAM&appId=x", "malformed_authorization", "timestamp, nonce, content, signature are"),
    ("authorization=OPEN-FORM-PARAM&authorization=OPEN-FORM-PARAM", "malformed_authorization", "appears twice"),
    ("authorization=OPEN-FORM-PARAM&appId=%FF", "malformed_authorization", "appId is not URL-encoded UTF-8"),
])
def test_query_problems(raw: str, failure: str, reason: str) -> None:
    result, params = authenticator().authenticate_form(raw)
    assert (result.failure, params) == (failure, None)
    assert reason in result.reason


def test_a_long_nonce_is_refused() -> None:
    result, _ = authenticator().authenticate_form(query(nonce="n" * 129))
    assert result.failure == "malformed_authorization"
    assert result.reason == "nonce is 129 characters long (at most 128)"


def test_percent_twenty_is_refused_like_the_real_sandbox() -> None:
    result, params = authenticator().authenticate_form(query(encode=lambda text: quote(text, safe="")))
    assert params is not None and params.percent_twenty
    assert result.failure == "form_encoding"
    assert "a space as '+'" in result.reason


def test_content_without_spaces_may_use_either_encoding() -> None:
    compact = json.dumps({"merOrderId": "3194FORM0002"}, separators=(",", ":"))
    result, _ = authenticator().authenticate_form(query(compact, encode=lambda text: quote(text, safe="")))
    assert result.ok


def test_a_dashed_timestamp_is_the_observed_1000() -> None:
    result, _ = authenticator().authenticate_form(query(timestamp="2026-11-26 12:00:00"))
    assert result.failure == "bad_timestamp"


def test_an_unencoded_signature_is_named() -> None:
    # A nonce whose signature's Base64 holds a '+': sent unencoded, the gateway reads it as a space.
    raw = next(q for q in (query(nonce=f"n{i}") for i in range(500)) if "%2B" in q.rpartition("&signature=")[2])
    head, _, signature = raw.rpartition("&signature=")
    result, _ = authenticator().authenticate_form(f"{head}&signature={unquote_plus(signature)}")
    assert result.failure == "bad_signature"
    assert "URL-encode the signature" in result.reason


def test_a_raw_json_content_is_flagged_and_strict_mode_refuses_it() -> None:
    compact = json.dumps({"merOrderId": "3194FORM0003"}, separators=(",", ":"))
    raw = query(compact, encode=lambda text: text if text == compact else chinaums_client.java_urlencode(text))
    result, _ = authenticator().authenticate_form(raw)
    assert result.ok
    assert "content leaves" in result.warnings[0]
    strict, _ = authenticator(strict_header=True).authenticate_form(raw)
    assert strict.failure == "malformed_authorization"


def test_extra_parameters_are_ignored_with_a_note() -> None:
    result, _ = authenticator().authenticate_form(query() + "&utm=1")
    assert result.ok
    assert result.warnings == ("parameters beyond the six are ignored: utm",)


def test_an_unknown_app_and_a_wrong_key() -> None:
    unknown = chinaums_client.open_form_param("nobody", "key", CONTENT)
    assert authenticator().authenticate_form(unknown)[0].failure == "unknown_app"
    wrong = chinaums_client.open_form_param(DEMO_APP.app_id, "wrong", CONTENT)
    result, _ = authenticator().authenticate_form(wrong)
    assert result.failure == "bad_signature"
    assert DEMO_APP.app_key not in str(result.diagnosis)


def test_parse_keeps_the_raw_content() -> None:
    parsed = parse_form_query(query("a b"))
    assert not isinstance(parsed, HeaderProblem)
    assert (parsed.content, parsed.raw_content) == ("a b", "a+b")
    assert isinstance(parse_form_query("x" * 70000), HeaderProblem)

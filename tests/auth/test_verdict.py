"""Authentication verdicts without HTTP: each failure has its gateway error key and a reason a
developer can act on."""

from __future__ import annotations

from datetime import datetime, timedelta

import chinaums_client
import pytest

from mockums.auth.tokens import TokenStore
from mockums.auth.verdict import Authenticator, AuthPolicy
from mockums.clock import BEIJING, Clock, format_compact
from mockums.config import DEMO_APP

KEYS = {DEMO_APP.app_id: DEMO_APP.app_key}
BODY = b'{"merOrderId":"3194AUTH0001"}'


def authenticator(**policy: object) -> Authenticator:
    clock = Clock()
    return Authenticator(KEYS, TokenStore(KEYS, clock), clock, AuthPolicy(**policy))  # type: ignore[arg-type]


def header(body: bytes = BODY, *, key: str = DEMO_APP.app_key, **sig: object) -> str:
    return chinaums_client.open_body_sig(DEMO_APP.app_id, key, body, **sig)  # type: ignore[arg-type]


def test_a_good_signature() -> None:
    result = authenticator().authenticate(header(), BODY)
    assert (result.ok, result.app_id, result.scheme, result.reason) == (True, DEMO_APP.app_id, "OPEN-BODY-SIG",
                                                                         "valid signature")


@pytest.mark.parametrize(("authorization", "failure"), [
    (None, "missing_authorization"),
    ("Basic abc", "unknown_scheme"),
    ('OPEN-BODY-SIG AppId="x"', "malformed_authorization"),
])
def test_header_problems(authorization: str | None, failure: str) -> None:
    assert authenticator().authenticate(authorization, BODY).failure == failure


def test_a_wrong_key_is_a_bad_signature_with_the_string_to_sign() -> None:
    result = authenticator().authenticate(header(key="wrong"), BODY)
    assert result.failure == "bad_signature"
    assert str(result.diagnosis["body_sha256"]) in str(result.diagnosis["string_to_sign"])
    assert DEMO_APP.app_key not in str(result.diagnosis)


def test_a_hex_signature_is_named() -> None:
    bad = header().rsplit('Signature="', 1)[0] + 'Signature="' + "ab" * 32 + '"'
    result = authenticator().authenticate(bad, BODY)
    assert result.reason == "Signature does not match: it is hex; ChinaUMS expects the HMAC in standard Base64"


def test_an_epoch_timestamp_is_named() -> None:
    result = authenticator().authenticate(header(timestamp="1764547200"), BODY)
    assert result.failure == "bad_timestamp"
    assert result.reason.endswith("it looks like a Unix epoch")


def test_unknown_app() -> None:
    other = chinaums_client.open_body_sig("someone-else", "key", BODY)
    assert authenticator().authenticate(other, BODY).failure == "unknown_app"


def test_strict_header_refuses_what_lenient_flags() -> None:
    spaced = header(separator=" , ")
    lenient = authenticator().authenticate(spaced, BODY)
    strict = authenticator(strict_header=True).authenticate(spaced, BODY)
    assert lenient.ok and lenient.warnings
    assert strict.failure == "malformed_authorization"
    for official in (header(separator=", "), header(separator=",")):
        assert authenticator(strict_header=True).authenticate(official, BODY).ok
        assert authenticator().authenticate(official, BODY).warnings == ()


def test_skew_is_a_warning_unless_strict() -> None:
    utc = format_compact(datetime.now(BEIJING) - timedelta(hours=8))
    lenient = authenticator().authenticate(header(timestamp=utc), BODY)
    strict = authenticator(strict_timestamp=True).authenticate(header(timestamp=utc), BODY)
    assert lenient.ok and "UTC clock" in lenient.warnings[0]
    assert strict.failure == "skewed_timestamp"


def test_token_request_and_token() -> None:
    auth = authenticator()
    request = chinaums_client.token_request(DEMO_APP.app_id, DEMO_APP.app_key)
    granted = auth.check_token_request(request)
    assert (granted.ok, granted.app_id) == (True, DEMO_APP.app_id)
    wrong = auth.check_token_request({**request, "signature": "0" * 64})
    assert wrong.failure == "bad_token_signature"
    assert auth.check_token_request({**request, "signMethod": "MD5"}).failure == "bad_token_request"
    assert auth.check_token_request({"appId": DEMO_APP.app_id}).failure == "bad_token_request"

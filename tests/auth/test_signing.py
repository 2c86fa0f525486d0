"""The signing functions against the published vector (protocol-evidence §1 and §2)."""

from __future__ import annotations

import base64
import hmac

import chinaums_client
import pytest

from mockums.auth import signing

APP_ID = "f0ec96ad2c3848b5b810e7aadf369e2f"
APP_KEY = "775481e2556e4564985f5439a5e6a277"  # ChinaUMS's public demo credential, test-only
TIMESTAMP = "20190227113148"
NONCE = "be46cd581c9f46ecbd71b9858311ea12"
DEMO_BODY = (
    '{"merchantCode":"123456789900081","terminalCode":"00810001","merchantOrderId":"20123333644493200",'
    '"transactionAmount":"1","merchantRemark":"测试","payMode":"CODE_SCAN","payCode":"285668667587422761",'
    '"transactionCurrencyCode":"156"}'
).encode()


def test_body_digest_matches_the_official_demo() -> None:
    assert signing.body_digest(DEMO_BODY) == "d60bc3aedeb853e2a11c0c096baaf19954dd9b752e48dea8e919e5fb29a42a8d"


def test_body_signature_matches_the_published_vector() -> None:
    signature = signing.body_signature(APP_KEY, APP_ID, TIMESTAMP, NONCE, DEMO_BODY)
    assert signature == "k150lh7AFycwmSC+JYQjU3bODxbHkDLrXabgVtzUS6o="


@pytest.mark.parametrize("app_key", ["", "k", "a" * 63, "b" * 64, "c" * 65, "密钥" * 40, APP_KEY])
def test_hmac_from_kept_key_pads_equals_the_standard_library(app_key: str) -> None:
    """Keys shorter than, as long as and longer than SHA-256's 64-byte block (hashed first), non-ASCII too."""
    for message in ("", "x", "签名" * 100):
        expected = base64.b64encode(hmac.digest(app_key.encode(), message.encode(), "sha256")).decode()
        assert signing.hmac_base64(app_key, message) == expected
        assert signing.hmac_base64(app_key, message) == expected  # the kept pads are not consumed


def test_string_to_sign_is_the_concatenation() -> None:
    assert signing.string_to_sign(APP_ID, TIMESTAMP, NONCE, DEMO_BODY) == (
        APP_ID + TIMESTAMP + NONCE + "d60bc3aedeb853e2a11c0c096baaf19954dd9b752e48dea8e919e5fb29a42a8d"
    )


def test_token_signature_matches_the_computed_vector() -> None:
    assert signing.token_request_signature(APP_ID, TIMESTAMP, NONCE, APP_KEY) == (
        "cab0b22529ee5169694e45fc862832cbeda4050aff5f4b4e438a7fa32562901a"
    )


def test_sha1_token_signature_is_the_legacy_variant() -> None:
    import hashlib

    expected = hashlib.sha1((APP_ID + TIMESTAMP + NONCE + APP_KEY).encode()).hexdigest()
    assert signing.token_request_signature(APP_ID, TIMESTAMP, NONCE, APP_KEY, "SHA1") == expected


def test_authorization_header_is_canonical_and_agrees_with_an_independent_client() -> None:
    header = signing.authorization_header(APP_ID, APP_KEY, TIMESTAMP, DEMO_BODY, NONCE)
    assert header == (
        f'OPEN-BODY-SIG AppId="{APP_ID}", Timestamp="{TIMESTAMP}", Nonce="{NONCE}", '
        'Signature="k150lh7AFycwmSC+JYQjU3bODxbHkDLrXabgVtzUS6o="'
    )
    assert header == chinaums_client.open_body_sig(APP_ID, APP_KEY, DEMO_BODY, timestamp=TIMESTAMP, nonce=NONCE)


def test_signature_covers_the_exact_bytes() -> None:
    php = chinaums_client.php_json({"merRemark": "测试/1"})
    go = chinaums_client.go_json({"merRemark": "测试/1"})
    assert php != go
    assert signing.body_signature(APP_KEY, APP_ID, TIMESTAMP, NONCE, php) != signing.body_signature(
        APP_KEY, APP_ID, TIMESTAMP, NONCE, go
    )

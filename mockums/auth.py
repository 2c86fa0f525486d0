"""Deciding whether a request is authenticated, and explaining the verdict.

Pure: takes the raw Authorization header and body bytes, returns an `AuthResult` whose `failure` is a
key of the gateway error table. Nothing here knows about HTTP.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass, field

from mockums import signing
from mockums.authheader import BodySigHeader, HeaderProblem, TokenHeader, parse_authorization
from mockums.clock import Clock, describe_skew, parse_compact
from mockums.tokens import TokenStore


@dataclass(frozen=True)
class AuthPolicy:
    strict_header: bool = False  # accept only the canonical OPEN-BODY-SIG header
    strict_timestamp: bool = False  # reject (not just flag) a Timestamp outside the skew window
    skew_window: int = 600  # seconds; 0 turns the skew check off


@dataclass(frozen=True)
class AuthResult:
    app_id: str | None
    scheme: str | None
    failure: str | None  # a gateway error key, None when authenticated
    reason: str
    warnings: tuple[str, ...] = ()
    diagnosis: Mapping[str, object] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.failure is None


def _fail(failure: str, reason: str, scheme: str | None = None, app_id: str | None = None,
          **diagnosis: object) -> AuthResult:
    return AuthResult(app_id, scheme, failure, reason, (), {"reason": reason, **diagnosis})


class Authenticator:
    def __init__(self, app_keys: Mapping[str, str], tokens: TokenStore, clock: Clock,
                 policy: AuthPolicy) -> None:
        self._app_keys = app_keys
        self._tokens = tokens
        self._clock = clock
        self.policy = policy

    def authenticate(self, authorization: str | None, body: bytes) -> AuthResult:
        parsed = parse_authorization(authorization)
        if isinstance(parsed, HeaderProblem):
            return _fail(parsed.kind, parsed.reason, header_problem=parsed.reason)
        if isinstance(parsed, TokenHeader):
            return self._check_token(parsed)
        return self._check_body_sig(parsed, body)

    def _check_token(self, header: TokenHeader) -> AuthResult:
        scheme = "OPEN-ACCESS-TOKEN"
        check = self._tokens.check(header.token, header.app_id)
        if check.verdict != "ok":
            return _fail(check.verdict, check.reason, scheme, check.app_id,
                         token_age_seconds=round(check.age))
        return AuthResult(check.app_id, scheme, None, "valid access token")

    def _check_body_sig(self, header: BodySigHeader, body: bytes) -> AuthResult:
        scheme = "OPEN-BODY-SIG"
        warnings: list[str] = []
        if header.deviations:
            text = "Authorization header is not in canonical form: " + "; ".join(header.deviations)
            if self.policy.strict_header:
                return _fail("malformed_authorization", text + " (strict mode)", scheme,
                             header.app_id, header_problem=text)
            warnings.append(text)
        app_key = self._app_keys.get(header.app_id)
        if app_key is None:
            return _fail("unknown_app", f"AppId {header.app_id!r} is not a configured app",
                         scheme, header.app_id)
        stamped = parse_compact(header.timestamp)
        if stamped is None:
            reason = f"Timestamp {header.timestamp!r} is not yyyyMMddHHmmss (14 digits, Beijing time)"
            if header.timestamp.isdigit() and len(header.timestamp) in (10, 13):
                reason += "; it looks like a Unix epoch"
            return _fail("bad_timestamp", reason, scheme, header.app_id)
        digest = signing.body_digest(body)
        expected = signing.body_signature(app_key, header.app_id, header.timestamp, header.nonce, body)
        skew = stamped.timestamp() - self._clock.now()
        diagnosis: dict[str, object] = {
            "string_to_sign": signing.string_to_sign(header.app_id, header.timestamp, header.nonce, body),
            "hmac": f"Base64(HMAC-SHA256({signing.REDACTED}, string_to_sign))",
            "body_sha256": digest,
            "body_bytes": len(body),
            "expected_signature": expected,
            "received_signature": header.signature,
            "clock_skew_seconds": round(skew),
        }
        if not signing.signatures_equal(expected, header.signature):
            reason = "Signature does not match: " + _signature_hint(app_key, header, body)
            return _fail("bad_signature", reason, scheme, header.app_id, **diagnosis)
        window = self.policy.skew_window
        if window and abs(skew) > window:
            text = f"Timestamp {header.timestamp} is {describe_skew(skew)} (window {window} s)"
            if self.policy.strict_timestamp:
                return _fail("skewed_timestamp", text, scheme, header.app_id, **diagnosis)
            warnings.append(text)
        return AuthResult(header.app_id, scheme, None, "valid signature", tuple(warnings))


def _signature_hint(app_key: str, header: BodySigHeader, body: bytes) -> str:
    """Name the usual signing mistakes when one of them reproduces the client's signature."""
    received = header.signature
    try:
        raw = base64.b64decode(received, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        if len(received) == 64 and all(c in "0123456789abcdefABCDEF" for c in received):
            return "it is hex; ChinaUMS expects the HMAC in standard Base64"
        return "it is not the Base64 of a 32-byte HMAC-SHA256"
    upper = signing.string_to_sign(header.app_id, header.timestamp, header.nonce, body)
    upper = upper[: -64] + signing.body_digest(body).upper()
    if signing.signatures_equal(signing.hmac_base64(app_key, upper), received):
        return "it was computed over an UPPERCASE body digest; the digest must be lowercase hex"
    if body.strip() and signing.signatures_equal(
        signing.body_signature(app_key, header.app_id, header.timestamp, header.nonce, b""), received
    ):
        return "it was computed over an empty body; sign the exact bytes you send"
    return ("compare string_to_sign and body_sha256 with what your client signed; the body must be "
            "hashed byte for byte as sent")


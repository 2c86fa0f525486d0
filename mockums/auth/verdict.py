"""Deciding whether a request is authenticated, and explaining the verdict.

Pure: takes the raw Authorization header and body bytes, returns an `AuthResult` whose `failure` is a
key of the gateway error table. Nothing here knows about HTTP.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from mockums.auth import signing
from mockums.auth.form import FORM_SCHEME, FormParams, parse_form_query
from mockums.auth.header import BodySigHeader, HeaderProblem, TokenHeader, parse_authorization
from mockums.auth.tokens import TokenStore
from mockums.clock import Clock, describe_skew, epoch_of, parse_compact
from mockums.limits import DEFAULT_SKEW_WINDOW


@dataclass(frozen=True)
class AuthPolicy:
    strict_header: bool = False  # accept only the OPEN-BODY-SIG header forms official material shows
    strict_timestamp: bool = False  # reject (not just flag) a Timestamp outside the skew window
    skew_window: int = DEFAULT_SKEW_WINDOW  # seconds; 0 turns the skew check off


NO_DIAGNOSIS: Mapping[str, object] = MappingProxyType({})  # shared by every verdict and trace without a diagnosis


@dataclass(slots=True)  # one or more per request: not frozen, which would make each cost about twice as much
class AuthResult:
    """What authentication decided: the app, the scheme, the gateway error key that refused it (None: it
    passed) and why, warnings, and what the journal shows of it. Not changed once made."""

    app_id: str | None
    scheme: str | None
    failure: str | None  # a gateway error key, None when authenticated
    reason: str
    warnings: tuple[str, ...] = ()
    diagnosis: Mapping[str, object] = field(default_factory=lambda: NO_DIAGNOSIS)

    @property
    def ok(self) -> bool:
        return self.failure is None


def _body_sig_diagnosis(header: BodySigHeader, body: bytes, digest: str, expected: str,
                        skew: float) -> dict[str, object]:
    """What a refused OPEN-BODY-SIG request's diagnosis shows (built only for a refusal: nobody reads it otherwise)."""
    return {
        "string_to_sign": header.app_id + header.timestamp + header.nonce + digest,
        "hmac": f"Base64(HMAC-SHA256({signing.REDACTED}, string_to_sign))",
        "body_sha256": digest,
        "body_bytes": len(body),
        "expected_signature": expected,
        "received_signature": header.signature,
        "clock_skew_seconds": round(skew),
    }


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

    def authenticate_form(self, raw_query: str) -> tuple[AuthResult, FormParams | None]:
        """A GET's OPEN-FORM-PARAM query: the verdict, and the decoded parameters when they could be read.

        The checks run in the gateway's order as far as it is known: app, timestamp, then the content's
        encoding (a space sent as %20 was refused live with `1000 Timestamp解析失败`), then the signature.
        """
        params = parse_form_query(raw_query)
        if isinstance(params, HeaderProblem):
            return _fail(params.kind, params.reason, FORM_SCHEME, header_problem=params.reason), None
        deviations = [*params.deviations]
        if params.others:
            deviations.append(f"parameters beyond the six are ignored: {', '.join(params.others)}")
        header = BodySigHeader(params.app_id, params.timestamp, params.nonce, params.signature)
        result = self._check_body_sig(header, params.content.encode(), FORM_SCHEME)
        if result.failure in ("unknown_app", "bad_timestamp"):
            return result, params
        if params.percent_twenty:
            reason = ("content is encoded RFC 3986 style (a space as %20); encode it the way java.net.URLEncoder "
                      "does (a space as '+'), as the real sandbox requires")
            return _fail("form_encoding", reason, FORM_SCHEME, params.app_id), params
        if result.failure == "bad_signature" and " " in params.signature:
            reason = ("Signature does not match: it contains spaces, so a '+' of the Base64 was sent unencoded; "
                      "URL-encode the signature")
            diagnosis = {key: value for key, value in result.diagnosis.items() if key != "reason"}
            return _fail("bad_signature", reason, FORM_SCHEME, params.app_id, **diagnosis), params
        if result.failure is None and deviations:
            if self.policy.strict_header:
                text = "the query is not in the documented form: " + "; ".join(deviations) + " (strict mode)"
                return _fail("malformed_authorization", text, FORM_SCHEME, params.app_id, header_problem=text), params
            result = replace(result, warnings=(*result.warnings, *deviations))
        return result, params

    def _check_token(self, header: TokenHeader) -> AuthResult:
        scheme = "OPEN-ACCESS-TOKEN"
        check = self._tokens.check(header.token, header.app_id)
        if check.verdict != "ok":
            return _fail(check.verdict, check.reason, scheme, check.app_id,
                         token_age_seconds=round(check.age))
        return AuthResult(check.app_id, scheme, None, "valid access token")

    def _check_body_sig(self, header: BodySigHeader, body: bytes, scheme: str = "OPEN-BODY-SIG") -> AuthResult:
        warnings: list[str] = []
        if header.deviations:
            text = "Authorization header is not in a form official material shows: " + "; ".join(header.deviations)
            if self.policy.strict_header:
                return _fail("malformed_authorization", text + " (strict mode)", scheme,
                             header.app_id, header_problem=text)
            warnings.append(text)
        app_key = self._app_keys.get(header.app_id)
        if app_key is None:
            return _fail("unknown_app", f"AppId {header.app_id!r} is not a configured app",
                         scheme, header.app_id)
        stamped = epoch_of(header.timestamp) if len(header.timestamp) == 14 else None  # yyyyMMddHHmmss only
        if stamped is None:
            reason = f"Timestamp {header.timestamp!r} is not yyyyMMddHHmmss (14 digits, Beijing time)"
            if header.timestamp.isdigit() and len(header.timestamp) in (10, 13):
                reason += "; it looks like a Unix epoch"
            return _fail("bad_timestamp", reason, scheme, header.app_id)
        # The body is hashed once; the diagnosis (string to sign, expected signature…) is built only
        # when the request is refused, since nobody reads it on success.
        digest = signing.body_digest(body)
        expected = signing.digest_signature(app_key, header.app_id, header.timestamp, header.nonce, digest)
        skew = stamped - self._clock.wall()  # clients stamp real time, even when a test moved ours
        if not signing.signatures_equal(expected, header.signature):
            reason = "Signature does not match: " + _signature_hint(app_key, header, body)
            return _fail("bad_signature", reason, scheme, header.app_id,
                         **_body_sig_diagnosis(header, body, digest, expected, skew))
        skewed = self._skew("Timestamp", header.timestamp, skew)
        if skewed and self.policy.strict_timestamp:
            return _fail("skewed_timestamp", skewed, scheme, header.app_id,
                         **_body_sig_diagnosis(header, body, digest, expected, skew))
        if skewed:
            warnings.append(skewed)
        return AuthResult(header.app_id, scheme, None, "valid signature", tuple(warnings))

    def _skew(self, name: str, stamp: str, skew: float) -> str | None:
        """A sentence when `skew` is outside the window ("Timestamp 20260101120000 is 2 h behind…"), else None."""
        window = self.policy.skew_window
        if window and abs(skew) > window:
            return f"{name} {stamp} is {describe_skew(skew)} (window {window} s)"
        return None

    def check_token_request(self, request: Mapping[str, object]) -> AuthResult:
        """POST /v1/token/access: signature = lowerhex(SHA256(appId + timestamp + nonce + appKey))."""
        missing = [key for key in ("appId", "timestamp", "nonce", "signature")
                   if not isinstance(request.get(key), str) or not request.get(key)]
        if missing:
            return _fail("bad_token_request", f"{', '.join(missing)} missing, empty or not a string")
        app_id, timestamp = str(request["appId"]), str(request["timestamp"])
        nonce, received = str(request["nonce"]), str(request["signature"])
        app_key = self._app_keys.get(app_id)
        if app_key is None:
            return _fail("unknown_app", f"appId {app_id!r} is not a configured app", app_id=app_id)
        stamped = parse_compact(timestamp)
        if stamped is None:
            return _fail("bad_timestamp",
                         f"timestamp {timestamp!r} is not yyyyMMddHHmmss (14 digits, Beijing time)",
                         app_id=app_id)
        method = request.get("signMethod")
        methods = _token_methods(method, self.policy.strict_header)
        if not methods:
            return _fail("bad_token_request", f"signMethod {method!r} is not supported (use SHA256)",
                         app_id=app_id)
        if not any(signing.signatures_equal(
                signing.token_request_signature(app_id, timestamp, nonce, app_key, m), received.lower())
                for m in methods):
            return _fail(
                "bad_token_signature",
                "signature does not match lowerhex(SHA256(appId + timestamp + nonce + appKey))",
                app_id=app_id,
                string_hashed=f"{app_id}{timestamp}{nonce}{signing.REDACTED}",
                expected_signature=signing.token_request_signature(app_id, timestamp, nonce, app_key, methods[0]),
                received_signature=received,
            )
        skewed = self._skew("timestamp", timestamp, stamped.timestamp() - self._clock.wall())
        if skewed and self.policy.strict_timestamp:
            return _fail("skewed_timestamp", skewed, app_id=app_id)
        return AuthResult(app_id, "token-request", None, "token request signature valid",
                          (skewed,) if skewed else ())


def _token_methods(method: object, strict: bool) -> tuple[str, ...]:
    if method is None or method == "":
        # The older token API signs with SHA1 and sends no signMethod; lenient mode accepts both.
        return ("SHA256",) if strict else ("SHA256", "SHA1")
    if isinstance(method, str) and method.upper() in ("SHA256", "SHA1"):
        return (method.upper(),)
    return ()


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
            "hashed byte for byte as sent, so a body edited after signing must be signed again "
            "(`mockums sign --body …`)")


"""The key-append signature ChinaUMS puts on payment notifications (pure functions, no I/O).

    sign = UPPERHEX(SHA256 or MD5( "k1=v1&k2=v2&...&kn=vn" + communicationKey ))

Rules (protocol-evidence §7, checked against the vectors the spec prints in §1.9.4 and §1.10):
every parameter except `sign` itself; empty values left out; keys in ASCII order; values raw
(decoded, never URL-encoded); the communication key (通讯密钥, not the appKey) appended with no
separator; `signType` is an ordinary parameter, so it is signed too. Strings are hashed as UTF-8.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

REDACTED = "<notify key redacted>"
SIGN_FIELD = "sign"
SIGN_TYPE_FIELD = "signType"
SHA256 = "SHA256"
MD5 = "MD5"


def normalize_sign_type(sign_type: str) -> str:
    """`SHA256` or `MD5` (case-insensitive; empty means the spec's default, SHA256).

    Anything else raises ValueError: silently hashing with SHA256 would produce a signature the
    receiver can never match, and the resulting "bad signature" would hide the real mistake.
    """
    normalized = sign_type.strip().upper()
    if normalized in ("", SHA256):
        return SHA256
    if normalized == MD5:
        return MD5
    raise ValueError(f"unsupported signType {sign_type!r}: ChinaUMS notifications use SHA256 or MD5")


def _joined(params: Mapping[str, str]) -> str:
    # Python sorts str by code point, which is ASCII order for the ASCII keys the protocol uses.
    names = sorted(name for name, value in params.items() if name != SIGN_FIELD and value != "")
    return "&".join(f"{name}={params[name]}" for name in names)


def sign_string(params: Mapping[str, str], key: str) -> str:
    """The exact text that is digested, key included. Internal use only: never log it."""
    return _joined(params) + key


def redacted_sign_string(params: Mapping[str, str]) -> str:
    """The digested text with the key replaced by a marker: safe to show when diagnosing a mismatch."""
    return _joined(params) + REDACTED


def notification_sign(params: Mapping[str, str], key: str, sign_type: str = SHA256) -> str:
    """Uppercase hex digest of `sign_string` (SHA256 by default, MD5 when `sign_type` says so)."""
    algorithm = "md5" if normalize_sign_type(sign_type) == MD5 else "sha256"
    return hashlib.new(algorithm, sign_string(params, key).encode("utf-8")).hexdigest().upper()


def sign_notification(params: Mapping[str, str], key: str, sign_type: str = SHA256) -> dict[str, str]:
    """A copy of `params` with `signType` set (it is part of what gets signed) and `sign` added."""
    signed = {name: value for name, value in params.items() if name != SIGN_FIELD}
    signed[SIGN_TYPE_FIELD] = normalize_sign_type(sign_type)
    signed[SIGN_FIELD] = notification_sign(signed, key, signed[SIGN_TYPE_FIELD])
    return signed


def verify_notification(params: Mapping[str, str], key: str) -> bool:
    """True when `sign` matches, using the `signType` the params carry (SHA256 when absent).

    Hex case is ignored: it carries no information, and the platform's own casing is not written
    down anywhere. A missing sign or an unknown signType is simply False.
    """
    given = params.get(SIGN_FIELD, "").strip()
    if not given:
        return False
    try:
        expected = notification_sign(params, key, params.get(SIGN_TYPE_FIELD, ""))
    except ValueError:
        return False
    return hmac.compare_digest(given.upper().encode(), expected.encode())

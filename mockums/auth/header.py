"""Parsing the `Authorization` header the way real ChinaUMS clients write it.

Every outcome says what was seen: a parsed header lists how it departs from the forms official material shows
(so strict mode can reject and lenient mode can flag), and a problem names the part that failed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

BODY_SIG = "OPEN-BODY-SIG"
ACCESS_TOKEN = "OPEN-ACCESS-TOKEN"
BODY_SIG_KEYS = ("AppId", "Timestamp", "Nonce", "Signature")
MAX_HEADER_LENGTH = 4096

# `Key="value"` or `Key=value`, with whatever spacing clients use around `=` and `,`.
# The canonical form, as the official demo writes it: read in one match (most requests take this path).
_CANONICAL = re.compile(r'OPEN-BODY-SIG AppId="([^"]+)", Timestamp="([^"]+)", Nonce="([^"]+)", Signature="([^"]+)"')
_PARAM = re.compile(r'\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(?:"([^"]*)"|([^,"\s]*))\s*(,?)')


@dataclass(slots=True)  # one per request: not frozen, which would make it cost about twice as much
class BodySigHeader:
    """An OPEN-BODY-SIG header's parts, and how it strays from the canonical form. Not changed once made."""

    app_id: str
    timestamp: str
    nonce: str
    signature: str
    deviations: tuple[str, ...] = ()

    @property
    def canonical(self) -> bool:
        return not self.deviations


@dataclass(frozen=True)
class TokenHeader:
    token: str
    app_id: str | None = None


ProblemKind = Literal["missing_authorization", "unknown_scheme", "malformed_authorization"]


@dataclass(frozen=True)
class HeaderProblem:
    kind: ProblemKind
    reason: str


@dataclass
class _Params:
    values: dict[str, str] = field(default_factory=dict)
    deviations: list[str] = field(default_factory=list)


# The separators official material shows between the header's fields, and where: strict mode accepts
# exactly these, lenient mode flags anything else. Every form keeps the key order and casing
# AppId, Timestamp, Nonce, Signature with double-quoted values (protocol-evidence §1).
OFFICIAL_SEPARATORS: dict[str, str] = {
    ", ": "ChinaUMS's own demo code (YlunifiedOrderUtil.java, AppletOrders1.java) and most clients",
    ",": "the official API page (the app-pre-close page's request-header example)",
}


def canonical_body_sig(app_id: str, timestamp: str, nonce: str, signature: str, separator: str = ", ") -> str:
    """The header as official material writes it, with one of OFFICIAL_SEPARATORS."""
    fields = (f'AppId="{app_id}"', f'Timestamp="{timestamp}"', f'Nonce="{nonce}"', f'Signature="{signature}"')
    return f"{BODY_SIG} {separator.join(fields)}"


def parse_authorization(raw: str | None) -> BodySigHeader | TokenHeader | HeaderProblem:
    if raw is None or not raw.strip():
        return HeaderProblem("missing_authorization", "the Authorization header is missing or empty")
    if len(raw) > MAX_HEADER_LENGTH:
        return HeaderProblem(
            "malformed_authorization",
            f"the Authorization header is {len(raw)} characters long (at most {MAX_HEADER_LENGTH})",
        )
    canonical = _CANONICAL.fullmatch(raw)
    if canonical is not None:  # exactly what the general parser below returns for this input, faster
        app_id, timestamp, nonce, signature = canonical.groups()
        return BodySigHeader(app_id, timestamp, nonce, signature)
    scheme, _, rest = raw.strip().partition(" ")
    if scheme.upper() == BODY_SIG:
        return _parse_body_sig(raw, scheme, rest)
    if scheme.upper() == ACCESS_TOKEN:
        return _parse_token(scheme, rest)
    shown = scheme if len(scheme) <= 40 else scheme[:40] + "…"
    return HeaderProblem(
        "unknown_scheme",
        f"unknown scheme {shown!r}: expected {BODY_SIG} or {ACCESS_TOKEN}",
    )


def _parse_params(text: str) -> _Params | HeaderProblem:
    params = _Params()
    position = 0
    text = text.strip()
    while position < len(text):
        found = _PARAM.match(text, position)
        if found is None or found.end() == position:
            fragment = text[position : position + 30]
            return HeaderProblem(
                "malformed_authorization",
                f'cannot read a Key="value" pair at character {position}: {fragment!r}',
            )
        key, quoted, bare, comma = found.groups()
        canonical_key = next((k for k in (*BODY_SIG_KEYS, "AccessToken") if k.lower() == key.lower()), key)
        if canonical_key in params.values:
            return HeaderProblem("malformed_authorization", f"{canonical_key} appears twice")
        if canonical_key != key:
            params.deviations.append(f"key {key!r} should be spelled {canonical_key!r}")
        if quoted is None:
            params.deviations.append(f"value of {canonical_key} is not in double quotes")
        params.values[canonical_key] = quoted if quoted is not None else bare
        position = found.end()
        if not comma and position < len(text):
            return HeaderProblem(
                "malformed_authorization", f"expected ',' after {canonical_key}, got {text[position]!r}"
            )
    return params


def _parse_body_sig(raw: str, scheme: str, rest: str) -> BodySigHeader | HeaderProblem:
    parsed = _parse_params(rest)
    if isinstance(parsed, HeaderProblem):
        return parsed
    values = parsed.values
    missing = [key for key in BODY_SIG_KEYS if not values.get(key)]
    if missing:
        return HeaderProblem(
            "malformed_authorization",
            f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing or empty "
            f"(expected {', '.join(BODY_SIG_KEYS)})",
        )
    deviations = list(parsed.deviations)
    extra = [key for key in values if key not in BODY_SIG_KEYS]
    if extra:
        deviations.append(f"unexpected keys {', '.join(extra)}")
    if scheme != BODY_SIG:
        deviations.append(f"scheme {scheme!r} should be spelled {BODY_SIG!r}")
    app_id, timestamp, nonce, signature = (values[key] for key in BODY_SIG_KEYS)
    official = {canonical_body_sig(app_id, timestamp, nonce, signature, separator) for separator in OFFICIAL_SEPARATORS}
    if not deviations and raw not in official:
        deviations.append('spacing or key order differs from OPEN-BODY-SIG AppId="…", Timestamp="…", '
                          'Nonce="…", Signature="…" (fields separated by ", " or ",")')
    return BodySigHeader(
        app_id=values["AppId"],
        timestamp=values["Timestamp"],
        nonce=values["Nonce"],
        signature=values["Signature"],
        deviations=tuple(deviations),
    )


def _parse_token(scheme: str, rest: str) -> TokenHeader | HeaderProblem:
    parsed = _parse_params(rest)
    if isinstance(parsed, HeaderProblem):
        return parsed
    token = parsed.values.get("AccessToken")
    if not token:
        return HeaderProblem(
            "malformed_authorization", "AccessToken is missing or empty (expected AccessToken=<token>)"
        )
    extra = [key for key in parsed.values if key not in ("AccessToken", "AppId")]
    if extra:
        return HeaderProblem(
            "malformed_authorization", f"unexpected keys {', '.join(extra)} after AccessToken"
        )
    return TokenHeader(token=token, app_id=parsed.values.get("AppId") or None)

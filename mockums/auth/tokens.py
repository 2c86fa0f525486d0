"""Access tokens for OPEN-ACCESS-TOKEN.

Tokens are self-verifying (issue time + random + a MAC keyed with the app's appKey, 32 hex
characters like the real ones), so a token a client cached before a sandbox restart still works
after it, within its lifetime, without anything written to disk. The "at most N live tokens per
appId" rule is kept in a `TokenRepository` (in memory by default): issuing one more revokes the oldest.

Revocation is remembered by issue time, not token by token: the live tokens are first in, first out,
so a token issued no later than the newest revoked one, and not live, is revoked too. A reset revokes
every token at once the same way (`revoke_all`). Memory stays at
N tokens per app however many are issued, and a revoked token never comes back. (A token cached from
before a restart is accepted until this process revokes one issued after it.)
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import struct
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal, NamedTuple, Protocol

from mockums.clock import Clock
from mockums.limits import MAX_LIVE_TOKENS, TOKEN_LIFETIME
from mockums.state.records import MemoryRecords, Records

_MAC_LABEL = b"mockums-access-token\x00"


@dataclass(frozen=True)
class TokenCheck:
    verdict: Literal["ok", "unknown_token", "expired_token"]
    app_id: str | None
    reason: str
    age: float = 0.0


def _mac(app_key: str, app_id: str, head: bytes) -> bytes:
    return hmac.new(app_key.encode(), _MAC_LABEL + app_id.encode() + head, hashlib.sha256).digest()[:8]


class Issued(NamedTuple):
    """An app's live tokens (oldest first, with their issue times) and the issue second of the newest one
    revoked (-1: none)."""

    live: tuple[tuple[str, float], ...] = ()
    revoked_through: int = -1


NONE_ISSUED = Issued()


class TokenRepository(Protocol):
    """Where each app's live tokens are kept."""

    def issued(self, app_id: str) -> Issued:
        """The app's live tokens and revocation mark."""

    def update(self, app_id: str, change: Callable[[Issued], Issued]) -> Issued:
        """Apply `change` to the app's tokens as one atomic step; what it gave."""

    def clear(self) -> None:
        """Forget every token (they are still verified by their MAC, and all count as live)."""


class RecordTokens:
    """Each app's tokens as a record under its appId (`mockums.state.records`): in memory or in a shared store."""

    def __init__(self, records: Records[Issued]) -> None:
        self._records = records

    def issued(self, app_id: str) -> Issued:
        return self._records.get(app_id) or NONE_ISSUED

    def update(self, app_id: str, change: Callable[[Issued], Issued]) -> Issued:
        def apply(old: Issued | None) -> tuple[Issued, Issued]:
            new = change(old if old is not None else NONE_ISSUED)
            return new, new

        return self._records.update(app_id, apply)

    def clear(self) -> None:
        self._records.clear()


class MemoryTokens(RecordTokens):
    """Tokens in this process: at most `max_live` per app, so a few per configured app."""

    def __init__(self, capacity: int = 100_000) -> None:
        super().__init__(MemoryRecords(capacity))


def _with(issued: Issued, token: str, now: float, lifetime: int, max_live: int) -> Issued:
    """The app's tokens after issuing `token`: the expired ones dropped, the oldest revoked beyond `max_live`."""
    live = [entry for entry in issued.live if entry[1] + lifetime > now]
    revoked_through = issued.revoked_through
    while len(live) >= max_live:
        _, revoked_at = live.pop(0)
        revoked_through = max(revoked_through, int(revoked_at))
    return Issued((*live, (token, now)), revoked_through)


class TokenStore:
    """Issues and checks access tokens; the live list of each app is kept in a `TokenRepository`."""

    def __init__(self, app_keys: Mapping[str, str], clock: Clock, lifetime: int = TOKEN_LIFETIME,
                 max_live: int = MAX_LIVE_TOKENS, tokens: TokenRepository | None = None) -> None:
        self._app_keys = dict(app_keys)
        self._clock = clock
        self.lifetime = lifetime
        self.max_live = max_live
        self._tokens = tokens if tokens is not None else MemoryTokens()

    def issue(self, app_id: str) -> str:
        """A new token for the app (revoking its oldest live one beyond `max_live`)."""
        now = self._clock.now()
        head = struct.pack(">I", int(now) & 0xFFFFFFFF) + secrets.token_bytes(4)
        token = (head + _mac(self._app_keys[app_id], app_id, head)).hex()
        self._tokens.update(app_id, lambda issued: _with(issued, token, now, self.lifetime, self.max_live))
        return token

    def check(self, token: str, claimed_app_id: str | None = None) -> TokenCheck:
        try:
            raw = bytes.fromhex(token)
        except ValueError:
            raw = b""
        if len(raw) != 16:
            return TokenCheck("unknown_token", None, "the token is not one this sandbox issued "
                              "(expected 32 hex characters from POST /v1/token/access)")
        token = raw.hex()  # hex is read in either case; the live list keeps the lower-case form
        head, mac = raw[:8], raw[8:]
        owner = next(
            (app_id for app_id, key in self._app_keys.items()
             if hmac.compare_digest(_mac(key, app_id, head), mac)),
            None,
        )
        if owner is None:
            return TokenCheck("unknown_token", None, "no configured app issued this token")
        if claimed_app_id is not None and claimed_app_id != owner:
            return TokenCheck("unknown_token", owner,
                              f"the token belongs to appId {owner}, but the header says AppId={claimed_app_id}")
        (issued,) = struct.unpack(">I", head[:4])
        age = self._clock.now() - issued
        if age >= self.lifetime:
            return TokenCheck("expired_token", owner,
                              f"the token was issued {int(age)} s ago; tokens live {self.lifetime} s", age)
        kept = self._tokens.issued(owner)
        if issued <= kept.revoked_through and all(token != live for live, _ in kept.live):
            return TokenCheck("unknown_token", owner,
                              f"the token was revoked when more than {self.max_live} live tokens "
                              "were issued for this appId")
        return TokenCheck("ok", owner, "valid token", age)

    def revoke_all(self) -> None:
        """Revoke every token issued so far, of every app: those issued while the clock was ahead (whose issue
        time is later than the clock will say once it is set back) and those of an earlier run too. Tokens
        issued afterwards are live, whatever time they carry."""
        now = int(self._clock.now())

        def revoked(issued: Issued) -> Issued:
            newest = max((int(at) for _, at in issued.live), default=-1)
            return Issued((), max(issued.revoked_through, newest, now))

        for app_id in self._app_keys:
            self._tokens.update(app_id, revoked)

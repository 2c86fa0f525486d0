"""Access tokens for OPEN-ACCESS-TOKEN.

Tokens are self-verifying (issue time + random + a MAC keyed with the app's appKey, 32 hex
characters like the real ones), so a token a client cached before a sandbox restart still works
after it, within its lifetime, without anything written to disk. The "at most N live tokens per
appId" rule is kept in memory: issuing one more revokes the oldest.

Revocation is remembered by issue time, not token by token: the live tokens are first in, first out,
so a token issued no later than the newest revoked one, and not live, is revoked too. Memory stays at
N tokens per app however many are issued, and a revoked token never comes back. (A token cached from
before a restart is accepted until this process revokes one issued after it.)
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import struct
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from mockums.clock import Clock
from mockums.protocol.limits import MAX_LIVE_TOKENS, TOKEN_LIFETIME

_MAC_LABEL = b"mockums-access-token\x00"


@dataclass(frozen=True)
class TokenCheck:
    verdict: Literal["ok", "unknown_token", "expired_token"]
    app_id: str | None
    reason: str
    age: float = 0.0


def _mac(app_key: str, app_id: str, head: bytes) -> bytes:
    return hmac.new(app_key.encode(), _MAC_LABEL + app_id.encode() + head, hashlib.sha256).digest()[:8]


class TokenStore:
    def __init__(
        self, app_keys: Mapping[str, str], clock: Clock, lifetime: int = TOKEN_LIFETIME, max_live: int = MAX_LIVE_TOKENS
    ) -> None:
        self._app_keys = dict(app_keys)
        self._clock = clock
        self.lifetime = lifetime
        self.max_live = max_live
        self._live: dict[str, deque[tuple[str, float]]] = {}
        self._revoked_through: dict[str, int] = {}  # per app: the issue second of the newest revoked token

    def issue(self, app_id: str) -> str:
        now = self._clock.now()
        head = struct.pack(">I", int(now) & 0xFFFFFFFF) + secrets.token_bytes(4)
        token = (head + _mac(self._app_keys[app_id], app_id, head)).hex()
        live = self._live.setdefault(app_id, deque())
        while live and live[0][1] + self.lifetime <= now:
            live.popleft()
        while len(live) >= self.max_live:
            _, revoked_at = live.popleft()
            self._revoked_through[app_id] = max(self._revoked_through.get(app_id, 0), int(revoked_at))
        live.append((token, now))
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
        live = self._live.get(owner, ())
        if issued <= self._revoked_through.get(owner, -1) and all(token != kept for kept, _ in live):
            return TokenCheck("unknown_token", owner,
                              f"the token was revoked when more than {self.max_live} live tokens "
                              "were issued for this appId")
        return TokenCheck("ok", owner, "valid token", age)

    def live_count(self, app_id: str) -> int:
        now = self._clock.now()
        return sum(1 for _, issued in self._live.get(app_id, ()) if issued + self.lifetime > now)

    def reset(self) -> None:
        self._live.clear()
        self._revoked_through.clear()

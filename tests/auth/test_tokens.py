"""Access tokens: lifetime, the live-token cap, and surviving a restart."""

from __future__ import annotations

from mockums.auth.tokens import TokenStore
from mockums.clock import Clock

KEYS = {"app-a": "key-a", "app-b": "key-b"}


def store(clock: Clock, **kwargs: int) -> TokenStore:
    return TokenStore(KEYS, clock, **kwargs)


def test_issued_token_is_32_hex_and_valid() -> None:
    clock = Clock()
    tokens = store(clock)
    token = tokens.issue("app-a")
    assert len(token) == 32 and int(token, 16) >= 0
    check = tokens.check(token)
    assert (check.verdict, check.app_id) == ("ok", "app-a")


def test_token_expires_after_its_lifetime() -> None:
    clock = Clock()
    clock.freeze(1_700_000_000)
    tokens = store(clock)
    token = tokens.issue("app-a")
    clock.advance(3599)
    assert tokens.check(token).verdict == "ok"
    clock.advance(1)
    check = tokens.check(token)
    assert check.verdict == "expired_token"
    assert check.reason == "the token was issued 3600 s ago; tokens live 3600 s"


def test_token_survives_a_restart_within_its_lifetime() -> None:
    clock = Clock()
    token = store(clock).issue("app-b")
    restarted = store(clock)
    assert restarted.check(token).verdict == "ok"
    assert restarted.check(token).app_id == "app-b"


def test_eleventh_token_revokes_the_oldest() -> None:
    clock = Clock()
    tokens = store(clock)
    issued = [tokens.issue("app-a") for _ in range(11)]
    first = tokens.check(issued[0])
    assert first.verdict == "unknown_token"
    assert "more than 10 live tokens" in first.reason
    assert all(tokens.check(token).verdict == "ok" for token in issued[1:])


def test_claimed_app_must_own_the_token() -> None:
    tokens = store(Clock())
    token = tokens.issue("app-a")
    check = tokens.check(token, "app-b")
    assert check.verdict == "unknown_token"
    assert check.reason == "the token belongs to appId app-a, but the header says AppId=app-b"


def test_garbage_and_foreign_tokens_are_unknown() -> None:
    tokens = store(Clock())
    assert tokens.check("not-hex").verdict == "unknown_token"
    assert tokens.check("00" * 16).reason == "no configured app issued this token"
    other = TokenStore({"app-a": "another key"}, Clock()).issue("app-a")
    assert tokens.check(other).verdict == "unknown_token"


def test_a_revoked_token_stays_revoked_in_upper_case() -> None:
    tokens = store(Clock())
    issued = [tokens.issue("app-a") for _ in range(11)]
    assert tokens.check(issued[0].upper()).verdict == "unknown_token"
    assert tokens.check(issued[1].upper()).verdict == "ok"  # hex is read in either case


def test_a_revoked_token_is_not_revived_by_thousands_more() -> None:
    clock = Clock()
    clock.freeze(1_700_000_000)
    tokens = store(clock)
    first = tokens.issue("app-a")
    for _ in range(1_200):
        tokens.issue("app-a")
        clock.advance(1)
    check = tokens.check(first)
    assert check.verdict == "unknown_token"
    assert "revoked" in check.reason


def test_revoking_one_app_token_leaves_the_other_app_alone() -> None:
    tokens = store(Clock())
    other = tokens.issue("app-b")
    for _ in range(20):
        tokens.issue("app-a")
    assert tokens.check(other).verdict == "ok"

"""What every cashier page shares: the wallets a buyer may pick, the buyer's actions, reading an amount
typed in yuan, and the links back to the merchant (java.net.URLEncoder style, as the platform writes them)."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qsl

from mockums.auth.form import java_url_encode
from mockums.errors import Invalid
from mockums.protocol.fields import AMOUNT_MAX

WALLET_NAMES = {"WXPay": "微信支付", "Alipay 2.0": "支付宝", "UAC": "云闪付"}  # what a page calls each wallet
ACTIONS = ("pay", "cancel", "leave")


def encode_query(params: Mapping[str, str]) -> str:
    """`k=v&…` in the given order, java.net.URLEncoder style."""
    return "&".join(f"{java_url_encode(key)}={java_url_encode(value)}" for key, value in params.items())


def read_query(raw_query: str) -> dict[str, str]:
    """A query string's parameters, decoded ('+' is a space); the first of a repeated name wins."""
    params: dict[str, str] = {}
    try:
        pairs = parse_qsl(raw_query, keep_blank_values=True, max_num_fields=500)
    except ValueError:  # more fields than any link of ours has: not one of ours
        return {}
    for key, value in pairs:
        params.setdefault(key, value)
    return params


def with_query(url: str, params: Mapping[str, str]) -> str:
    """`url` with `params` appended to its query string."""
    return f"{url}{'&' if '?' in url else '?'}{encode_query(params)}"


def sendable(url: str | None) -> bool:
    """Whether a returnUrl can go into a Location header: an http or https URL with a host (never
    `javascript:` or `data:`), without control characters or spaces."""
    if not url or any(ord(char) <= 32 or ord(char) == 127 for char in url):
        return False
    scheme, _, rest = url.partition(":")
    return scheme.lower() in ("http", "https") and rest.startswith("//") and len(rest) > 2 and rest[2] not in "/\\"


def chosen_wallet(form: Mapping[str, str]) -> str | None:
    """The wallet the buyer picked, if it is one the page offers."""
    wallet = form.get("wallet")
    return wallet if wallet in WALLET_NAMES else None


def chosen_action(form: Mapping[str, str]) -> str:
    """The buyer's action (pay, cancel or leave); `mockums.errors.Invalid` for anything else."""
    action = form.get("action", "")
    if action not in ACTIONS:
        raise Invalid(f"action must be one of {', '.join(ACTIONS)}, got {action[:20]!r}")
    return action


def amount_fen(text: str | None) -> int | None:
    """An amount the buyer typed, in yuan ("3.6", "3.60", "12"), as fen; None when it is not one."""
    whole, _, cents = (text or "").strip().partition(".")
    if not whole.isdigit() or not whole.isascii() or len(whole) > 7 or len(cents) > 2 or not (
            cents == "" or (cents.isdigit() and cents.isascii())):
        return None
    fen = int(whole) * 100 + int(cents.ljust(2, "0") or "0")
    return fen if 1 <= fen <= AMOUNT_MAX else None

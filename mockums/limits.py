"""Numbers the gateway's rules and mockums' bounds are built on, stated once: settings default to them,
messages quote them. Only numbers and paths here, so anything may read them cheaply."""

from __future__ import annotations

TOKEN_PATH = "/v1/token/access"  # where clients trade a signed request for an access token
CONTROL_PREFIX = "/__mockums"  # mockums' own control API (and health) lives under this path

DEFAULT_SKEW_WINDOW = 600  # seconds a request Timestamp may stray from Beijing time before it is flagged
TOKEN_LIFETIME = 3600  # seconds an access token lives (the gateway's expiresIn)
MAX_LIVE_TOKENS = 10  # live access tokens per appId; issuing one more revokes the oldest
ORDER_EXPIRY_SECONDS = 30 * 60  # an unpaid order without expireTime closes after this long
# A paid 担保 (guarantee) order neither completed nor cancelled is cancelled this long after payment (documented).
SECURE_CANCEL_SECONDS = 30 * 24 * 3600
# Refunds one order may have (ours: the platform publishes no count limit; the amount left to refund is
# the limit that matters). It bounds the memory one order takes; `refunds_per_order` in the config.
REFUNDS_PER_ORDER = 1000
MAX_SUB_MERCHANTS = 20  # sub-merchants one split order may name in subOrders (分账: the API tables' limit)
# Waits (s) before each notification attempt: 11 attempts over about 4 h, in the spirit of the
# platform's "many times within 24 h" (the exact schedule is not published).
NOTIFY_SCHEDULE = (0.0, 15.0, 15.0, 30.0, 180.0, 600.0, 1800.0, 1800.0, 3600.0, 3600.0, 3600.0)
MAX_NOTIFY_ATTEMPTS = 100  # the longest schedule (configured or a scenario's): attempts are kept per delivery
HISTORY_CAP = 100  # history lines kept per order and per QR code (the newest)
# How deep a request's JSON may nest (objects and arrays); deeper is a bad body, the same way on every Python
# (3.13's parser reads what 3.11's refuses with a RecursionError; orjson stops at 1024). No API field nests
# more than a few levels, and every value a request holds must be echoable (orjson writes at most 255 levels).
MAX_JSON_DEPTH = 100

"""Settings: defaults that work with no configuration, a YAML config file, and CLI overrides.

Every problem in a config file is reported with the key that is wrong and what was expected.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import yaml

from mockums.protocol.gateway_errors import gateway_error_table
from mockums.protocol.limits import (
    DEFAULT_SKEW_WINDOW,
    MAX_LIVE_TOKENS,
    NOTIFY_SCHEDULE,
    REFUNDS_PER_ORDER,
    TOKEN_LIFETIME,
)


def _demo_secret(label: str) -> str:
    # Derived, not invented: obviously not a real ChinaUMS credential, and the same on every machine.
    return hashlib.sha256(f"mockums demo {label}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class App:
    """A merchant app the sandbox accepts: appId and appKey sign requests, notifyKey signs notifications."""

    app_id: str
    app_key: str
    name: str = ""
    notify_key: str = ""  # the 通讯密钥 that signs payment notifications (distinct from appKey)
    notify_sign_type: str = "SHA256"  # or MD5, as the merchant's platform configuration says
    # Answer a request wrapped as {"data": {…}} (needDataTag) wrapped the same way. Unconfirmed: every
    # answer seen is flat, and one client that wraps its requests reads the answer flat.
    wrap_answers: bool = False
    random_notify_key: bool = False  # the config gave no notifyKey: a random one was drawn for this run

    def __repr__(self) -> str:  # appKey must never reach a log line
        return f"App(app_id={self.app_id!r}, name={self.name!r})"


DEMO_APP = App(_demo_secret("appId"), _demo_secret("appKey"), "demo", _demo_secret("notifyKey"))


@dataclass(frozen=True)
class Strictness:
    """Which parts of the sandbox accept only what official material shows (all lenient by default)."""

    header: bool = False  # only the OPEN-BODY-SIG header forms official material shows
    timestamp: bool = False  # reject a skewed Timestamp instead of flagging it
    request: bool = False  # request fields exactly as the tables say (formats, types, no empty optionals)

    @classmethod
    def all(cls, on: bool) -> Strictness:
        return cls(on, on, on)


# Earlier versions had a strict part `orders` (NO_ORDER for orders never created). That is now the
# default; `orders: true` still loads (it asks for the default) and `orders: false` is refused with
# a pointer to `assume_orders`, which is what it meant.
LEGACY_STRICT_ORDERS = "orders"
ORDERS_MOVED = ("strict part 'orders' is gone: NO_ORDER for an order never created is now the default; "
                "to assume every unknown order exists, unpaid, set assume_orders: true (or --assume-orders)")


@dataclass(frozen=True)
class Settings:
    """Everything a sandbox runs with; the defaults are `mockums serve`'s and work with no configuration."""

    host: str = "127.0.0.1"
    port: int = 8000
    scenario_paths: tuple[Path, ...] = ()
    bundled_scenarios: bool = True
    seed: int | None = None
    apps: tuple[App, ...] = (DEMO_APP,)
    strict: Strictness = field(default_factory=Strictness)
    # The old convenience: an order never created and that no scenario speaks for is taken to exist,
    # unpaid, instead of answering NO_ORDER as the gateway does.
    assume_orders: bool = False
    refunds_per_order: int = REFUNDS_PER_ORDER  # refunds one order may have (ours; the amount is the real limit)
    skew_window: int = DEFAULT_SKEW_WINDOW
    faithful: bool = False  # answers carry nothing the real gateway would not send
    max_body_bytes: int = 256 * 1024
    token_lifetime: int = TOKEN_LIFETIME
    max_live_tokens: int = MAX_LIVE_TOKENS
    no_answer_hold: float = 120.0  # how long the no_answer fault keeps a connection silent
    gateway_errors: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    log_level: str = "INFO"
    log_format: str = "text"  # or "json": one object per line (mockums.logs)
    notify_schedule: tuple[float, ...] = NOTIFY_SCHEDULE
    notify_timeout: float = 5.0
    tick_interval: float = 0.2  # how often timed payments and refund settlements are checked
    journal_size: int = 1000  # requests kept in the journal (oldest dropped first)
    journal_bytes: int = 8 * 1024 * 1024  # ...and at most about this many bytes of them
    max_orders: int = 30_000  # orders kept (least recently used dropped first)
    max_refunds: int = 50_000  # refunds kept across those orders (their orders dropped the same way)
    max_qr_codes: int = 10_000  # QR codes kept (least recently used dropped first, with their bills)
    max_bills: int = 30_000  # bills kept (least recently used dropped first)
    max_sequences: int = 10_000  # scenario sequence counters kept (one per scenario and order)
    max_notifications: int = 1000  # notification deliveries kept (finished ones dropped first)
    idle_timeout: float = 15.0  # seconds a connection may stay open without sending a complete request
    control: bool = True  # serve the control API under /__mockums (health is always served)
    control_token: str | None = None  # when set, control calls need `Authorization: Bearer <token>`
    control_remote: bool = False  # accept control calls from non-loopback peers (containers)
    watch: bool = True  # reload scenario files when they change
    watch_interval: float = 0.5
    public_url: str | None = None  # base of cashier links (H5 redirects, billQRCode); None: the request's Host
    tls: bool = False  # serve HTTPS with a certificate made at start (mockums.server.tls)
    tls_cert: Path | None = None  # serve HTTPS with this certificate (PEM) instead
    tls_key: Path | None = None  # its private key (None: in the certificate file)
    tls_ca_file: Path | None = None  # where to write the made certificate's CA (None: a temporary folder)
    tls_names: tuple[str, ...] = ()  # more names the made certificate is valid for (besides loopback)

    def app(self, app_id: str | None) -> App:
        """The app an order belongs to (the first configured one when unknown)."""
        return next((app for app in self.apps if app.app_id == app_id), self.apps[0])

    @property
    def app_keys(self) -> dict[str, str]:
        return {app.app_id: app.app_key for app in self.apps}


class ConfigError(ValueError):
    """A configuration problem, worded for the person who wrote the file."""


_SIMPLE_KEYS: dict[str, tuple[type, ...]] = {
    "host": (str,), "port": (int,), "seed": (int,), "skew_window": (int,), "faithful": (bool,),
    "max_body_bytes": (int,), "bundled_scenarios": (bool,), "no_answer_hold": (int, float),
    "log_level": (str,), "journal_size": (int,), "control": (bool,), "control_token": (str,),
    "control_remote": (bool,), "watch": (bool,), "public_url": (str,), "assume_orders": (bool,),
    "refunds_per_order": (int,), "journal_bytes": (int,), "max_orders": (int,), "max_refunds": (int,),
    "max_sequences": (int,), "max_notifications": (int,), "idle_timeout": (int, float), "log_format": (str,),
    "tls": (bool,),
}
_PATH_KEYS = ("tls_cert", "tls_key", "tls_ca_file")  # file names, relative to the config file


_CHOICES = {"log_level": ("DEBUG", "INFO", "WARNING", "ERROR"), "log_format": ("text", "json")}
_NULLABLE = ("seed", "control_token", "public_url")  # null means "not set", as when the key is absent
_RANGES = (
    ("port", 0, 65535), ("skew_window", 0, 366 * 86400), ("max_body_bytes", 1024, 64 * 1024 * 1024),
    ("no_answer_hold", 0, 3600), ("journal_size", 1, 1_000_000), ("refunds_per_order", 1, 100_000),
    ("journal_bytes", 64 * 1024, 1024**3), ("max_orders", 1, 10_000_000), ("max_refunds", 1, 10_000_000),
    ("max_sequences", 1, 10_000_000), ("max_notifications", 1, 1_000_000), ("idle_timeout", 1, 3600),
)


def check_ranges(settings: Settings) -> None:
    """The same bounds for command-line values as for the config file."""
    for key, low, high in _RANGES:
        value = getattr(settings, key)
        if not low <= value <= high:
            raise ConfigError(f"{key.replace('_', '-')} must be between {low} and {high}, got {value!r}")
    problem = public_url_problem(settings.public_url)
    if problem:
        raise ConfigError(f"public-url {problem}")


def public_url_problem(url: str | None) -> str | None:
    """Why a public base URL cannot be used (None when it can, or when none is set)."""
    if url is not None and not url.startswith(("http://", "https://")):
        return f"must start with http:// or https://, got {url!r}"
    return None


def load_config_file(path: Path, base: Settings | None = None) -> Settings:
    """Settings from a YAML config file (over `base`); ConfigError names the key at fault."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read the config file: {error}") from error
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML: {error}") from error
    if data is None:
        return base or Settings()
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of settings")
    return settings_from_mapping(data, path, base or Settings())


def _check_choices(changes: dict[str, Any], path: Path) -> None:
    """Values from a fixed set; a log level in either case (`info` as well as `INFO`, as on the command line)."""
    if isinstance(changes.get("log_level"), str):
        changes["log_level"] = changes["log_level"].upper()
    for key, allowed in _CHOICES.items():
        if key in changes and changes[key] not in allowed:
            raise ConfigError(f"{path}: {key} must be one of {', '.join(allowed)}, got {changes[key]!r}")


def settings_from_mapping(data: Mapping[str, Any], path: Path, base: Settings) -> Settings:
    """Settings from already-parsed config data; `path` names the source in messages."""
    changes: dict[str, Any] = {}
    known = {*_SIMPLE_KEYS, *_PATH_KEYS, "scenarios", "apps", "strict", "tokens", "gateway_errors", "notify",
             "tls_names"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"{path}: unknown settings {unknown} (known: {sorted(known)})")
    for key, kind in _SIMPLE_KEYS.items():
        if key in data:
            value = data[key]
            if value is None and key in _NULLABLE:
                changes[key] = None
                continue
            if (isinstance(value, bool) and bool not in kind) or not isinstance(value, kind):
                raise ConfigError(f"{path}: {key} must be {_kind_name(kind)}, got {value!r}")
            changes[key] = value
    for key, low, high in _RANGES:
        if changes.get(key) is not None and not low <= changes[key] <= high:
            raise ConfigError(f"{path}: {key} must be between {low} and {high}, got {changes[key]!r}")
    problem = public_url_problem(changes.get("public_url"))
    if problem:
        raise ConfigError(f"{path}: public_url {problem}")
    _check_choices(changes, path)
    if "scenarios" in data:
        changes["scenario_paths"] = _scenario_paths(data["scenarios"], path)
    for key in _PATH_KEYS:
        if data.get(key) is not None:
            if not isinstance(data[key], str) or not data[key]:
                raise ConfigError(f"{path}: {key} must be a file name, got {data[key]!r}")
            changes[key] = (path.parent / data[key]).resolve()
    if "tls_names" in data:
        names = data["tls_names"]
        if not isinstance(names, list) or not all(isinstance(name, str) and name for name in names):
            raise ConfigError(f"{path}: tls_names must be a list of host names or IP addresses")
        changes["tls_names"] = tuple(names)
    if "apps" in data:
        changes["apps"] = _apps(data["apps"], path)
    if "strict" in data:
        changes["strict"] = _strictness(data["strict"], path)
    if "tokens" in data:
        changes.update(_tokens(data["tokens"], path))
    if "notify" in data:
        changes.update(_notify(data["notify"], path))
    if "gateway_errors" in data:
        overrides = data["gateway_errors"]
        if not isinstance(overrides, dict) or not all(isinstance(v, dict) for v in overrides.values()):
            raise ConfigError(f"{path}: gateway_errors must map an entry name to {{status, errCode, errInfo}}")
        try:
            gateway_error_table(overrides)
        except ValueError as error:
            raise ConfigError(f"{path}: {error}") from error
        changes["gateway_errors"] = overrides
    return replace(base, **changes)


def _kind_name(kind: tuple[type, ...]) -> str:
    names: dict[tuple[type, ...], str] = {(str,): "a string", (int,): "an integer", (bool,): "true or false"}
    return names.get(kind, "a number")


def _scenario_paths(value: object, path: Path) -> tuple[Path, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise ConfigError(f"{path}: scenarios must be a folder or a list of folders")
    # Relative folders are relative to the config file, so the file works from any directory.
    return tuple((path.parent / item).resolve() for item in items)


def _apps(value: object, path: Path) -> tuple[App, ...]:
    if not isinstance(value, list) or not value:
        raise ConfigError(f"{path}: apps must be a non-empty list of {{appId, appKey}}")
    apps = []
    for index, item in enumerate(value):
        where = f"{path}: apps[{index}]"
        if not isinstance(item, dict):
            raise ConfigError(f"{where} must be a mapping with appId and appKey")
        allowed = ("appId", "appKey", "name", "notifyKey", "notifySignType", "wrapAnswers")
        unknown = sorted(set(item) - set(allowed))
        if unknown:
            raise ConfigError(f"{where}: unknown keys {unknown} (allowed: {', '.join(allowed)})")
        if not isinstance(item.get("wrapAnswers", False), bool):
            raise ConfigError(f"{where}: wrapAnswers must be true or false")
        if item.get("notifySignType", "SHA256") not in ("SHA256", "MD5"):
            raise ConfigError(f"{where}: notifySignType must be SHA256 or MD5")
        for key in ("appId", "appKey"):
            if not isinstance(item.get(key), str) or not item[key]:
                raise ConfigError(f"{where}: {key} must be a non-empty string")
        # No notifyKey: a random one for this run (printed in the banner), never one derived from the
        # appId, which every request carries and anyone could then use to forge notifications.
        notify_key = str(item.get("notifyKey", ""))
        apps.append(App(item["appId"], item["appKey"], str(item.get("name", "")),
                        notify_key or secrets.token_hex(16), item.get("notifySignType", "SHA256"),
                        item.get("wrapAnswers", False), random_notify_key=not notify_key))
    ids = [app.app_id for app in apps]
    duplicates = sorted({app_id for app_id in ids if ids.count(app_id) > 1})
    if duplicates:
        raise ConfigError(f"{path}: apps: appId {duplicates[0]} is listed twice")
    return tuple(apps)


def _strictness(value: object, path: Path) -> Strictness:
    if isinstance(value, bool):
        return Strictness.all(value)
    names = [f.name for f in fields(Strictness)]
    if not isinstance(value, dict) or not all(isinstance(v, bool) for v in value.values()):
        raise ConfigError(f"{path}: strict must be true/false or a mapping of {names} to true/false")
    parts = dict(value)
    if parts.pop(LEGACY_STRICT_ORDERS, True) is False:
        raise ConfigError(f"{path}: strict: orders: false: {ORDERS_MOVED}")
    unknown = sorted(set(parts) - set(names))
    if unknown:
        raise ConfigError(f"{path}: strict: unknown keys {unknown} (known: {names})")
    return Strictness(**parts)


def _tokens(value: object, path: Path) -> dict[str, int]:
    if not isinstance(value, dict) or set(value) - {"lifetime", "max_live"}:
        raise ConfigError(f"{path}: tokens must be a mapping with lifetime and/or max_live")
    out = {}
    for key, target in (("lifetime", "token_lifetime"), ("max_live", "max_live_tokens")):
        if key in value:
            if not isinstance(value[key], int) or isinstance(value[key], bool) or value[key] < 1:
                raise ConfigError(f"{path}: tokens.{key} must be a positive integer")
            out[target] = value[key]
    return out


def _notify(value: object, path: Path) -> dict[str, object]:
    if not isinstance(value, dict) or set(value) - {"schedule", "timeout"}:
        raise ConfigError(f"{path}: notify must be a mapping with schedule and/or timeout")
    out: dict[str, object] = {}
    if "schedule" in value:
        schedule = value["schedule"]
        if (not isinstance(schedule, list) or not 1 <= len(schedule) <= 100
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0 for v in schedule)):
            raise ConfigError(f"{path}: notify.schedule must be a list of 1 to 100 waits in seconds (>= 0)")
        out["notify_schedule"] = tuple(float(v) for v in schedule)
    if "timeout" in value:
        timeout = value["timeout"]
        if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or timeout <= 0:
            raise ConfigError(f"{path}: notify.timeout must be a positive number of seconds")
        out["notify_timeout"] = float(timeout)
    return out

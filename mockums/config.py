"""Settings: defaults that work with no configuration, a YAML config file, and CLI overrides.

The keys, their types, bounds and defaults are those of mockums.settings_table. Every problem in a
config file is reported with the key that is wrong and what was expected.
"""

from __future__ import annotations

import difflib
import hashlib
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, TypeGuard

import yaml

from mockums.limits import MAX_NOTIFY_ATTEMPTS
from mockums.protocol.gateway_errors import gateway_error_table
from mockums.settings_table import BY_NAME, DEFAULTS, KIND_NAMES, SETTINGS, Setting, config_keys, section


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
    """Everything a sandbox runs with; the defaults are `mockums serve`'s and work with no configuration.

    Each field is declared, with its default, config key, option and bounds, in mockums.settings_table;
    here it has its type. The defaults of the sections apps, strict and gateway_errors are made here.
    """

    host: str = DEFAULTS["host"]
    port: int = DEFAULTS["port"]
    scenario_paths: tuple[Path, ...] = DEFAULTS["scenario_paths"]
    bundled_scenarios: bool = DEFAULTS["bundled_scenarios"]
    store: str | None = DEFAULTS["store"]
    workers: int = DEFAULTS["workers"]
    replica: str | None = DEFAULTS["replica"]
    store_lease: float = DEFAULTS["store_lease"]
    seed: int | None = DEFAULTS["seed"]
    apps: tuple[App, ...] = (DEMO_APP,)
    strict: Strictness = field(default_factory=Strictness)
    assume_orders: bool = DEFAULTS["assume_orders"]
    refunds_per_order: int = DEFAULTS["refunds_per_order"]
    skew_window: int = DEFAULTS["skew_window"]
    faithful: bool = DEFAULTS["faithful"]
    max_body_bytes: int = DEFAULTS["max_body_bytes"]
    token_lifetime: int = DEFAULTS["token_lifetime"]
    max_live_tokens: int = DEFAULTS["max_live_tokens"]
    no_answer_hold: float = DEFAULTS["no_answer_hold"]
    gateway_errors: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    log_level: str = DEFAULTS["log_level"]
    log_format: str = DEFAULTS["log_format"]
    notify_schedule: tuple[float, ...] = DEFAULTS["notify_schedule"]
    notify_timeout: float = DEFAULTS["notify_timeout"]
    notify_hosts: tuple[str, ...] = DEFAULTS["notify_hosts"]
    tick_interval: float = DEFAULTS["tick_interval"]
    journal_size: int = DEFAULTS["journal_size"]
    journal_bytes: int = DEFAULTS["journal_bytes"]
    max_orders: int = DEFAULTS["max_orders"]
    max_refunds: int = DEFAULTS["max_refunds"]
    max_sequences: int = DEFAULTS["max_sequences"]
    max_notifications: int = DEFAULTS["max_notifications"]
    max_qr_codes: int = DEFAULTS["max_qr_codes"]
    max_bills: int = DEFAULTS["max_bills"]
    max_scenario_upload_bytes: int = DEFAULTS["max_scenario_upload_bytes"]
    max_runtime_scenario_bytes: int = DEFAULTS["max_runtime_scenario_bytes"]
    idle_timeout: float = DEFAULTS["idle_timeout"]
    control: bool = DEFAULTS["control"]
    control_token: str | None = DEFAULTS["control_token"]
    control_remote: bool = DEFAULTS["control_remote"]
    allowed_hosts: tuple[str, ...] = DEFAULTS["allowed_hosts"]
    watch: bool = DEFAULTS["watch"]
    watch_interval: float = DEFAULTS["watch_interval"]
    public_url: str | None = DEFAULTS["public_url"]
    tls: bool = DEFAULTS["tls"]
    tls_cert: Path | None = DEFAULTS["tls_cert"]
    tls_key: Path | None = DEFAULTS["tls_key"]
    tls_ca_file: Path | None = DEFAULTS["tls_ca_file"]
    tls_names: tuple[str, ...] = DEFAULTS["tls_names"]

    def app(self, app_id: str | None) -> App:
        """The app an order belongs to (the first configured one when unknown)."""
        return next((app for app in self.apps if app.app_id == app_id), self.apps[0])

    @property
    def app_keys(self) -> dict[str, str]:
        return {app.app_id: app.app_key for app in self.apps}


class ConfigError(ValueError):
    """A configuration problem, worded for the person who wrote the file."""


def check_ranges(settings: Settings) -> None:
    """The same bounds for command-line values as for the config file; the option named as it is spelt."""
    for setting in SETTINGS:
        if setting.between is not None or setting.prefixes:
            problem = setting.problem(getattr(settings, setting.name))
            if problem:
                raise ConfigError(f"{setting.spelled} {problem}")


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


def settings_from_mapping(data: Mapping[str, Any], path: Path, base: Settings) -> Settings:
    """Settings from already-parsed config data; `path` names the source in messages.

    The keys are those of mockums.settings_table: plain ones are checked here (type, null, range,
    choices; a file name is taken relative to the config file), sections by their own parsers below.
    """
    known = config_keys()
    unknown = sorted(set(data) - set(known))
    if unknown:
        guesses = [f"{key}: did you mean {guess[0]}?" for key in unknown
                   if (guess := difflib.get_close_matches(str(key), known, n=1))]
        raise ConfigError(f"{path}: unknown settings {unknown} ({'; '.join(guesses) or f'known: {sorted(known)}'})")
    changes: dict[str, Any] = {}
    for setting in SETTINGS:
        if setting.key is not None and setting.key in data and not setting.section:
            changes[setting.name] = _plain(setting, data[setting.key], path)
    for key in known:
        if key in data and key in _SECTIONS:
            changes.update(_SECTIONS[key](data[key], path))
    return replace(base, **changes)


def _plain(setting: Setting, value: object, path: Path) -> object:
    """A plain key's value, checked; a file name made absolute, relative to the config file."""
    key = setting.key
    if value is None and setting.nullable:
        return None
    if setting.repeat:
        if not isinstance(value, list) or not all(setting.accepts(item) and item for item in value):
            raise ConfigError(f"{path}: {key} must be {setting.values}, got {value!r}")
        return tuple(value)
    if not setting.accepts(value):
        raise ConfigError(f"{path}: {key} must be {KIND_NAMES[setting.kind]}, got {value!r}")
    if setting.any_case and isinstance(value, str):
        value = value.upper()
    problem = setting.problem(value)
    if problem:
        raise ConfigError(f"{path}: {key} {problem}")
    if setting.kind is Path and isinstance(value, str):
        return (path.parent / value).resolve()
    return value


# The sections of the config file, each read by its own parser into Settings fields.


def _scenario_paths(value: object, path: Path) -> dict[str, object]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise ConfigError(f"{path}: scenarios must be {BY_NAME['scenario_paths'].values}")
    # Relative folders are relative to the config file, so the file works from any directory.
    return {"scenario_paths": tuple((path.parent / item).resolve() for item in items)}


def _apps(value: object, path: Path) -> dict[str, object]:
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
    return {"apps": tuple(apps)}


def _strictness(value: object, path: Path) -> dict[str, object]:
    if isinstance(value, bool):
        return {"strict": Strictness.all(value)}
    names = [f.name for f in fields(Strictness)]
    if not isinstance(value, dict) or not all(isinstance(v, bool) for v in value.values()):
        raise ConfigError(f"{path}: strict must be true/false or a mapping of {names} to true/false")
    parts = dict(value)
    if parts.pop(LEGACY_STRICT_ORDERS, True) is False:
        raise ConfigError(f"{path}: strict: orders: false: {ORDERS_MOVED}")
    unknown = sorted(set(parts) - set(names))
    if unknown:
        raise ConfigError(f"{path}: strict: unknown keys {unknown} (known: {names})")
    return {"strict": Strictness(**parts)}


def _given(name: str, value: object, path: Path) -> dict[Setting, object]:
    """The keys a section mapping gives (`tokens: {lifetime: 60}`), each with the setting it sets."""
    settings = {setting.key.partition(".")[2]: setting for setting in section(name) if setting.key}
    if not isinstance(value, dict) or set(value) - set(settings):
        raise ConfigError(f"{path}: {name} must be a mapping with {' and/or '.join(settings)}")
    return {settings[key]: item for key, item in value.items()}


def _tokens(value: object, path: Path) -> dict[str, object]:
    out: dict[str, object] = {}
    for setting, given in _given("tokens", value, path).items():
        if not isinstance(given, int) or isinstance(given, bool) or given < 1:
            raise ConfigError(f"{path}: {setting.key} must be {setting.values}")
        out[setting.name] = given
    return out


def _notify(value: object, path: Path) -> dict[str, object]:
    out: dict[str, object] = {}
    for setting, given in _given("notify", value, path).items():
        if setting.repeat:  # the schedule
            if (not isinstance(given, list) or not 1 <= len(given) <= MAX_NOTIFY_ATTEMPTS
                    or not all(_seconds(v) for v in given)):
                raise ConfigError(f"{path}: {setting.key} must be {setting.values}")
            out[setting.name] = tuple(float(v) for v in given)
        elif not _seconds(given) or not given:
            raise ConfigError(f"{path}: {setting.key} must be {setting.values}")
        else:
            out[setting.name] = float(given)
    return out


def _seconds(value: object) -> TypeGuard[float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0


def _gateway_errors(value: object, path: Path) -> dict[str, object]:
    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
        raise ConfigError(f"{path}: gateway_errors must map an entry name to {{status, errCode, errInfo}}")
    try:
        gateway_error_table(value)
    except ValueError as error:
        raise ConfigError(f"{path}: {error}") from error
    return {"gateway_errors": value}


_SECTIONS: dict[str, Callable[[object, Path], dict[str, object]]] = {
    "scenarios": _scenario_paths, "apps": _apps, "strict": _strictness, "tokens": _tokens, "notify": _notify,
    "gateway_errors": _gateway_errors,
}

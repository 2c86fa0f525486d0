"""The settings of `mockums serve`, each declared once: default, config key, option, help, bounds.

`SETTINGS` is the one table. `mockums.config` reads the config file by it (known keys, types, ranges,
choices, null, paths relative to the file) and takes the `Settings` defaults from it; `mockums.cli`
builds `serve`'s options from it and applies them; `mockums.environment` names each option's
MOCKUMS_… variable; `tools/readme.py` documents it. Standard library only, so `mockums --version`
and `--help` stay fast.
"""

# No `from __future__ import annotations`: NamedTuple would compile each annotation's text (5 ms).
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from mockums.hosts import without_secrets
from mockums.limits import (
    DEFAULT_SKEW_WINDOW,
    MAX_LIVE_TOKENS,
    MAX_NOTIFY_ATTEMPTS,
    NOTIFY_SCHEDULE,
    REFUNDS_PER_ORDER,
    TOKEN_LIFETIME,
)

PREFIX = "MOCKUMS_"
STRICT_PARTS = ("header", "timestamp", "request")  # the fields of `Strictness` (a test checks)
KIND_NAMES: Mapping[type, str] = {str: "a string", int: "an integer", bool: "true or false", float: "a number",
                                  Path: "a file name"}
KIB = 1024
MIB = 1024 * KIB


class Setting(NamedTuple):  # not a dataclass: importing dataclasses took about 14 ms of `mockums --help`
    """One setting: where it is given (config key, `serve` option, variable) and what it may be.

    `help` may say `{choices}`; `describe` fills it in, and adds the default to an option's help.
    """

    name: str  # its `Settings` field (`config`, the one option that is no setting, names the file)
    default: object  # the `Settings` default; None: not set
    help: str
    kind: type = str  # of the value, or of each item of a list: str, int, float, bool, Path (relative to the file)
    key: str | None = ""  # in the config file ("": the name; None: none); `tokens.lifetime`: in `tokens`
    options: tuple[str, ...] = ()  # of `serve`; a flag (bool) sets the opposite of the default
    option_help: str = ""  # the option's help, when it says it otherwise (`--no-watch`)
    metavar: str | None = None
    between: tuple[float, float] | None = None  # inclusive bounds, in the config file and on the command line
    choices: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()  # a text must start with one of these
    any_case: bool = False  # a choice in either case (`info` is INFO)
    nullable: bool = False  # null in the config file means not set
    repeat: bool = False  # a list (a tuple in Settings): its option repeatable, adding to the config file's list
    bare: str | None = None  # the value of the option given without one (`--strict` is `--strict all`)
    section: bool = False  # the config key is read by its own parser in mockums.config (apps, strict, …)
    values: str = ""  # what the config key takes, in words, when its kind does not say (sections)
    default_text: str = ""  # the default in words, for a section whose default mockums.config makes itself
    in_settings: bool = True  # False for `--config` alone

    @property
    def option(self) -> str | None:
        """The long option (`--no-watch`), or None when the setting has none."""
        return max(self.options, key=len) if self.options else None

    @property
    def flag(self) -> bool:
        """An option without a value: it sets the opposite of the default (`--no-watch`: watch false)."""
        return self.kind is bool

    @property
    def variable(self) -> str | None:
        """The MOCKUMS_… variable that sets it as its option does (None without an option)."""
        return variable_for(self.options) if self.options else None

    @property
    def spelled(self) -> str:
        """How messages name it: the long option without dashes (`journal-size`), else the field."""
        return (self.option or self.name.replace("_", "-")).lstrip("-")

    def accepts(self, value: object) -> bool:
        """Whether a config file's value is of this kind: true/false only for a flag, an integer as a
        number too, a file name not empty."""
        if isinstance(value, bool):
            return self.kind is bool
        if self.kind is Path:
            return isinstance(value, str) and bool(value)
        return isinstance(value, (int, float) if self.kind is float else self.kind)

    def problem(self, value: object) -> str | None:
        """What is wrong with a value of this kind, as `must …`: out of range, no choice, a wrong start."""
        if self.between is not None and isinstance(value, (int, float)):
            low, high = self.between
            if not low <= value <= high:
                return f"must be between {low} and {high}, got {value!r}"
        if self.choices and value not in self.choices:
            return f"must be one of {', '.join(self.choices)}, got {value!r}"
        if self.prefixes and isinstance(value, str) and not value.startswith(self.prefixes):
            return f"must start with {' or '.join(self.prefixes)}, got {without_secrets(str(value))!r}"
        return None

    def takes(self) -> str:
        """What the config key takes, in words: `an integer from 1 to 1000000`, `true or false`."""
        words = self.values or (in_words(self.choices) if self.choices else KIND_NAMES[self.kind])
        if self.between is not None:
            words += f" from {self.between[0]} to {self.between[1]}"
        if self.prefixes:
            words += f" starting with {' or '.join(self.prefixes)}"
        if self.any_case:
            words += ", in either case"
        if self.kind is Path and not self.repeat:
            words += ", relative to the config file"
        return words + (", or null" if self.nullable else "")

    def describe(self, *, for_option: bool = False) -> str:
        """The help text, `{choices}` filled in; an option's own help, with its default when it takes a value."""
        text = ((self.option_help if for_option else "") or self.help).replace("{choices}", in_words(self.choices))
        if for_option and not self.flag and self.default not in (None, ()):
            text += f" (default {shown(self.default)})"
        return text


def variable_for(option_strings: Sequence[str]) -> str:
    """The variable of an option: MOCKUMS_ and its long name in capitals, `-` as `_` (--no-watch: MOCKUMS_NO_WATCH)."""
    return PREFIX + max(option_strings, key=len).lstrip("-").upper().replace("-", "_")


def shown(value: object) -> str:
    """A default as the config file spells it (true, null, [0, 15])."""
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    if isinstance(value, tuple):
        return "[" + ", ".join(shown(item) for item in value) + "]"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def in_words(items: tuple[str, ...]) -> str:
    """`a, b or c`."""
    return " or ".join(filter(None, (", ".join(items[:-1]), *items[-1:])))


_S = Setting
_DECLARED = (
    _S("host", "127.0.0.1", "address to listen on", options=("--host",)),
    _S("port", 8000, "port to listen on; 0 picks a free one", int, options=("--port",), between=(0, 65535)),
    _S("scenario_paths", (), "folders of scenarios, added to the bundled set; in the config file, relative to it",
       Path, key="scenarios", section=True, values="a folder or a list of folders", options=("-s", "--scenarios"),
       metavar="PATH", repeat=True, option_help="a scenario file or folder; repeatable, added to the bundled set"),
    _S("bundled_scenarios", True, "load the bundled scenarios", bool, options=("--no-bundled",),
       option_help="do not load the bundled scenarios"),
    _S("config", None, "a YAML config file (apps, strictness, error table…)", Path, key=None,
       options=("-c", "--config"), in_settings=False),
    _S("store", None, "where the sandbox's state is kept: memory (this process) or redis://HOST:PORT/DB, shared by "
       "every process and replica pointed at it", nullable=True, options=("--store",), metavar="URL",
       prefixes=("memory", "redis://", "rediss://", "unix://")),
    _S("workers", 1, "processes serving the port together (SO_REUSEPORT: Linux spreads the connections among them), "
       "supervised by the first; more than 1 needs a shared store (--store redis://…)", int, options=("--workers",),
       metavar="N", between=(1, 256)),
    _S("replica", None, "this process's name in the journal's entries (default: the host name and process id; with "
       "--workers, this name or the host name, and the worker's number)", nullable=True, options=("--replica",),
       metavar="NAME"),
    _S("store_lease", 30.0, "with a shared store, seconds a process holds a timed event or a notification attempt it "
       "claimed (a notification: this beyond notify.timeout) before another may take it over, its taker having died",
       float, between=(1, 3600)),
    _S("seed", None, "seed for generated ids and names (reproducible answers)", int, nullable=True,
       options=("--seed",)),
    _S("apps", None, "the merchant apps accepted (replace the demo app)", section=True,
       values="a list of {appId, appKey, …}, as in the example", default_text="the demo app"),
    _S("strict", None, "which parts accept only what official material shows", section=True,
       values="true, false or {part: true/false}", default_text="false (all lenient)", options=("--strict",),
       metavar="PARTS", bare="all", option_help="strict mode: all, or a comma list of " + ", ".join(STRICT_PARTS)),
    _S("assume_orders", False, "take any order never created to exist, unpaid, instead of answering NO_ORDER as "
       "the gateway does (the old default)", bool, options=("--assume-orders",)),
    _S("refunds_per_order", REFUNDS_PER_ORDER, "refunds one order may have (ours: the amount left is the real limit)",
       int, between=(1, 100_000)),
    _S("skew_window", DEFAULT_SKEW_WINDOW, "flag (strict: reject) timestamps further than this from Beijing time; "
       "0 = off", int, between=(0, 366 * 86400), options=("--skew-window",), metavar="SECONDS"),
    _S("faithful", False, "answer exactly like the gateway: no diagnosis, no X-Mockums headers", bool,
       options=("--faithful",)),
    _S("max_body_bytes", 256 * KIB, "largest request body accepted, in bytes", int, between=(KIB, 64 * MIB)),
    _S("token_lifetime", TOKEN_LIFETIME, "seconds an access token lives (its expiresIn)", int, key="tokens.lifetime",
       section=True, values="a positive integer"),
    _S("max_live_tokens", MAX_LIVE_TOKENS, "live access tokens per appId; one more revokes the oldest", int,
       key="tokens.max_live", section=True, values="a positive integer"),
    _S("no_answer_hold", 120.0, "seconds the no_answer fault keeps a connection silent", float, between=(0, 3600)),
    _S("gateway_errors", None, "changes to rows of the gateway error table", section=True,
       values="entry name: {status, errCode, errInfo}", default_text="none"),
    _S("notify_schedule", NOTIFY_SCHEDULE,
       "waits in seconds before each notification attempt", float, key="notify.schedule", section=True, repeat=True,
       values=f"a list of 1 to {MAX_NOTIFY_ATTEMPTS} waits in seconds (>= 0)"),
    _S("notify_timeout", 5.0, "seconds a notification receiver has to answer", float, key="notify.timeout",
       section=True, values="a positive number of seconds"),
    _S("notify_hosts", (), "the hosts notifications may be sent to: a name or address, *.example.com for every "
       "name under it; a notifyUrl on any other host is given up at once, saying so (default: any host)",
       values="a list of host names", options=("--notify-host",), metavar="NAME", repeat=True,
       option_help="a host notifications may be sent to; repeatable (default: any host)"),
    _S("tick_interval", 0.2, "how often timed payments and refund settlements are checked", float, key=None),
    _S("watch", True, "reload scenario files when they change", bool, options=("--no-watch",),
       option_help="do not reload scenario files when they change"),
    _S("watch_interval", 0.5, "how often scenario files are checked for changes", float, key=None),
    _S("journal_size", 1000, "requests kept in the journal, oldest dropped first", int, between=(1, 1_000_000),
       options=("--journal-size",), metavar="N"),
    _S("journal_bytes", 8 * MIB, "…and at most about this many bytes of them", int, between=(64 * KIB, 1024 * MIB)),
    _S("max_orders", 30_000, "orders kept, least recently used dropped first", int, between=(1, 10_000_000)),
    _S("max_refunds", 50_000, "refunds kept across those orders (their orders dropped the same way)", int,
       between=(1, 10_000_000)),
    _S("max_sequences", 10_000, "scenario sequence counters kept (one per scenario and order)", int,
       between=(1, 10_000_000)),
    _S("max_notifications", 1000, "notification deliveries kept (finished ones dropped first)", int,
       between=(1, 1_000_000)),
    _S("max_qr_codes", 10_000, "QR codes kept, least recently used dropped first", int, between=(1, 1_000_000),
       options=("--max-qr-codes",), metavar="N"),
    _S("max_bills", 30_000, "bills kept", int, between=(1, 10_000_000), options=("--max-bills",), metavar="N"),
    _S("max_scenario_upload_bytes", 128 * KIB, "largest scenario upload (POST or PUT /__mockums/scenarios), in bytes",
       int, between=(KIB, 64 * MIB), options=("--max-scenario-upload-bytes",), metavar="BYTES"),
    _S("max_runtime_scenario_bytes", 1 * MIB, "bytes the scenarios added at runtime may be uploaded in, all together",
       int, between=(KIB, 1024 * MIB), options=("--max-runtime-scenario-bytes",), metavar="BYTES"),
    _S("idle_timeout", 15.0, "seconds a connection may stay open without sending a complete request", float,
       between=(1, 3600)),
    _S("control", True, "serve the control API under /__mockums (health is always served)", bool,
       options=("--no-control",), option_help="switch the control API off (the health endpoint stays)"),
    _S("control_token", None, "control calls must send `Authorization: Bearer TOKEN`", nullable=True,
       options=("--control-token",), metavar="TOKEN"),
    _S("control_remote", False, "accept control calls from other machines too (default: loopback only)", bool,
       options=("--control-remote",)),
    _S("allowed_hosts", (), "more names the control API may be reached by, as the Host header says (besides "
       "loopback names, --host, --public-url and --tls-name): a name, *.example.com for every name under it, or * "
       "for any (which lets DNS rebinding in)", values="a list of host names", options=("--allowed-host",),
       metavar="NAME", repeat=True, option_help="another name the control API may be reached by (its Host header); "
       "repeatable; default: loopback names, --host, --public-url and --tls-name only"),
    _S("public_url", None, "base URL of cashier links (H5 redirects, billQRCode) when clients reach mockums by "
       "another address, e.g. behind a Docker port mapping (default: the request's Host)", nullable=True,
       prefixes=("http://", "https://"),
       options=("--public-url",), metavar="URL"),
    _S("log_level", "INFO", "how much is logged: {choices}, in either case", choices=("DEBUG", "INFO", "WARNING",
       "ERROR"), any_case=True, options=("--log-level",), metavar="LEVEL"),
    _S("log_format", "text", "log lines on stderr: text for people, or json for log collectors (one object per "
       "line)", choices=("text", "json"), options=("--log-format",), metavar="FORMAT"),
    _S("tls", False, "serve HTTPS with a certificate made at start (needs mockums[tls]); the CA file to trust is "
       "printed", bool, options=("--tls",)),
    _S("tls_cert", None, "serve HTTPS with this certificate (PEM)", Path, nullable=True, options=("--tls-cert",),
       metavar="FILE"),
    _S("tls_key", None, "the certificate's private key (PEM; default: in the --tls-cert file)", Path,
       nullable=True, options=("--tls-key",), metavar="FILE"),
    _S("tls_ca_file", None, "with --tls: write the CA certificate here (default: a new temporary folder)", Path,
       nullable=True, options=("--tls-ca-file",), metavar="FILE"),
    _S("tls_names", (), "with --tls: more names the certificate is valid for (besides localhost, 127.0.0.1, ::1 "
       "and --host)", values="a list of host names or IP addresses", options=("--tls-name",), metavar="NAME",
       repeat=True, option_help="with --tls: another name the certificate is valid for (besides localhost, "
       "127.0.0.1, ::1 and --host); repeatable"),
)
del _S
SETTINGS: tuple[Setting, ...] = tuple(s._replace(key=s.name) if s.key == "" else s for s in _DECLARED)

BY_NAME: Mapping[str, Setting] = {setting.name: setting for setting in SETTINGS}
# The Settings defaults, typed Any: each field of the `Settings` dataclass states its own type.
DEFAULTS: Mapping[str, Any] = {s.name: s.default for s in SETTINGS if s.in_settings and not s.default_text}
SERVE_OPTIONS = tuple(setting for setting in SETTINGS if setting.options)


def config_keys() -> tuple[str, ...]:
    """Every top-level key of the config file, a section once (`tokens` for tokens.lifetime and max_live)."""
    return tuple(dict.fromkeys(setting.key.split(".")[0] for setting in SETTINGS if setting.key))


def section(key: str) -> tuple[Setting, ...]:
    """The settings one section of the config file gives (`tokens`: token_lifetime, max_live_tokens)."""
    return tuple(s for s in SETTINGS if s.key is not None and (s.key == key or s.key.startswith(key + ".")))

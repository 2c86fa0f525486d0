"""`mockums sign`: a signed request (an OPEN-BODY-SIG header and a curl command, or an OPEN-FORM-PARAM
URL for the H5 paths) for a body, a sample, or a magic id.

Only the standard library at import time, like the rest of the command line.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from collections.abc import Mapping

    from mockums.clock import Clock
    from mockums.config import App, Settings
    from mockums.protocol.spec import EndpointSpec

CLOSE_PATH = "/v1/netpay/wx/app-pre-close"  # what `sign` signs when no --url says otherwise
SAMPLE_SRC_RESERVE = "C20220119000001"  # the API page's example: the answer echoes it
# The order a fresh sample is about, by what the call does (else MKSUCCESS): a new one for a create, else a magic id
# whose bundled story the call fits.
FRESH_PREFIX = {"create": "3194", "refund": "MKPAID", "refund_query": "MKPAID", "secure_complete": "MKSECUREPAID",
                "secure_cancel": "MKSECUREPAID", "sub_orders_confirm": "MKSPLITASYNC", "pos_pay": "POS",
                "pos_query": "MKPOSLOST", "pos_void": "MKPOSLOST", "pos_reverse": "MKPOSLOST",
                "pos_refund": "MKPOSLOST", "pos_refund_query": "MKPOSLOST", "pos_activate": "POS"}


FRESH_ID_LENGTH = 32  # merOrderId's most in the netpay tables (a refund's order may be longer, a create's not)


def fresh_id(prefix: str, clock: Clock) -> str:
    """`prefix` + yyyyMMddHHmmss (Beijing) + random digits up to FRESH_ID_LENGTH, at most 10 (a create's `3194`: 10,
    28 characters; the longest magic prefixes: 6): samples drawn within one second differ. With 4 digits, about twenty
    creates signed in one second (the sample of every endpoint, one after the other) shared an id about once in
    fifty runs, and the second create answered DUP_ORDER. ValueError for a prefix that leaves fewer than 4."""
    import secrets

    from mockums.clock import format_compact

    digits = min(10, FRESH_ID_LENGTH - len(prefix) - 14)
    if digits < 4:
        raise ValueError(f"prefix {prefix!r} leaves {digits} random digits in {FRESH_ID_LENGTH} characters")
    return prefix + format_compact(clock.beijing()) + f"{secrets.randbelow(10**digits):0{digits}d}"


def sample_body(clock: Clock, mer_order_id: str | None = None, path: str = CLOSE_PATH,
                fields: Mapping[str, object] | None = None) -> bytes:
    """The sample request of endpoint `path` (the close by default) stamped now, for `mer_order_id` or a fresh
    one: what `sign` signs without `--body`. The body is the one the dashboard's *Try it* sends (every
    required field from the endpoint's table, `mockums.core.samples`), then `fields` (None removes one).

    A fresh id fits the call: a new order for a create (`3194` + yyyyMMddHHmmss + random digits, `fresh_id`), an order
    already paid for a refund (`MKPAID…`), a paid guarantee for secure-complete and secure-cancel (`MKSECUREPAID…`),
    a paid asynchronous split for sub-orders-confirm (`MKSPLITASYNC…`), a new POS-link payment for its pay (`POS…`)
    and for its other calls a payment the `pos-answer-lost` story speaks for, paid (`MKPOSLOST…`), else
    `MKSUCCESS…`, an unpaid order the bundled `success` scenario speaks for with no create call (an id nothing
    speaks for answers NO_ORDER, as the gateway does). Two samples in one second differ.
    """
    from mockums.lines import DEFAULT_REGISTRY
    from mockums.protocol.samples import sample_body as table_sample

    spec = DEFAULT_REGISTRY.endpoints[path]
    fresh = fresh_id(FRESH_PREFIX.get(spec.action, "MKSUCCESS"), clock)
    body = table_sample(spec, mer_order_id or fresh, clock.beijing(), {"srcReserve": SAMPLE_SRC_RESERVE},
                        _typed(spec, fields or {}))
    return json.dumps(body, ensure_ascii=False).encode()


def read_body_argument(value: str | None, clock: Clock, mer_order_id: str | None = None,
                       path: str = CLOSE_PATH, fields: Mapping[str, object] | None = None) -> bytes:
    """`--body`: the text itself, `@FILE` a file's bytes, `-` stdin; absent, the endpoint's sample body."""
    from mockums.config import ConfigError

    if value is None:
        return sample_body(clock, mer_order_id, path, fields)
    if value == "-":
        return sys.stdin.buffer.read()
    if value.startswith("@"):
        try:
            return Path(value[1:]).read_bytes()
        except OSError as error:
            raise ConfigError(f"--body {value}: {error}") from error
    return value.encode()


def form_sample(clock: Clock, path: str, mer_order_id: str | None = None,
                fields: Mapping[str, object] | None = None) -> bytes:
    """An H5 order for `mer_order_id` or a fresh one, stamped now: what `sign` signs for a GET without `--body`."""
    from mockums.clock import format_body_time
    from mockums.lines import DEFAULT_REGISTRY

    spec = DEFAULT_REGISTRY.endpoints.get(path)
    inst_mid = spec.rule("instMid") if spec is not None else None
    scene = spec.rule("sceneType") if spec is not None else None
    sample: dict[str, object] = {
        "requestTimestamp": format_body_time(clock.beijing()),
        "merOrderId": mer_order_id or fresh_id("3194", clock),
        "mid": "898201612345678",
        "tid": "88880001",
        "instMid": inst_mid.example if inst_mid is not None else "H5DEFAULT",
        "totalAmount": 360,
        "orderDesc": "mockums 测试订单",
    }
    if scene is not None and scene.required:
        sample |= {"sceneType": "AND_WAP", "merAppName": "mockums", "merAppId": "http://127.0.0.1"}
    for name, value in (fields or {}).items():
        if value is None:
            sample.pop(name, None)
        else:
            sample[name] = value
    return json.dumps(sample, ensure_ascii=False).encode()


def sign(args: argparse.Namespace, settings: Settings) -> int:
    """`mockums sign`: print the Authorization header for a body, and a curl command sending it; for an H5
    path (or with `--form`), the OPEN-FORM-PARAM URL of a GET instead. `settings` are those `serve` would run
    with here (its MOCKUMS_… variables and config file): `sign` takes its address, TLS and apps from them."""
    from mockums.auth import signing
    from mockums.auth.form import form_param_query
    from mockums.clock import Clock, format_compact
    from mockums.lines import DEFAULT_REGISTRY

    url = target_url(args.url, settings)
    cacert = args.cacert or (settings.tls_ca_file if url.startswith("https:") else None)
    app_id, app_key = signing_app(args, settings.apps)
    clock = Clock()
    path = urlsplit(url).path
    spec = known_endpoint(path, DEFAULT_REGISTRY.endpoints)
    fields = parse_fields(args.field, spec)
    form = args.form or spec.method == "GET"
    if args.body is not None and fields:
        print("mockums: warning: --field changes the sample body; with --body it is ignored", file=sys.stderr)
    if form and args.body is None:
        body = form_sample(clock, path, args.order_id, fields)
    else:
        body = read_body_argument(args.body, clock, args.order_id, path if spec.method == "POST" else CLOSE_PATH,
                                  fields)
    try:
        json.loads(body)
    except ValueError as error:
        print(f"mockums: warning: the body is not valid JSON ({error}); signing it anyway", file=sys.stderr)
    timestamp = args.timestamp or format_compact(clock.beijing())
    if urlsplit(url).hostname not in ("127.0.0.1", "localhost", "::1"):
        print("mockums: warning: the URL is not on this machine; is that intended?", file=sys.stderr)
    if form:
        content = body.decode("utf-8", "replace")
        url = f"{url}?{form_param_query(app_id, app_key, timestamp, content, args.nonce)}"
        print(f"GET {url}")
        print()
        print("curl -sS -i " + _quote(url))
        return 0
    header = signing.authorization_header(app_id, app_key, timestamp, body, args.nonce)
    print(f"Authorization: {header}")
    print()
    trust = f"--cacert {_quote(str(cacert))} " if cacert else ""
    print(f"curl -sS {trust}-X POST " + _quote(url) + " \\")
    print("  -H 'Content-Type: application/json' \\")
    print("  -H " + _quote(f"Authorization: {header}") + " \\")
    print("  --data-binary " + _quote(body.decode("utf-8", "replace")))
    return 0


def target_url(given: str | None, settings: Settings) -> str:
    """`--url` as given; a bare path (`/v1/netpay/refund`), or nothing (the close), on the address `serve`
    listens on with these settings (a wildcard host is reached on loopback)."""
    if given is not None and not given.startswith("/"):
        return given
    host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(settings.host, settings.host)
    shown = f"[{host}]" if ":" in host else host
    scheme = "https" if settings.tls or settings.tls_cert else "http"
    return f"{scheme}://{shown}:{settings.port}{given or CLOSE_PATH}"


def known_endpoint(path: str, endpoints: Mapping[str, EndpointSpec]) -> EndpointSpec:
    """The table of the endpoint at `path`; ConfigError naming the nearest known paths when mockums has none."""
    import difflib

    from mockums.config import ConfigError
    from mockums.limits import TOKEN_PATH

    spec = endpoints.get(path)
    if spec is not None:
        return spec
    if path == TOKEN_PATH:
        raise ConfigError(f"{path} is signed inside its body (signature = SHA256(appId+timestamp+nonce+appKey)), "
                          "not with an Authorization header: `sign` does not make it")
    nearest = difflib.get_close_matches(path, list(endpoints), n=3, cutoff=0.6) or difflib.get_close_matches(
        path, list(endpoints), n=3, cutoff=0)
    raise ConfigError(f"--url: mockums serves no endpoint {path}; nearest: {', '.join(nearest)} "
                      "(every path: GET /__mockums/endpoints, or the endpoint reference)")


def parse_fields(given: list[str] | None, spec: EndpointSpec) -> dict[str, object]:
    """`--field NAME=VALUE` (repeatable) as request fields: an amount becomes a number, `NAME=` removes one."""
    from mockums.config import ConfigError

    fields: dict[str, object] = {}
    for item in given or ():
        name, equals, value = item.partition("=")
        if not equals or not name:
            raise ConfigError(f"--field {item!r}: write NAME=VALUE (NAME= leaves the field out)")
        fields[name] = value if value else None
    return _typed(spec, fields)


def _typed(spec: EndpointSpec, fields: Mapping[str, object]) -> dict[str, object]:
    """`fields` with each amount (a number in the endpoint's table) as an integer when it is one."""
    typed = dict(fields)
    for name, value in fields.items():
        rule = spec.rule(name)
        if rule is not None and rule.kind == "amount" and isinstance(value, str) and value.isdigit():
            typed[name] = int(value)
    return typed


def signing_app(args: argparse.Namespace, apps: tuple[App, ...]) -> tuple[str, str]:
    """(appId, appKey) `sign` uses: as given, else from the config's apps (the first, or the one named by
    --app-id), else the demo app's."""
    from mockums.config import ConfigError

    app_id = args.app_id or apps[0].app_id
    if args.app_key:
        return app_id, str(args.app_key)
    known = {app.app_id: app.app_key for app in apps}
    if app_id not in known:
        where = f"in {args.config}" if args.config else "(the demo app is the only one without --config)"
        raise ConfigError(f"no appKey for appId {app_id} {where}: pass --app-key, or --config with that app")
    return app_id, known[app_id]


def _quote(text: str) -> str:
    """`text` as one single-quoted shell word."""
    return "'" + text.replace("'", "'\"'\"'") + "'"


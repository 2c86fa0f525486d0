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
    from mockums.clock import Clock
    from mockums.config import App


def sample_body(clock: Clock, mer_order_id: str | None = None) -> bytes:
    """A close request stamped now, for `mer_order_id` or a fresh one: what `sign` signs without `--body`.

    The fresh id is `MKSUCCESS` + yyyyMMddHHmmss + 4 random digits (two samples in one second differ): the
    bundled `success` scenario speaks for it, so the order exists with no create call (an id nothing
    speaks for answers NO_ORDER, as the gateway does).
    """
    import secrets

    from mockums.clock import format_body_time, format_compact

    fresh = "MKSUCCESS" + format_compact(clock.beijing()) + f"{secrets.randbelow(10000):04d}"
    sample = {
        "requestTimestamp": format_body_time(clock.beijing()),
        "merOrderId": mer_order_id or fresh,
        "instMid": "APPDEFAULT",
        "mid": "898201612345678",
        "tid": "88880001",
        "srcReserve": "C20220119000001",
    }
    return json.dumps(sample, ensure_ascii=False).encode()


def read_body_argument(value: str | None, clock: Clock, mer_order_id: str | None = None) -> bytes:
    """`--body`: the text itself, `@FILE` a file's bytes, `-` stdin; absent, the sample body."""
    from mockums.config import ConfigError

    if value is None:
        return sample_body(clock, mer_order_id)
    if value == "-":
        return sys.stdin.buffer.read()
    if value.startswith("@"):
        try:
            return Path(value[1:]).read_bytes()
        except OSError as error:
            raise ConfigError(f"--body {value}: {error}") from error
    return value.encode()


def form_sample(clock: Clock, path: str, mer_order_id: str | None = None) -> bytes:
    """An H5 order for `mer_order_id` or a fresh one, stamped now: what `sign` signs for a GET without `--body`."""
    from mockums.clock import format_body_time, format_compact
    from mockums.lines import DEFAULT_REGISTRY

    spec = DEFAULT_REGISTRY.endpoints.get(path)
    inst_mid = spec.rule("instMid") if spec is not None else None
    scene = spec.rule("sceneType") if spec is not None else None
    sample: dict[str, object] = {
        "requestTimestamp": format_body_time(clock.beijing()),
        "merOrderId": mer_order_id or "3194" + format_compact(clock.beijing()) + "0002",
        "mid": "898201612345678",
        "tid": "88880001",
        "instMid": inst_mid.example if inst_mid is not None else "H5DEFAULT",
        "totalAmount": 360,
        "orderDesc": "mockums 测试订单",
    }
    if scene is not None and scene.required:
        sample |= {"sceneType": "AND_WAP", "merAppName": "mockums", "merAppId": "http://127.0.0.1"}
    return json.dumps(sample, ensure_ascii=False).encode()


def sign(args: argparse.Namespace) -> int:
    """`mockums sign`: print the Authorization header for a body, and a curl command sending it; for an H5
    path (or with `--form`), the OPEN-FORM-PARAM URL of a GET instead."""
    from mockums.auth import signing
    from mockums.auth.form import form_param_query
    from mockums.clock import Clock, format_compact
    from mockums.lines import DEFAULT_REGISTRY

    app_id, app_key = signing_app(args)
    clock = Clock()
    path = urlsplit(args.url).path
    spec = DEFAULT_REGISTRY.endpoints.get(path)
    form = args.form or (spec is not None and spec.method == "GET")
    if form and args.body is None:
        body = form_sample(clock, path, args.order_id)
    else:
        body = read_body_argument(args.body, clock, args.order_id)
    try:
        json.loads(body)
    except ValueError as error:
        print(f"mockums: warning: the body is not valid JSON ({error}); signing it anyway", file=sys.stderr)
    timestamp = args.timestamp or format_compact(clock.beijing())
    if urlsplit(args.url).hostname not in ("127.0.0.1", "localhost", "::1"):
        print("mockums: warning: the URL is not on this machine; is that intended?", file=sys.stderr)
    if form:
        content = body.decode("utf-8", "replace")
        url = f"{args.url}?{form_param_query(app_id, app_key, timestamp, content, args.nonce)}"
        print(f"GET {url}")
        print()
        print("curl -sS -i " + _quote(url))
        return 0
    header = signing.authorization_header(app_id, app_key, timestamp, body, args.nonce)
    print(f"Authorization: {header}")
    print()
    cacert = f"--cacert {_quote(str(args.cacert))} " if args.cacert else ""
    print(f"curl -sS {cacert}-X POST " + _quote(args.url) + " \\")
    print("  -H 'Content-Type: application/json' \\")
    print("  -H " + _quote(f"Authorization: {header}") + " \\")
    print("  --data-binary " + _quote(body.decode("utf-8", "replace")))
    return 0


def signing_app(args: argparse.Namespace) -> tuple[str, str]:
    """(appId, appKey) `sign` uses: as given, else from the config's apps (the first, or the one named by
    --app-id), else the demo app's."""
    from mockums.config import DEMO_APP, ConfigError, load_config_file

    apps: tuple[App, ...] = load_config_file(args.config).apps if args.config else (DEMO_APP,)
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


"""The `mockums` command: serve, check, sign."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

from mockums import __version__
from mockums.auth import signing
from mockums.auth.form import form_param_query
from mockums.clock import Clock, format_body_time, format_compact
from mockums.config import (
    DEMO_APP,
    LEGACY_STRICT_ORDERS,
    ConfigError,
    Settings,
    Strictness,
    check_ranges,
    load_config_file,
)
from mockums.core.sandbox import load_scenarios
from mockums.protocol import ENDPOINTS
from mockums.protocol.gateway_errors import gateway_error_table
from mockums.scenarios import load_paths
from mockums.server.runner import run

STRICT_PARTS = ("header", "timestamp", "request")
DEFAULT_URL = "http://127.0.0.1:8000/v1/netpay/wx/app-pre-close"


def build_parser() -> argparse.ArgumentParser:
    """The `mockums` argument parser: its three commands and their options (the README lists them)."""
    parser = argparse.ArgumentParser(
        prog="mockums", description="A local sandbox of the ChinaUMS open-platform payment API."
    )
    parser.add_argument("--version", action="version", version=f"mockums {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the sandbox server", description="Run the sandbox server.")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default 8000; 0 picks a free one)")
    serve.add_argument("-s", "--scenarios", action="append", type=Path, default=[], metavar="PATH",
                       help="a scenario file or folder; repeatable, added to the bundled set")
    serve.add_argument("--no-bundled", action="store_true", help="do not load the bundled scenarios")
    serve.add_argument("-c", "--config", type=Path, help="a YAML config file (apps, strictness, error table…)")
    serve.add_argument("--seed", type=int, help="seed for generated ids and names (reproducible answers)")
    serve.add_argument("--strict", nargs="?", const="all", metavar="PARTS",
                       help=f"strict mode: all, or a comma list of {', '.join(STRICT_PARTS)}")
    serve.add_argument("--assume-orders", action="store_true",
                       help="take any order never created to exist, unpaid, instead of answering NO_ORDER "
                       "as the gateway does (the old default)")
    serve.add_argument("--skew-window", type=int, metavar="SECONDS",
                       help="flag (strict: reject) timestamps further than this from Beijing time; "
                       "0 = off (default 600)")
    serve.add_argument("--faithful", action="store_true",
                       help="answer exactly like the gateway: no diagnosis, no X-Mockums headers")
    serve.add_argument("--no-watch", action="store_true", help="do not reload scenario files when they change")
    serve.add_argument("--journal-size", type=int, metavar="N", help="requests kept in the journal (default 1000)")
    serve.add_argument("--no-control", action="store_true",
                       help="switch the control API off (the health endpoint stays)")
    serve.add_argument("--control-token", metavar="TOKEN",
                       help="control calls must send `Authorization: Bearer TOKEN`")
    serve.add_argument("--control-remote", action="store_true",
                       help="accept control calls from other machines too (default: loopback only)")
    serve.add_argument("--public-url", metavar="URL",
                       help="base URL of cashier links (H5 redirects, billQRCode) when clients reach mockums by "
                       "another address, e.g. behind a Docker port mapping (default: the request's Host)")
    serve.add_argument("--log-level", choices=["DEBUG", "INFO", "WARNING", "ERROR"], metavar="LEVEL",
                       help="DEBUG, INFO, WARNING or ERROR (default INFO)")

    check = commands.add_parser("check", help="validate scenario files without serving",
                                description="Validate scenario files without serving; exit 1 on any error.")
    check.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="scenario files or folders")
    check.add_argument("-c", "--config", type=Path, help="config file (its gateway_errors names are allowed)")

    sign = commands.add_parser("sign", help="print an Authorization header and a curl command for a body",
                               description="Print an OPEN-BODY-SIG Authorization header and a ready curl command "
                               "(for an H5 path, the signed OPEN-FORM-PARAM URL).")
    sign.add_argument("--body",
                      help="the JSON body; @FILE reads a file, - reads stdin (default: a sample close request)")
    sign.add_argument("--url", default=DEFAULT_URL, help=f"target URL (default {DEFAULT_URL})")
    sign.add_argument("--app-id", default=DEMO_APP.app_id, help="default: the demo app")
    sign.add_argument("--app-key", default=DEMO_APP.app_key, help="default: the demo app's key")
    sign.add_argument("--timestamp", help="yyyyMMddHHmmss (default: now, Beijing time)")
    sign.add_argument("--nonce", help="default: 32 random hex characters")
    sign.add_argument("--form", action="store_true",
                      help="sign as OPEN-FORM-PARAM and print the GET URL (the default for the H5 paths)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `mockums` command with `argv` (default: the process's); the exit status.

    0 on success, 1 when `check` finds errors or `serve` cannot listen, 2 for a configuration or scenario
    error (said on stderr).
    """
    args = build_parser().parse_args(argv)
    try:
        if args.command == "serve":
            return serve(args)
        if args.command == "check":
            return check(args)
        return sign(args)
    except ConfigError as error:
        print(f"mockums: {error}", file=sys.stderr)
        return 2


def settings_from_args(args: argparse.Namespace) -> Settings:
    """`serve`'s settings: the config file's (or the defaults), overridden by each option given."""
    settings = load_config_file(args.config) if args.config else Settings()
    changes: dict[str, object] = {}
    for name in ("host", "port", "seed", "skew_window", "log_level", "journal_size", "control_token", "public_url"):
        if getattr(args, name) is not None:
            changes[name] = getattr(args, name)
    for flag, name, value in (("no_watch", "watch", False), ("no_control", "control", False),
                              ("control_remote", "control_remote", True)):
        if getattr(args, flag):
            changes[name] = value
    if args.scenarios:
        changes["scenario_paths"] = (*settings.scenario_paths, *(p.resolve() for p in args.scenarios))
    if args.no_bundled:
        changes["bundled_scenarios"] = False
    if args.faithful:
        changes["faithful"] = True
    if args.assume_orders:
        changes["assume_orders"] = True
    if args.strict:
        changes["strict"] = parse_strict(args.strict)
    settings = replace(settings, **changes)  # type: ignore[arg-type]
    check_ranges(settings)
    return settings


def parse_strict(text: str) -> Strictness:
    """`--strict`'s value: `all`, or a comma list of STRICT_PARTS; ConfigError naming any unknown part.

    `orders`, a part of earlier versions whose behaviour is now the default, is accepted and ignored.
    """
    parts = {part.strip() for part in text.split(",") if part.strip()} - {LEGACY_STRICT_ORDERS}
    if parts == {"all"}:
        return Strictness.all(True)
    unknown = sorted(parts - set(STRICT_PARTS))
    if unknown:
        raise ConfigError(f"--strict: unknown parts {unknown} (use all or {', '.join(STRICT_PARTS)})")
    return Strictness(**dict.fromkeys(parts, True))


def serve(args: argparse.Namespace) -> int:
    """`mockums serve`: load the scenarios (2, listing every error, if they do not validate), then serve."""
    settings = settings_from_args(args)
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    scenarios, errors = load_scenarios(settings)
    if errors:
        for error in errors:
            print(f"mockums: {error}", file=sys.stderr)
        print(f"mockums: {len(errors)} scenario error(s); fix them or run `mockums check`", file=sys.stderr)
        return 2
    return asyncio.run(run(settings, scenarios))


def check(args: argparse.Namespace) -> int:
    """`mockums check`: validate scenario files and list their scenarios; 1 on any error."""
    settings = load_config_file(args.config) if args.config else Settings()
    table = gateway_error_table(settings.gateway_errors)
    missing = [path for path in args.paths if not path.exists()]
    for path in missing:
        print(f"{path}: no such file or folder", file=sys.stderr)
    result = load_paths(args.paths, gateway_errors=table.keys(), endpoints=ENDPOINTS.keys())
    for error in result.errors:
        print(error, file=sys.stderr)
    if result.errors or missing:
        print(f"{len(result.errors) + len(missing)} error(s)", file=sys.stderr)
        return 1
    print(f"{len(result.scenarios)} scenario(s) in {len(result.files)} file(s): OK")
    for scenario in result.scenarios:
        magic = f"  magic id {scenario.magic_id}" if scenario.magic_id else ""
        print(f"  {scenario.name:<28} {scenario.match.describe()}{magic}")
    return 0


def sample_body(clock: Clock) -> bytes:
    """A close request stamped now: what `sign` signs without `--body`.

    Its merOrderId is a fresh `MKSUCCESS…` id: the bundled `success` scenario speaks for it, so the
    order exists with no create call (an id nothing speaks for answers NO_ORDER, as the gateway does).
    """
    sample = {
        "requestTimestamp": format_body_time(clock.beijing()),
        "merOrderId": "MKSUCCESS" + format_compact(clock.beijing()),
        "instMid": "APPDEFAULT",
        "mid": "898201612345678",
        "tid": "88880001",
        "srcReserve": "C20220119000001",
    }
    return json.dumps(sample, ensure_ascii=False).encode()


def read_body_argument(value: str | None, clock: Clock) -> bytes:
    """`--body`: the text itself, `@FILE` a file's bytes, `-` stdin; absent, the sample body."""
    if value is None:
        return sample_body(clock)
    if value == "-":
        return sys.stdin.buffer.read()
    if value.startswith("@"):
        try:
            return Path(value[1:]).read_bytes()
        except OSError as error:
            raise ConfigError(f"--body {value}: {error}") from error
    return value.encode()


def form_sample(clock: Clock, path: str) -> bytes:
    """An H5 order for a fresh merOrderId, stamped now: what `sign` signs for a GET without `--body`."""
    spec = ENDPOINTS.get(path)
    inst_mid = spec.rule("instMid") if spec is not None else None
    scene = spec.rule("sceneType") if spec is not None else None
    sample: dict[str, object] = {
        "requestTimestamp": format_body_time(clock.beijing()),
        "merOrderId": "3194" + format_compact(clock.beijing()) + "0002",
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
    clock = Clock()
    path = urlsplit(args.url).path
    spec = ENDPOINTS.get(path)
    form = args.form or (spec is not None and spec.method == "GET")
    body = form_sample(clock, path) if form and args.body is None else read_body_argument(args.body, clock)
    try:
        json.loads(body)
    except ValueError as error:
        print(f"mockums: warning: the body is not valid JSON ({error}); signing it anyway", file=sys.stderr)
    timestamp = args.timestamp or format_compact(clock.beijing())
    if urlsplit(args.url).hostname not in ("127.0.0.1", "localhost", "::1"):
        print("mockums: warning: the URL is not on this machine; is that intended?", file=sys.stderr)
    if form:
        content = body.decode("utf-8", "replace")
        url = f"{args.url}?{form_param_query(args.app_id, args.app_key, timestamp, content, args.nonce)}"
        print(f"GET {url}")
        print()
        print("curl -sS -i " + _quote(url))
        return 0
    header = signing.authorization_header(args.app_id, args.app_key, timestamp, body, args.nonce)
    print(f"Authorization: {header}")
    print()
    print("curl -sS -X POST " + _quote(args.url) + " \\")
    print("  -H 'Content-Type: application/json' \\")
    print("  -H " + _quote(f"Authorization: {header}") + " \\")
    print("  --data-binary " + _quote(body.decode("utf-8", "replace")))
    return 0


def _quote(text: str) -> str:
    """`text` as one single-quoted shell word."""
    return "'" + text.replace("'", "'\"'\"'") + "'"


"""The `mockums` command: serve, check, sign."""

from __future__ import annotations

import argparse
import difflib
import os
import shlex
import shutil
import sys
from collections.abc import Coroutine, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mockums import __version__
from mockums.environment import EnvironmentValueError, apply_environment, misspelt_variables
from mockums.settings_table import DEFAULTS, SERVE_OPTIONS, STRICT_PARTS, Setting

# Only argparse and the standard library at import time: `mockums --version` and `--help` answer at
# once. The sandbox itself (aiohttp, Faker, YAML…) is imported when a command runs.
if TYPE_CHECKING:
    from mockums.config import Settings, Strictness
    from mockums.scenarios import Scenario

DEFAULT_URL = f"http://{DEFAULTS['host']}:{DEFAULTS['port']}/v1/netpay/wx/app-pre-close"  # where `serve` listens
YOUNG_COLLECTION_AFTER = 50_000  # new container objects between young garbage collections in `serve` (700 by default)


from mockums.cli_sign import form_sample, read_body_argument, sample_body, sign, signing_app  # noqa: E402

__all__ = ["form_sample", "main", "read_body_argument", "sample_body", "sign", "signing_app"]


class CommandLineError(ValueError):
    """A command line or environment problem, said on stderr with exit status 2 (like a config error)."""


def run(settings: Settings, scenarios: tuple[Scenario, ...], **hooks: Any) -> Coroutine[Any, Any, int]:
    """The server's runner (`mockums.server.runner.run`), imported only when `serve` runs."""
    from mockums.server.runner import run as serve_forever

    return serve_forever(settings, scenarios, **hooks)


def build_parser() -> argparse.ArgumentParser:
    """The `mockums` argument parser: its three commands and their options (the README lists them)."""
    parser = argparse.ArgumentParser(
        prog="mockums", description="A local sandbox of the ChinaUMS open-platform payment API."
    )
    parser.add_argument("--version", action="version", version=f"mockums {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the sandbox server",
                                description="Run the sandbox server. Every option can also be set with the "
                                "environment variable named after it (--skew-window: MOCKUMS_SKEW_WINDOW).")
    for setting in SERVE_OPTIONS:
        serve.add_argument(*setting.options, **option_arguments(setting))

    check = commands.add_parser("check", help="validate scenario files without serving",
                                description="Validate scenario files without serving; exit 1 on any error.")
    check.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="scenario files or folders")
    check.add_argument("-c", "--config", type=Path, help="config file (its gateway_errors names are allowed)")

    sign = commands.add_parser("sign", help="print an Authorization header and a curl command for a body",
                               description="Print an OPEN-BODY-SIG Authorization header and a ready curl command "
                               "(for an H5 path, the signed OPEN-FORM-PARAM URL). The signature covers the body: "
                               "change the body, and sign it again.")
    body = sign.add_mutually_exclusive_group()
    body.add_argument("--body", help="the JSON body; @FILE reads a file, - reads stdin (default: the sample request "
                      "of the --url endpoint, the one the dashboard's Try it sends)")
    body.add_argument("--order-id", metavar="MER_ORDER_ID",
                      help="the sample request, for this merOrderId (e.g. a magic id: MKPAID0001)")
    sign.add_argument("--field", action="append", metavar="NAME=VALUE",
                      help="set a field of the sample request (NAME= leaves it out); repeatable")
    sign.add_argument("--url", help="the endpoint's URL, or only its path; its sample body is signed unless --body "
                      "is given (default: the close endpoint on the address `serve` takes from MOCKUMS_HOST, "
                      f"MOCKUMS_PORT, MOCKUMS_TLS and the config: {DEFAULT_URL})")
    sign.add_argument("--cacert", type=Path, metavar="FILE",
                      help="for an https URL: the CA certificate curl should trust (what `serve --tls` printed)")
    sign.add_argument("-c", "--config", type=Path, help="sign for an app of this config file (default: its first; "
                      "MOCKUMS_CONFIG names one too), and target the address it sets")
    sign.add_argument("--app-id", help="default: the config's first app, or the demo app")
    sign.add_argument("--app-key", help="default: the key of that app in the config, or the demo app's key")
    sign.add_argument("--timestamp", help="yyyyMMddHHmmss (default: now, Beijing time)")
    sign.add_argument("--nonce", help="default: 32 random hex characters")
    sign.add_argument("--form", action="store_true",
                      help="sign as OPEN-FORM-PARAM and print the GET URL (the default for the H5 paths)")
    for command in commands.choices.values():  # `mockums serve --version` answers too
        command.add_argument("--version", action="version", version=f"mockums {__version__}")
    return parser


def option_arguments(setting: Setting) -> dict[str, Any]:
    """argparse's arguments for a setting's `serve` option. Each stores under the setting's name, and
    only when given: a flag its non-default value, a repeatable option a list, `--strict` bare `all`."""
    arguments: dict[str, Any] = {"dest": setting.name, "help": setting.describe(for_option=True)}
    if setting.flag:
        return {**arguments, "action": "store_const", "const": not setting.default}
    arguments["metavar"] = setting.metavar
    if setting.kind is not str or setting.any_case:
        arguments["type"] = str.upper if setting.any_case else setting.kind
    if setting.choices:
        arguments["choices"] = list(setting.choices)
    if setting.repeat:
        arguments.update(action="append", default=[])
    if setting.bare is not None:
        arguments.update(nargs="?", const=setting.bare)
    return arguments


def subcommand(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    """The parser of one command (`serve`, `check`, `sign`)."""
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    chosen: argparse.ArgumentParser = commands.choices[name]
    return chosen


def parse(argv: Sequence[str] | None, environ: Mapping[str, str]) -> argparse.Namespace:
    """The command line, with unset `serve` options read from MOCKUMS_… variables; argparse exits on a
    mistake, suggesting the option meant when one is mistyped."""
    parser = build_parser()
    args, extras = parser.parse_known_args(argv)
    command = subcommand(parser, args.command)
    if extras:
        known = [s for a in command._actions for s in a.option_strings if s.startswith("--")]
        guesses = {word: difflib.get_close_matches(word.split("=")[0], known, n=1) for word in extras
                   if word.startswith("-")}
        hints = [f"{word.split('=')[0]}: did you mean {guess[0]}?" for word, guess in guesses.items() if guess]
        command.error(f"unrecognized arguments: {' '.join(extras)}" + ("\n" + "\n".join(hints) if hints else ""))
    if args.command == "serve":
        try:
            apply_environment(command, args, environ)
        except EnvironmentValueError as error:
            raise CommandLineError(str(error)) from None
        for name, guess in misspelt_variables(command, environ):
            from mockums.logs import say

            say(f"mockums: warning: {name} is not an option of `mockums serve`; did you mean {guess}?",
                _log_format(args), "warning", stream=sys.stderr, level=30)  # logging.WARNING
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `mockums` command with `argv` (default: the process's); the exit status.

    0 on success, 1 when `check` finds errors or `serve` cannot listen, 2 for a configuration or scenario
    error (said on stderr).
    """
    words = sys.argv[1:] if argv is None else list(argv)
    if not words:  # plain `mockums`: what it can do, not an error
        build_parser().print_help()
        return 0
    try:
        args = parse(words, os.environ)
    except CommandLineError as error:
        print(f"mockums: {error}", file=sys.stderr)
        return 2
    from mockums.config import ConfigError

    try:
        return _flushed(run_command(args))
    except ConfigError as error:
        _say_error(f"mockums: {error}", args)
        return 2
    except BrokenPipeError:  # `mockums check … | head -1`: the reader has gone; not an error worth a traceback
        # Python's documented recipe: send what is still buffered nowhere, so the exit does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def _log_format(args: argparse.Namespace) -> str:
    """The log format `serve` was asked for on its command line or in its environment (text otherwise)."""
    return str(getattr(args, "log_format", None) or "text")


def _say_error(message: str, args: argparse.Namespace, log_format: str | None = None) -> None:
    """A refusal on stderr: as text, or as a JSON line when `serve` runs with --log-format json (or `log_format`)."""
    from mockums.logs import say

    say(message, log_format or _log_format(args), "error", stream=sys.stderr, level=40)  # logging.ERROR


def run_command(args: argparse.Namespace) -> int:
    """The command `args` names, run; its exit status."""
    if args.command == "serve":
        return serve(args)
    if args.command == "check":
        return check(args)
    return sign(args, serve_settings(args.config))


def serve_settings(config: Path | None) -> Settings:
    """The settings `mockums serve` would run with here: its MOCKUMS_… variables, then the config file (`config`,
    else MOCKUMS_CONFIG), then the defaults (what `sign` targets and signs for)."""
    serve = subcommand(build_parser(), "serve")
    namespace = serve.parse_args([] if config is None else ["--config", str(config)])
    try:
        apply_environment(serve, namespace, os.environ)
    except EnvironmentValueError as error:
        from mockums.config import ConfigError

        raise ConfigError(str(error)) from None
    return settings_from_args(namespace)


def _flushed(status: int) -> int:
    """`status`, once everything printed has been written (a closed pipe shows up here, not at exit)."""
    sys.stdout.flush()
    return status


def settings_from_args(args: argparse.Namespace) -> Settings:
    """`serve`'s settings: the config file's (or the defaults), overridden by each option given (on the
    command line or in the environment)."""
    from dataclasses import replace

    from mockums.config import Settings, check_ranges, load_config_file

    settings = load_config_file(args.config) if args.config else Settings()
    changes: dict[str, Any] = {}
    for setting in (setting for setting in SERVE_OPTIONS if setting.in_settings):
        given = getattr(args, setting.name)
        if given is None or given == [] or (setting.name == "strict" and not given):  # not given
            continue
        if setting.repeat:  # added to the config file's list
            given = (*getattr(settings, setting.name), *map(_resolved, given))
        changes[setting.name] = parse_strict(given) if setting.name == "strict" else _resolved(given)
    settings = replace(settings, **changes)
    check_ranges(settings)
    return settings


def _resolved(value: object) -> object:
    """An option's value as a setting holds it: a file name made absolute."""
    return value.resolve() if isinstance(value, Path) else value


def parse_strict(text: str) -> Strictness:
    """`--strict`'s value: `all`, or a comma list of STRICT_PARTS; ConfigError naming any unknown part.

    `orders`, a part of earlier versions whose behaviour is now the default, is accepted and ignored.
    """
    from mockums.config import LEGACY_STRICT_ORDERS, ConfigError, Strictness

    parts = {part.strip() for part in text.split(",") if part.strip()} - {LEGACY_STRICT_ORDERS}
    if parts == {"all"}:
        return Strictness.all(True)
    unknown = sorted(parts - set(STRICT_PARTS))
    if unknown:
        raise ConfigError(f"--strict: unknown parts {unknown} (use all or {', '.join(STRICT_PARTS)})")
    return Strictness(**dict.fromkeys(parts, True))


def serve(args: argparse.Namespace) -> int:
    """`mockums serve`: load the scenarios (2, listing every error, if they do not validate), then serve."""

    from mockums.core.sandbox import load_scenarios
    from mockums.logs import configure_logging

    settings = settings_from_args(args)
    if settings.workers > 1:  # refused at once when they cannot be (the memory store), before any loading
        from mockums.server.workers import workers_problem

        problem = workers_problem(settings)
        if problem is not None:
            _say_error(f"mockums: {problem}", args, settings.log_format)
            return 2
    handler = configure_logging(settings.log_level, settings.log_format, batched=True)
    lean_log_records()
    scenarios, errors = load_scenarios(settings)
    if errors:
        for error in errors:
            _say_error(f"mockums: {error}", args, settings.log_format)
        _say_error(f"mockums: {len(errors)} scenario error(s); fix them or run `mockums check`", args,
                   settings.log_format)
        return 2
    if settings.workers > 1:
        from mockums.server.workers import serve_workers

        try:
            return serve_workers(settings, scenarios, sign_hint=sign_hint(args.config), before_fork=handler.flush,
                                 ready=settle_heap)
        finally:
            handler.flush()
    import asyncio

    try:
        # asyncio's own loop, uvloop or not: measured under load, uvloop won 0-18 % of throughput here
        # but raised the 99th percentile's latency by half (README "Performance").
        return asyncio.run(run(settings, scenarios, sign_hint=sign_hint(args.config), ready=settle_heap))
    finally:
        handler.flush()  # the last lines of a busy spell may still be waiting for their write


def settle_heap(_port: int) -> None:
    """Once `serve` listens, tune the garbage collector for a server that keeps what requests create.

    Everything alive then (modules, Faker's word lists, the scenarios, the app) lives as long as the
    process, so the collector is told never to scan it again (`gc.freeze`). And a young collection
    runs after 50,000 new container objects rather than 700: under load, requests that each keep an
    order made the collector pause the loop hundreds of times a minute, the middle generation's passes
    for about 2 ms each, which showed in the 99th percentile's latency (measured with a new order per
    request: p99 11–13 ms at the default thresholds, 8.3–8.6 ms with these).
    """
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION_AFTER, *gc.get_threshold()[1:])


def lean_log_records() -> None:
    """Log records skip what mockums' formats never show: the caller's file and line (a stack walk), the
    thread, process and multiprocessing names. Logging's own documented switches, set for the `serve`
    process only, since a request's line is written on every request."""
    import logging

    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False


def program() -> str:
    """How to run this `mockums` again from the same shell: `mockums` when that is the one on PATH, else
    the path it was run by (`.venv/bin/mockums`), or `python -m mockums`."""
    invoked = sys.argv[0] if sys.argv else ""
    if not invoked or Path(invoked).name in ("__main__.py", "-c", "-m"):
        return f"{shlex.quote(Path(sys.executable).name)} -m mockums"
    on_path = shutil.which("mockums")
    if on_path and Path(on_path).resolve() == Path(invoked).resolve():
        return "mockums"
    return shlex.quote(invoked)


def sign_hint(config: Path | None) -> str:
    """The banner's `try:` command: this very program's `sign`, with the config file serve was given."""
    return f"{program()} sign" + (f" --config {shlex.quote(str(config))}" if config else "")


def check(args: argparse.Namespace) -> int:
    """`mockums check`: validate scenario files and list their scenarios; 1 on any error."""
    from mockums.config import Settings, load_config_file
    from mockums.core.scenario_files import allowed_names
    from mockums.scenarios import load_paths

    settings = load_config_file(args.config) if args.config else Settings()
    # A missing path is one of the loader's own errors (`no such file or folder`): reported once.
    result = load_paths(args.paths, allowed=allowed_names(settings))
    for error in result.errors:
        print(error, file=sys.stderr)
    if result.errors:
        print(f"{len(result.errors)} error(s)", file=sys.stderr)
        return 1
    print(f"{len(result.scenarios)} scenario(s) in {len(result.files)} file(s): OK")
    for scenario in result.scenarios:
        magic = f"  magic id {scenario.magic_id}" if scenario.magic_id else ""
        print(f"  {scenario.name:<28} {scenario.match.describe()}{magic}")
    return 0

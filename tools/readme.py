"""README sections generated from the tables they describe, so the documentation cannot drift.

`python tools/readme.py` rewrites every `<!-- generated:NAME -->` … `<!-- end:NAME -->` block of the
README and of the documentation site's pages in docs/ (or of the files named); the test suite fails when one is
out of date.
"""

from __future__ import annotations

import argparse
import ast
import inspect
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

from layers import PURE, RANKS

from mockums import __version__, environment, pytest_plugin, settings_table
from mockums.cli import build_parser
from mockums.config import Settings
from mockums.core.sandbox import load_scenarios
from mockums.lines import DEFAULT_REGISTRY
from mockums.lines.netpay.errors import SITUATIONS
from mockums.lines.openapi import gateway_openapi_document
from mockums.lines.poslink.cases import case_rows
from mockums.protocol.gateway_errors import DEFAULT_GATEWAY_ERRORS
from mockums.protocol.spec import EndpointSpec
from mockums.protocol.vocabulary import Situation
from mockums.protocol.wallets import WALLETS, Value
from mockums.scenarios.json_schema import SCHEMA_FILE, scenario_json_schema
from mockums.server.control import CONTROL_PREFIX, ROUTES
from mockums.settings_table import SETTINGS
from mockums.testing import Mockums
from mockums.testing.methods import HandleMethods


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def gateway_errors() -> str:
    rows = ["| entry | HTTP | errCode | errInfo | when | evidence |", "|---|---|---|---|---|---|"]
    for row in DEFAULT_GATEWAY_ERRORS.values():
        rows.append(f"| `{row.key}` | {row.status} | `{row.err_code}` | {row.err_info} | {_cell(row.when)} "
                    f"| {row.evidence} |")
    return "\n".join(rows)


def business_errors() -> str:
    """Each product line's catalogue (lines sharing one show it once) and every named situation."""
    rows: list[str] = []
    shown: list[object] = []
    for line in DEFAULT_REGISTRY.lines:
        vocabulary = line.vocabulary
        if vocabulary.catalogue in shown:
            continue
        shown.append(vocabulary.catalogue)
        users = ", ".join(other.name for other in DEFAULT_REGISTRY.lines
                          if other.vocabulary.catalogue is vocabulary.catalogue)
        rows += [f"Lines {users}: success is `{vocabulary.code_field}` `{vocabulary.success}`.", "",
                 f"| {vocabulary.code_field} | default {vocabulary.message_field} |", "|---|---|"]
        rows += [f"| `{code}` | {message or '(empty)'} |" for code, message in vocabulary.catalogue.items()]
        rows.append("")
    rows += ["The lines' answers in particular situations, each message stated once (each line's `errors.py`):", "",
             "| situation | line | errCode | message | when | evidence |", "|---|---|---|---|---|---|"]
    named: dict[str, tuple[str, Situation]] = {}
    for line in DEFAULT_REGISTRY.lines:
        for name, known in line.vocabulary.situations.items():
            named.setdefault(name, (line.name, known))
    for name, (line_name, known) in named.items():
        rows.append(f"| `{name}` | {line_name} | `{known.err_code}` | {_cell(known.message)} "
                    f"| {_cell(known.when)} | {known.evidence} |")
    return "\n".join(rows)


def deviations() -> str:
    """The client habits lenient mode accepts though the tables do not list them (protocol/deviations.py)."""
    rows = ["| endpoint | value accepted in lenient mode | table says | who sends it | seen in |",
            "|---|---|---|---|---|"]
    for item in DEFAULT_REGISTRY.deviations:
        rule = DEFAULT_REGISTRY.endpoints[item.path].rule(item.name)
        listed = ", ".join(rule.choices) if rule is not None else "(not listed)"
        rows.append(f"| `{item.path}` | `{item.describe()}` | {item.name} one of {listed} | {_cell(item.sent_by)} "
                    f"| {_cell(item.evidence)} |")
    return "\n".join(rows)


def wallets() -> str:
    """Every wallet value answers show, per wallet, with where it comes from (protocol/wallets.py)."""
    names = list(WALLETS)
    rows = ["| value | " + " | ".join(f"`{name}`" for name in names) + " |", "|---|" + "---|" * len(names)]

    def row(label: str, cells: list[str]) -> None:
        rows.append(f"| {label} | " + " | ".join(_cell(cell) for cell in cells) + " |")

    def shown(value: Value | None) -> str:
        return f"`{value.text}` ({value.evidence})" if value is not None else "the trade's `targetOrderId` (ours)"

    items = list(WALLETS.values())
    row("status just created", [f"`{w.initial_status}`" for w in items])
    row("`targetStatus` answering the create", [shown(w.created_target_status) for w in items])
    row("`targetStatus` in queries and notifications",
        [", ".join(f"{k} `{v}`" for k, v in w.target_status.items()) + f" ({w.target_status_evidence})"
         for w in items])
    row("`errMsg` of a query while unpaid",
        [f"`{SITUATIONS[w.unpaid_query_situation].message}` ({SITUATIONS[w.unpaid_query_situation].evidence})"
         if w.unpaid_query_situation else "empty" for w in items])
    row("`targetStatus` answering a close", [shown(w.close_target_status) for w in items])
    row("`targetOrderId`", [f"{shown(w.target_order_id)}, shown from {w.target_order_id_shown}" for w in items])
    row("`refundTargetOrderId`", [shown(w.refund_target_order_id) for w in items])
    row("`buyerId` (once paid)", [shown(w.buyer_id) for w in items])
    row("`targetMid`", [shown(w.target_mid) for w in items])
    return "\n".join(rows)


def magic_ids() -> str:
    scenarios, errors = load_scenarios(Settings())
    if errors:
        raise SystemExit("\n".join(map(str, errors)))
    rows = ["| merOrderId (any id with the prefix) | scenario | what happens |", "|---|---|---|"]
    for scenario in scenarios:
        if scenario.magic_id:
            rows.append(f"| `{scenario.magic_id}` (`{scenario.match.value}…`) | `{scenario.name}` "
                        f"| {_cell(scenario.description)} |")
    return "\n".join(rows)


def pos_payment_codes() -> str:
    """POS link's magic payment codes (`mockums.lines.poslink.cases`)."""
    rows = ["| case | what happens |", "|---|---|"]
    rows += [f"| `{case}` | {_cell(what)} |" for case, what in case_rows()]
    return "\n".join(rows)


def endpoints() -> str:
    """Every line's endpoints, with their request and answer tables."""
    parts = []
    for line in DEFAULT_REGISTRY.lines:
        parts.append(f"### {line.title}\n")
        for spec in line.endpoints:
            parts += _endpoint(spec)
    return "\n".join(parts).rstrip()


def _endpoint(spec: EndpointSpec) -> list[str]:
    parts = [f"#### `{spec.method} {spec.path}` — {spec.title}\n\n{spec.summary}\n"]
    request = "request field"
    if spec.note:
        parts.append(f"{spec.note}\n")
    if spec.method == "GET":
        request = "content field"
    parts.append(f"| {request} | rule | description | example |\n|---|---|---|---|")
    parts += [f"| `{rule.name}` | {rule.rule_text()} | {_cell(rule.description)} | {_cell(rule.example)} |"
              for rule in spec.request]
    answer = "error answer field" if spec.method == "GET" else "response field"
    parts.append(f"\n| {answer} | type | description | example |\n|---|---|---|---|")
    parts += [f"| `{field.name}` | {field.type} | {_cell(field.description)} | {_cell(field.example)} |"
              for field in spec.response]
    parts.append("")
    return parts


def cli_options() -> str:
    """Every option of every subcommand, from the argparse definitions themselves; `serve`'s with the
    MOCKUMS_… variable that sets it too (`mockums.environment`)."""
    parser = build_parser()
    subcommands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    blocks = []
    for name, sub in subcommands.choices.items():
        with_env = name == "serve"
        rows = [f"`mockums {name}` — {sub.description or subcommands._choices_actions[0].help}", "",
                "| option | environment | meaning |" if with_env else "| option | meaning |",
                "|---|---|---|" if with_env else "|---|---|"]
        for action in sub._actions:
            if isinstance(action, (argparse._HelpAction, argparse._VersionAction)):
                continue
            metavar = action.metavar or (action.dest.upper() if action.nargs != 0 else "")
            spelled = ", ".join(action.option_strings) or action.dest
            shown = f"{spelled} {metavar}".strip() if action.option_strings else str(metavar)
            env = ""
            if with_env and action.option_strings:
                env = f"`{environment.variable(action)}={_cell(environment.accepted_values(action))}`"
            rows.append(f"| `{shown}` | {env} | {_cell(action.help or '')} |" if with_env
                        else f"| `{shown}` | {_cell(action.help or '')} |")
        blocks.append("\n".join(rows))
    return "\n\n".join(blocks)


def config_keys() -> str:
    """Every key of the config file, from the one table of settings (mockums/settings_table.py): what it
    takes, its default, and the option and variable that set it too."""
    rows = ["| key | takes | default | option, variable | meaning |", "|---|---|---|---|---|"]
    for setting in SETTINGS:
        if setting.key is None:
            continue
        default = setting.default_text or settings_table.shown(setting.default)
        option = f"`{setting.option}`, `{setting.variable}`" if setting.option else ""
        rows.append(f"| `{setting.key}` | {_cell(setting.takes())} | {_cell(default)} | {option} "
                    f"| {_cell(setting.describe())} |")
    return "\n".join(rows)


def control_api() -> str:
    rows = ["| call | what it does | body / query |", "|---|---|---|"]
    for route in ROUTES:
        extra = route.body or (", ".join(f"`{name}`" for name in route.query) if route.query else "")
        rows.append(f"| `{route.method} {CONTROL_PREFIX}{route.path}` | {_cell(route.summary)} | {_cell(extra)} |")
    return "\n".join(rows)


REPO = Path(__file__).resolve().parent.parent


def _embedded(folder: str, pattern: str) -> str:
    """Every file of `folder` matching `pattern`, verbatim, each under its path: examples the suite runs."""
    blocks = []
    for path in sorted((REPO / folder).glob(pattern)):
        text = path.read_text(encoding="utf-8").strip()
        blocks.append(f"`{folder}/{path.name}`:\n\n```python\n{text}\n```")
    return "\n\n".join(blocks)


def plugin_examples() -> str:
    """The plugin examples are real test files, run by the suite; the README shows them verbatim."""
    return _embedded("tests/plugin/examples", "test_example_*.py") or "(the examples live in tests/plugin/examples/)"


FIXTURES = ("mockums", "mockums_server", "mockums_settings", "mockums_aiohttp")


def _first_paragraph(value: object) -> str:
    return " ".join((inspect.getdoc(value) or "").split("\n\n")[0].split())


def plugin_api() -> str:
    """The plugin's fixtures and every method of the handle they give, from their docstrings."""
    rows = ["| fixture | scope | gives |", "|---|---|---|"]
    for name in FIXTURES:
        fixture = getattr(pytest_plugin, name)
        marker = getattr(fixture, "_fixture_function_marker", None)  # pytest keeps the scope there
        rows.append(f"| `{name}` | {getattr(marker, 'scope', '')} | {_cell(_first_paragraph(fixture))} |")
    rows += ["", "| handle (`Mockums`; `AsyncMockums`: the same, awaited) | what it does |", "|---|---|"]
    rows.append("| `url` | the sandbox's base URL: point your client here |")
    members = {**vars(HandleMethods), "scenario": Mockums.scenario}
    for name, member in members.items():
        if name.startswith("_"):
            continue
        if isinstance(member, property):
            rows.append(f"| `{name}` | {_cell(_first_paragraph(member))} |")
            continue
        signature = getattr(member, "bound_signature", None) or inspect.signature(member)
        if getattr(member, "bound_signature", None) is None:
            signature = signature.replace(parameters=list(signature.parameters.values())[1:])
        shown = str(signature.replace(return_annotation=inspect.Signature.empty)).replace("'", "")
        rows.append(f"| `{name}{_cell(shown)}` | {_cell(_first_paragraph(member))} |")
    return "\n".join(rows)


def product_line_example() -> str:
    """A product line of a test's own, served by tests/lines/test_toy_line.py; shown verbatim."""
    return _embedded("tests/lines", "toy_line.py")


def tutorial_pytest() -> str:
    """The pytest tutorial's test, run by the suite like the plugin examples; shown verbatim."""
    return _embedded("tests/plugin/examples", "test_tutorial_*.py")


def standalone_examples() -> str:
    """The script and unittest examples are run by tests/testing/test_serving.py; shown verbatim."""
    return _embedded("tests/testing/examples", "example_*.py")


def layout() -> str:
    """The package's units, lowest layer first, each with the first sentence of its docstring."""
    package = Path(__file__).resolve().parent.parent / "mockums"
    rows = ["| layer | unit | job |", "|---|---|---|"]
    for unit, rank in sorted(RANKS.items(), key=lambda item: (item[1], item[0])):
        path = package / unit / "__init__.py" if (package / unit).is_dir() else package / f"{unit}.py"
        shown = f"`mockums/{unit}/`" if path.name == "__init__.py" else f"`mockums/{unit}.py`"
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        first = " ".join(doc.split("\n\n")[0].split())
        rows.append(f"| {rank} | {shown} | {_cell(first)}{' (pure: no aiohttp)' if unit in PURE else ''} |")
    return "\n".join(rows)


SECTIONS: dict[str, Callable[[], str]] = {
    "layout": layout,
    "plugin-examples": plugin_examples,
    "plugin-api": plugin_api,
    "standalone-examples": standalone_examples,
    "tutorial-pytest": tutorial_pytest,
    "product-line-example": product_line_example,
    "control-api": control_api,
    "config-keys": config_keys,
    "cli-options": cli_options,
    "gateway-errors": gateway_errors,
    "business-errors": business_errors,
    "magic-ids": magic_ids,
    "pos-payment-codes": pos_payment_codes,
    "deviations": deviations,
    "wallets": wallets,
    "endpoints": endpoints,
}

_BLOCK = re.compile(r"<!-- generated:(?P<name>[a-z-]+) -->.*?<!-- end:(?P=name) -->", re.S)


def render(text: str) -> str:
    def replace(found: re.Match[str]) -> str:
        name = found.group("name")
        if name not in SECTIONS:
            raise SystemExit(f"unknown generated section {name!r} (known: {', '.join(SECTIONS)})")
        return f"<!-- generated:{name} -->\n{SECTIONS[name]()}\n<!-- end:{name} -->"

    return _BLOCK.sub(replace, text)


ROOT = Path(__file__).resolve().parent.parent
# Every file that may hold generated sections: the README and every page of the documentation site.
DOCUMENTS = (ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md")))


def documentation() -> str:
    """The README and every page of the documentation site, as one text (tests find examples in it)."""
    return "\n\n".join(path.read_text(encoding="utf-8") for path in DOCUMENTS)


def page(relative: str) -> str:
    """One page of the documentation site, by its path under docs/ (`reference/options.md`)."""
    return (ROOT / "docs" / relative).read_text(encoding="utf-8")


def scenario_schema() -> str:
    """The scenario format's JSON Schema, beside the bundled scenarios that name it (and in the wheel)."""
    schema = scenario_json_schema(DEFAULT_REGISTRY.allowed(DEFAULT_GATEWAY_ERRORS.keys()))
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


# Whole files generated from the code, kept current like the sections above.
def gateway_openapi() -> str:
    """The mocked endpoints as OpenAPI, to import into Postman or Prism without running mockums."""
    return json.dumps(gateway_openapi_document(__version__, DEFAULT_REGISTRY), indent=2, ensure_ascii=False) + "\n"


FILES: dict[Path, Callable[[], str]] = {
    ROOT / "scenarios" / SCHEMA_FILE: scenario_schema,
    ROOT / "docs" / "gateway-openapi.json": gateway_openapi,
}


def refresh(path: Path, text: str) -> None:
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
        print(f"{path}: generated")
    else:
        print(f"{path}: up to date")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    # `tools/readme.py README.md` (the old spelling) refreshes every document, the README among them.
    paths = [Path(arg) for arg in args if Path(arg).resolve() not in DOCUMENTS] + list(DOCUMENTS)
    for path in paths:
        refresh(path, render(path.read_text(encoding="utf-8")))
    for path, generate in FILES.items():
        refresh(path, generate())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

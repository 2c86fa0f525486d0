"""The scenario JSON Schema and the loader agree: every bundled and test scenario file goes through both.

`tests/scenarios/files/` holds valid files, invalid ones (both must refuse them) and `loader-only/` ones:
mistakes a JSON Schema cannot see (a bad regular expression, a template that does not parse, a magic id
its rule does not match, repeated names or rules, a duplicate YAML key), which the schema passes and
the loader refuses.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml
from scenario_terms import terms

from mockums.lines import DEFAULT_REGISTRY
from mockums.protocol.gateway_errors import DEFAULT_GATEWAY_ERRORS
from mockums.scenarios import load_paths, load_text
from mockums.scenarios.json_schema import SCHEMA_FILE, scenario_json_schema

ENDPOINTS = DEFAULT_REGISTRY.endpoints

REPO = Path(__file__).resolve().parents[2]
FILES = REPO / "tests" / "scenarios" / "files"
BUNDLED = sorted((REPO / "scenarios").glob("*/*.yaml"))  # one folder per product line
CORPUS = [*BUNDLED, *sorted(FILES.rglob("*.yaml"))]
SCHEMA = scenario_json_schema(terms(DEFAULT_GATEWAY_ERRORS.keys(), ENDPOINTS.keys()))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def loader_errors(path: Path) -> list[str]:
    result = load_paths([path], allowed=terms(DEFAULT_GATEWAY_ERRORS.keys(), ENDPOINTS.keys()))
    return [str(error) for error in result.errors]


def schema_errors(text: str) -> list[str]:
    return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
            for error in VALIDATOR.iter_errors(yaml.safe_load(text))]


def test_the_schema_is_a_valid_json_schema_and_the_shipped_file_is_current() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    shipped = REPO / "scenarios" / SCHEMA_FILE
    assert json.loads(shipped.read_text(encoding="utf-8")) == SCHEMA, "run `python tools/readme.py`"


def test_the_corpus_has_every_kind_of_file() -> None:
    kinds = {"bundled" if path in BUNDLED else path.parent.name for path in CORPUS}
    assert kinds == {"bundled", "valid", "invalid", "loader-only"}
    assert len([p for p in CORPUS if p.parent.name == "invalid"]) >= 40


@pytest.mark.parametrize("path", CORPUS, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_the_loader_and_the_schema_agree(path: Path) -> None:
    by_loader, by_schema = loader_errors(path), schema_errors(path.read_text(encoding="utf-8"))
    kind = "bundled" if path in BUNDLED else path.parent.name
    if kind in ("bundled", "valid"):
        assert by_loader == [] and by_schema == [], (by_loader, by_schema)
    elif kind == "invalid":
        assert by_loader and by_schema, f"loader: {by_loader}; schema: {by_schema}"
    else:
        assert by_loader and by_schema == [], f"loader: {by_loader}; schema: {by_schema}"


@pytest.mark.parametrize("path", [*BUNDLED, *sorted(FILES.rglob("*.yaml"))], ids=lambda path: path.name)
def test_every_scenario_file_names_the_schema_for_editors(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    found = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
    assert found, f"{path.name}: the first line should be `# yaml-language-server: $schema=…`"
    assert (path.parent / found.group(1)).resolve() == (REPO / "scenarios" / SCHEMA_FILE).resolve()


@pytest.mark.parametrize("page", ["reference/scenario-files.md", "how-to/script-a-failure.md"])
def test_the_documented_scenario_examples_pass_both(page: str) -> None:
    import readme as docs

    example = next(block for block in re.findall(r"```yaml\n(.*?)```", docs.page(page), re.S)
                   if block.startswith("scenarios:"))
    assert load_text(example, allowed=terms(DEFAULT_GATEWAY_ERRORS.keys(), ENDPOINTS.keys())).errors == ()
    assert schema_errors(example) == []

"""No test module imports another. What tests share lives in fixtures (a conftest.py) or in a plain helpers
module whose name does not start with `test_` (tests/http/lifecycle_helpers.py, tests/hostile/hostile_kit.py):
importing a test module runs it a second time under another name, brings its tests into the importer's
namespace, and ties one file's tests to another's."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def imports_of_test_modules(source: str, test_modules: set[str]) -> Iterator[tuple[int, str]]:
    """(line, module) for each import in `source` of one of `test_modules` (the suite's test files, by name):
    as a module or any dotted part of one, as a name imported from a package, or through
    `importlib.import_module` (or `__import__`) given the name as a literal. Libraries' modules that merely
    start with `test_` (aiohttp.test_utils) are not test modules of this suite."""

    def is_test_module(dotted: str) -> bool:
        return any(part in test_modules for part in dotted.split("."))

    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names if is_test_module(alias.name))
        elif isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            if is_test_module(module):
                yield node.lineno, module
            else:
                yield from ((node.lineno, f"{module}.{alias.name}".lstrip(".") if node.module else module + alias.name)
                            for alias in node.names if alias.name in test_modules)
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            name = node.args[0].value
            if called in ("import_module", "__import__") and isinstance(name, str) and is_test_module(name):
                yield node.lineno, name


def test_the_check_finds_each_way_of_importing_a_test_module() -> None:
    source = "\n".join([
        "import test_lifecycle",
        "from test_gateway_properties import DEEP_TEXT",
        "from tests.http.test_lifecycle import create",
        "from . import test_web_stories",
        "from tests.http import test_lifecycle_stories as stories",
        "importlib.import_module('test_one_clock')",
        "import lifecycle_helpers, conftest, pytest",
        "from lifecycle_helpers import create, pay",
        "from conftest import story",
        "from aiohttp.test_utils import TestClient",
    ])
    suite = {"test_lifecycle", "test_gateway_properties", "test_web_stories", "test_lifecycle_stories", "test_one_clock"}
    found = list(imports_of_test_modules(source, suite))
    assert found == [(1, "test_lifecycle"), (2, "test_gateway_properties"), (3, "tests.http.test_lifecycle"),
                     (4, ".test_web_stories"), (5, "tests.http.test_lifecycle_stories"), (6, "test_one_clock")]


def test_no_test_module_imports_another() -> None:
    files = sorted(TESTS.rglob("*.py"))
    test_modules = {path.stem for path in files if path.name.startswith("test_")}
    assert {"test_lifecycle", "test_gateway_properties", "test_test_imports"} <= test_modules  # the scan sees them
    # Only the files that could import one are parsed (12 of 129 here): an import names the module in words of the
    # source (a dotted name's part, an alias, a string), and a call of import_module or __import__ names itself,
    # so a source with none of these words imports no test module.
    named = re.compile(r"\b(?:" + "|".join(sorted(test_modules | {"import_module", "__import__"})) + r")\b")
    sources = {path: path.read_text(encoding="utf-8") for path in files}
    problems = [f"{path.relative_to(TESTS.parent)}:{line}: imports {module}"
                for path, source in sources.items() if named.search(source)
                for line, module in imports_of_test_modules(source, test_modules)]
    assert not problems, ("test modules import test modules; move what they share into a conftest.py fixture "
                          "or a helpers module whose name does not start with test_:\n" + "\n".join(problems))

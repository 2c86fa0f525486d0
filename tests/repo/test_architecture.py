"""The layout shows the architecture: imports point one way, from the shell down to the protocol facts (relative
imports read like absolute ones); no unit's modules import each other in a circle; the pure core imports nothing
from aiohttp; no module grows past about 400 lines."""

from __future__ import annotations

import ast
import functools
import subprocess
import sys
from collections.abc import Collection, Mapping
from pathlib import Path

import layers
import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "mockums"
MAX_LINES = 400

PURE = tuple(f"mockums.{unit}" for unit in layers.PURE)
RANKS = layers.RANKS


def modules() -> list[Path]:
    return sorted(path for path in PACKAGE.rglob("*.py") if "_bundled" not in path.parts)


def unit(path: Path) -> str:
    """The top-level unit a module belongs to: `auth` for mockums/auth/header.py, `cli` for mockums/cli.py."""
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def module_name(path: Path) -> str:
    """The dotted name of a module: `mockums.auth.header` for mockums/auth/header.py, `mockums.auth` for its
    __init__.py."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in modules()}


def _base(path: Path, node: ast.ImportFrom) -> str:
    """The module a `from … import` names, a relative one resolved against the importing module's package."""
    if not node.level:
        return node.module or ""
    package = module_name(path).split(".")[: None if path.name == "__init__.py" else -1]
    anchor = package[: len(package) - node.level + 1]
    return ".".join([*anchor, node.module] if node.module else anchor)


@functools.cache  # the cycle tests and the layer tests read every module: each is parsed once
def imports(path: Path) -> frozenset[tuple[str, str]]:
    """What a module imports from mockums, anywhere in it (under TYPE_CHECKING and inside functions too), as
    (module, name) pairs: `from a.b import c` is the module a.b.c when there is one (name ""), else (a.b, c)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = _base(path, node)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.add((submodule, "") if submodule in MODULES else (base, alias.name))
        elif isinstance(node, ast.Import):
            found.update((alias.name, "") for alias in node.names)
    return frozenset((module, name) for module, name in found if module.split(".")[0] == "mockums")


def imported_units(path: Path) -> set[str]:
    found = set()
    for module, name in imports(path):
        parts = module.split(".")
        if len(parts) == 1:  # `from mockums import __version__` is the only top-level import allowed
            assert name == "__version__", path
            continue
        found.add(parts[1])
    return found


def import_cycles(edges: Mapping[str, Collection[str]]) -> list[list[str]]:
    """The cycles of an import graph: each strongly connected group of more than one module, or a module that
    imports itself, sorted (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(name: str) -> None:
        index[name] = low[name] = len(index)
        stack.append(name)
        for target in edges.get(name, ()):
            if target not in index:
                visit(target)
                low[name] = min(low[name], low[target])
            elif target in stack:
                low[name] = min(low[name], index[target])
        if low[name] == index[name]:
            group = [stack.pop()]
            while group[-1] != name:
                group.append(stack.pop())
            if len(group) > 1 or name in edges.get(name, ()):
                groups.append(sorted(group))

    for name in sorted(edges):
        if name not in index:
            visit(name)
    return sorted(groups)


def unit_imports(unit_name: str) -> dict[str, set[str]]:
    """The import graph among one unit's modules, TYPE_CHECKING-guarded imports included (they tie too)."""
    own = {name for name in MODULES if name.split(".")[1:2] == [unit_name]}
    return {name: {target for target, _ in imports(MODULES[name]) if target in own} for name in own}


def test_relative_imports_are_read_like_absolute_ones() -> None:
    scenarios = PACKAGE / "scenarios"
    assert ("mockums.scenarios.walker", "LoadError") in imports(scenarios / "discovery.py")  # from .walker import …
    assert ("mockums.scenarios.loader", "load_text") in imports(scenarios / "__init__.py")  # in the package itself
    assert "scenarios" in imported_units(scenarios / "discovery.py")


def test_import_cycles_are_found() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"d"}, "e": {"a"}, "f": set()}
    assert import_cycles(graph) == [["a", "b", "c"], ["d"]]


@pytest.mark.parametrize("unit_name", sorted({name.split(".")[1] for name in MODULES if "." in name}))
def test_no_module_takes_part_in_an_import_cycle_within_its_unit(unit_name: str) -> None:
    cycles = import_cycles(unit_imports(unit_name))
    assert cycles == [], f"modules of {unit_name} import each other round in a circle: {cycles}"


@pytest.mark.parametrize("path", [p for p in modules() if unit(p) in RANKS], ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down(path: Path) -> None:
    own = unit(path)
    upward = sorted(other for other in imported_units(path)
                    if other not in (own, "__main__") and RANKS.get(other, 99) >= RANKS[own])
    assert not upward, f"{path.relative_to(PACKAGE)} ({own}, rank {RANKS[own]}) imports {upward}: imports point down"


def test_every_unit_has_a_rank() -> None:
    units = {unit(path) for path in modules()} - {"__init__", "__main__", "py"}
    assert units <= set(RANKS), f"give these a rank in the layer table: {sorted(units - set(RANKS))}"


def test_the_pure_core_imports_nothing_from_aiohttp() -> None:
    code = (f"import sys\nfor name in {PURE!r}: __import__(name)\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('aiohttp', 'yarl', 'multidict')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert result.stdout.strip() == "[]", result.stdout


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_stay_small(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(PACKAGE)} has {lines} lines; split it by job"

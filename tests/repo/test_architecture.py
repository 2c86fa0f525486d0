"""The layout shows the architecture: imports point one way, from the shell down to the protocol facts;
the pure core imports nothing from aiohttp; no module grows past about 400 lines."""

from __future__ import annotations

import ast
import subprocess
import sys
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


def imported_units(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            parts = node.module.split(".")
            if parts[0] != "mockums":
                continue
            if len(parts) == 1:  # `from mockums import __version__` is the only top-level import allowed
                assert [alias.name for alias in node.names] == ["__version__"], path
                continue
            found.add(parts[1])
        elif isinstance(node, ast.Import):
            found.update(alias.name.split(".")[1] for alias in node.names
                         if alias.name.startswith("mockums.") and "." in alias.name)
    return found


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

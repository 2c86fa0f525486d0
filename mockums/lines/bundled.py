"""Where the bundled scenarios are: inside the wheel when installed, at the repository top otherwise, one
folder per product line."""

from __future__ import annotations

from pathlib import Path


def bundled_scenario_dir() -> Path:
    """The folder of every line's bundled scenarios (`scenario.schema.json` sits at its top)."""
    package = Path(__file__).resolve().parents[1]
    packaged = package / "_bundled_scenarios"
    return packaged if packaged.is_dir() else package.parent / "scenarios"


def bundled(line: str) -> Path:
    """The folder of one line's bundled scenarios."""
    return bundled_scenario_dir() / line

"""Where scenarios come from at start: the bundled set and the folders the settings name."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from mockums.config import Settings
from mockums.protocol.endpoints import ENDPOINTS
from mockums.protocol.gateway_errors import gateway_error_table
from mockums.scenarios import LoadError, Scenario, load_paths


def bundled_scenario_dir() -> Path:
    """The bundled scenarios: inside the wheel when installed, at the repository top otherwise."""
    package = Path(__file__).resolve().parents[1]
    packaged = package / "_bundled_scenarios"
    return packaged if packaged.is_dir() else package.parent / "scenarios"


def scenario_sources(settings: Settings) -> tuple[Path, ...]:
    """The bundled folder (unless switched off) and the user's scenario paths, in load order."""
    bundled = (bundled_scenario_dir(),) if settings.bundled_scenarios else ()
    return (*bundled, *settings.scenario_paths)


def load_scenarios(settings: Settings) -> tuple[tuple[Scenario, ...], tuple[LoadError, ...]]:
    """Every scenario the settings name, and every error found (path:line: reason)."""
    table = gateway_error_table(settings.gateway_errors)
    result = load_paths(scenario_sources(settings), gateway_errors=table.keys(), endpoints=ENDPOINTS.keys())
    return result.scenarios, result.errors


class ScenarioFilesError(ValueError):
    """Scenario files that do not validate; every error is listed, as path:line: reason."""

    def __init__(self, errors: Sequence[LoadError]) -> None:
        super().__init__("scenario files do not validate:\n" + "\n".join(f"  {error}" for error in errors))
        self.errors = tuple(errors)

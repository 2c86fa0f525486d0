"""Where scenarios come from at start: the bundled set and the folders the settings name."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from mockums.config import Settings
from mockums.lines import DEFAULT_REGISTRY, Registry
from mockums.protocol.gateway_errors import gateway_error_table
from mockums.scenarios import Allowed, LoadError, Scenario, load_paths


def scenario_sources(settings: Settings, lines: Registry = DEFAULT_REGISTRY) -> tuple[Path, ...]:
    """The lines' bundled folders (unless switched off) and the user's scenario paths, in load order."""
    bundled = lines.scenario_folders if settings.bundled_scenarios else ()
    return (*bundled, *settings.scenario_paths)


def allowed_names(settings: Settings, lines: Registry = DEFAULT_REGISTRY) -> Allowed:
    """What scenario files may name under these settings (their gateway error table) and lines."""
    return lines.allowed(gateway_error_table(settings.gateway_errors).keys())


def load_scenarios(settings: Settings, lines: Registry = DEFAULT_REGISTRY) -> tuple[tuple[Scenario, ...],
                                                                                   tuple[LoadError, ...]]:
    """Every scenario the settings name, and every error found (path:line: reason)."""
    result = load_paths(scenario_sources(settings, lines), allowed=allowed_names(settings, lines))
    return result.scenarios, result.errors


class ScenarioFilesError(ValueError):
    """Scenario files that do not validate; every error is listed, as path:line: reason."""

    def __init__(self, errors: Sequence[LoadError]) -> None:
        super().__init__("scenario files do not validate:\n" + "\n".join(f"  {error}" for error in errors))
        self.errors = tuple(errors)

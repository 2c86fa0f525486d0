"""The scenario half of the core facade: add, replace, remove and reload scenarios, and watch their files.

A mixin of `Sandbox` (the one door); it works on the sandbox's scenario set and sequence counters.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mockums.core import views
from mockums.errors import Invalid, NotFound
from mockums.scenarios import LoadError, SequenceTracker
from mockums.scenarios.active import ScenarioSet


def _errors(errors: Sequence[LoadError]) -> list[str]:
    return [str(error) for error in errors]


class ScenarioControl:
    """Scenario operations of the facade."""

    _scenarios: ScenarioSet
    _sequences: SequenceTracker

    def add_scenarios(self, data: object) -> list[dict[str, Any]]:
        """Add scenarios (YAML text, a mapping with `scenarios:`, or one scenario); Invalid lists errors."""
        added, errors = self._scenarios.add(data)
        if errors:
            raise Invalid("the scenarios do not validate; nothing was added", errors=_errors(errors))
        return [views.scenario_view(s, "runtime") for s in added]

    def replace_scenario(self, name: str, data: object) -> dict[str, Any]:
        """Replace (or add) the scenario called `name`; its sequences start again."""
        replacement, errors = self._scenarios.replace(name, data)
        if replacement is None:
            raise Invalid("the scenario does not validate; the previous one is kept", errors=_errors(errors))
        self._sequences.reset_scenario(name)
        return views.scenario_view(replacement, "runtime")

    def remove_scenario(self, name: str) -> dict[str, Any]:
        """Remove a scenario (a file's comes back at the next reload); NotFound if there is none."""
        if not self._scenarios.remove(name):
            raise NotFound(f"no scenario named {name}")
        self._sequences.reset_scenario(name)
        return {"removed": name}

    def reload_scenarios(self) -> dict[str, Any]:
        """Read the scenario files again; when they do not validate the previous set is kept (Invalid)."""
        status = self._scenarios.reload()
        body = {"ok": status.ok, "at": status.at, "errors": list(status.errors), "loaded": status.loaded}
        if not status.ok:
            raise Invalid("the files do not validate; the previous set is kept", **body)
        return body

    def reload_status(self) -> dict[str, Any]:
        """The last reload from disk: ok, errors, time (all empty when none happened)."""
        status = self._scenarios.last_reload
        if status is None:
            return {"ok": True, "at": None, "errors": [], "loaded": None}
        return {"ok": status.ok, "at": status.at, "errors": list(status.errors), "loaded": status.loaded}

    def scenario_files_state(self) -> object:
        """A fingerprint of the scenario files on disk (compare two to see a change)."""
        return self._scenarios.fingerprint()

    def scenario_files_changed(self) -> bool:
        """Whether the scenario files on disk differ from when they were last read."""
        return self._scenarios.fingerprint() != self._scenarios.seen

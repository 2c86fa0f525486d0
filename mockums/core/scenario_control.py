"""The scenario half of the core facade: add, replace, remove and reload scenarios, and watch their files.

A mixin of `Sandbox` (the one door); it works on the sandbox's scenario set and sequence counters.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from mockums.config import Settings
from mockums.core import views
from mockums.errors import Invalid, NotFound, OverCap
from mockums.scenarios import LoadError, SequenceTracker
from mockums.scenarios.active import ScenarioSet
from mockums.scenarios.walker import Composed


def _errors(errors: Sequence[LoadError]) -> list[str]:
    return [str(error) for error in errors]


def upload_size(data: object) -> int:
    """About how many bytes an upload given in-process took (the control API passes the body's own size)."""
    if isinstance(data, str):
        return len(data.encode("utf-8", "surrogatepass"))
    if isinstance(data, Composed):
        return data.root.end_mark.index if data.root is not None else 0
    return len(json.dumps(data, default=str, ensure_ascii=False).encode("utf-8", "surrogatepass"))


def upload_problem(size: int, settings: Settings) -> str | None:
    """Why one scenario upload of `size` bytes is refused (over `max_scenario_upload_bytes`), or None."""
    cap = settings.max_scenario_upload_bytes
    if size <= cap:
        return None
    return (f"a scenario upload is at most {cap} bytes, this one is {size}; send fewer scenarios at a time, or raise "
            f"the cap: max_scenario_upload_bytes in the config file (--max-scenario-upload-bytes, "
            f"MOCKUMS_MAX_SCENARIO_UPLOAD_BYTES)")


class ScenarioControl:
    """Scenario operations of the facade."""

    settings: Settings
    _scenarios: ScenarioSet
    _sequences: SequenceTracker

    def _check_size(self, data: object, size: int | None, replacing: str | None = None) -> int:
        """The upload's size, when it fits both caps; OverCap saying which cap and how to raise it."""
        size = upload_size(data) if size is None else size
        problem = upload_problem(size, self.settings)
        if problem is not None:
            raise OverCap(problem)
        taken = self._scenarios.room(size, replacing)
        if taken is not None:
            cap = self.settings.max_runtime_scenario_bytes
            raise OverCap(f"runtime scenarios may take {cap} bytes in all; {taken} are taken and this upload is "
                          f"{size}; remove some, or reset, or raise the cap: max_runtime_scenario_bytes in the config "
                          "file (--max-runtime-scenario-bytes, MOCKUMS_MAX_RUNTIME_SCENARIO_BYTES)")
        return size

    def add_scenarios(self, data: object, size: int | None = None) -> list[dict[str, Any]]:
        """Add scenarios (YAML text, a mapping with `scenarios:`, or one scenario) uploaded in `size` bytes
        (measured when not given); Invalid lists errors, OverCap names the cap an upload is over."""
        added, errors = self._scenarios.add(data, size=self._check_size(data, size))
        if errors:
            raise Invalid("the scenarios do not validate; nothing was added", errors=_errors(errors))
        return [views.scenario_view(s, "runtime") for s in added]

    def replace_scenario(self, name: str, data: object, size: int | None = None) -> dict[str, Any]:
        """Replace (or add) the scenario called `name`; its sequences start again."""
        replacement, errors = self._scenarios.replace(name, data, size=self._check_size(data, size, name))
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

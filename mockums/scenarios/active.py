"""The scenarios in force: those loaded from disk plus those added at runtime (control API, pytest).

Every change is validated first and applied whole, or not at all: a reload or an addition that does
not validate keeps the previous set running, and says why.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from mockums.state.cell import Cell, MemoryCell

from .allowed import Allowed
from .discovery import Fingerprint, fingerprint
from .loader import LoadResult, load_mapping, load_paths, load_text
from .matching import ScenarioRegistry
from .model import Scenario
from .walker import Composed, LoadError

log = logging.getLogger("mockums.scenarios")
MAX_RUNTIME_SCENARIOS = 1000  # added through the control API; each upload is also capped by max_body_bytes


@dataclass(frozen=True)
class ReloadStatus:
    """The outcome of the last reload from disk: when, whether it applied, and why not."""

    ok: bool
    at: float
    errors: tuple[str, ...] = ()
    loaded: int = 0


class ScenarioChanges(NamedTuple):
    """What runtime calls changed over the files: scenarios added (each replacing any of its name), the
    names removed, and the bytes each added scenario was uploaded in (an upload's size shared among its
    scenarios). Kept in a cell, so every process of one sandbox answers with the same set."""

    added: tuple[Scenario, ...] = ()
    removed: frozenset[str] = frozenset()
    sizes: tuple[tuple[str, int], ...] = ()

    @property
    def size(self) -> int:
        """The bytes the scenarios added at runtime were uploaded in."""
        return sum(size for _, size in self.sizes)

    def sized(self, added: tuple[Scenario, ...], removed: frozenset[str], new: dict[str, int]) -> ScenarioChanges:
        """These changes with `added` and `removed`, the sizes of those still added kept, `new` ones added."""
        names = {scenario.name for scenario in added}
        sizes = {name: size for name, size in self.sizes if name in names and name not in new}
        return ScenarioChanges(added, removed, tuple({**sizes, **new}.items()))


NO_CHANGES = ScenarioChanges()


@dataclass
class ScenarioSet:
    """The scenarios from `sources` plus runtime changes; `registry` is what requests are matched against."""

    sources: tuple[Path, ...]
    allowed: Allowed
    clock: Callable[[], float]
    from_files: tuple[Scenario, ...] = ()  # the set last read from disk (a reset keeps it)
    changes: Cell[ScenarioChanges] = field(default_factory=lambda: MemoryCell(NO_CHANGES))
    last_reload: ReloadStatus | None = None
    max_bytes: int | None = None  # the bytes runtime scenarios may be uploaded in, all together (None: any)
    # The files as they were when last read: the watcher compares against this, so an edit made
    # between loading and the watcher's first look is not missed.
    seen: Fingerprint = ()
    # The registry in force, and the files and changes it was built from.
    _registry: ScenarioRegistry = field(default_factory=lambda: ScenarioRegistry(()))
    _built_from: tuple[object, object] = (None, None)

    def __post_init__(self) -> None:
        self.seen = self.fingerprint()

    @property
    def registry(self) -> ScenarioRegistry:
        """The scenarios in force, ready to match (built again only when the files or the changes change)."""
        changes = self.changes.get()
        if self._built_from != (self.from_files, changes):
            self._registry = ScenarioRegistry(self._in_force(changes))
            self._built_from = (self.from_files, changes)
        return self._registry

    def _in_force(self, changes: ScenarioChanges) -> tuple[Scenario, ...]:
        replaced = changes.removed | {scenario.name for scenario in changes.added}
        return (*(s for s in self.from_files if s.name not in replaced), *changes.added)

    @property
    def all(self) -> tuple[Scenario, ...]:
        return self._in_force(self.changes.get())

    @property
    def runtime(self) -> tuple[Scenario, ...]:
        """The scenarios added at runtime."""
        return self.changes.get().added

    def origin(self, scenario: Scenario) -> str:
        return "runtime" if scenario in self.changes.get().added else "file"

    # -- disk ----------------------------------------------------------------------------------

    def load_files(self) -> LoadResult:
        return load_paths(self.sources, allowed=self.allowed)

    def reload(self) -> ReloadStatus:
        self.seen = self.fingerprint()  # before reading: an edit during the load triggers another
        result = self.load_files()
        if result.errors:
            self.last_reload = ReloadStatus(False, self.clock(), tuple(map(str, result.errors)), len(self.from_files))
            return self.last_reload
        self.from_files = result.scenarios
        # A runtime scenario that now clashes with a file one would make matching ambiguous: drop it. A file's
        # scenario removed at runtime comes back.
        names = {scenario.name for scenario in self.from_files}
        rules = {key for scenario in self.from_files for key in scenario.match.keys}
        before = self.runtime
        changes = self.changes.update(lambda old: old.sized(tuple(
            s for s in old.added if s.name not in names and not rules.intersection(s.match.keys)), frozenset(), {}))
        for dropped in (s for s in before if s not in changes.added):
            log.warning("runtime scenario %s dropped: the reloaded files now define its name or its rule", dropped.name)
        self.last_reload = ReloadStatus(True, self.clock(), (), len(self.from_files))
        return self.last_reload

    def fingerprint(self) -> Fingerprint:
        """(path, mtime, size) of every file a reload reads: cheap to compute, changes on any edit.

        Only those files: touching one the loader ignores (hidden, under .git/, another suffix)
        must not reload, since a reload undoes the removals and replacements made at runtime.
        """
        return fingerprint(self.sources)

    # -- runtime -------------------------------------------------------------------------------

    def _load(self, data: object, source: str, existing: Sequence[Scenario]) -> LoadResult:
        if isinstance(data, (str, Composed)):
            return load_text(data, source, allowed=self.allowed, existing=existing)
        return load_mapping(data, source, allowed=self.allowed, existing=existing)

    def add(self, data: object, source: str = "<control API>",
            size: int = 0) -> tuple[tuple[Scenario, ...], tuple[LoadError, ...]]:
        """Add scenarios (YAML text, or a mapping with `scenarios:`, or one scenario mapping), uploaded in
        `size` bytes."""
        if isinstance(data, dict) and "scenarios" not in data:
            data = {"scenarios": [data]}
        result = self._load(data, source, self.all)
        if result.errors:
            return (), result.errors
        if not result.scenarios:
            return (), (LoadError(source, 0, "no scenario given"),)
        if len(self.runtime) + len(result.scenarios) > MAX_RUNTIME_SCENARIOS:
            message = (f"at most {MAX_RUNTIME_SCENARIOS} scenarios may be added at runtime "
                       f"({len(self.runtime)} are); remove some, or reset")
            return (), (LoadError(source, 0, message),)
        shares = _shares(result.scenarios, size)
        self.changes.update(lambda old: old.sized((*old.added, *result.scenarios), old.removed, shares))
        return result.scenarios, ()

    def room(self, size: int, replacing: str | None = None) -> int | None:
        """None when `size` more bytes of runtime scenarios fit (replacing the one named `replacing`), else the
        bytes already taken."""
        if self.max_bytes is None:
            return None
        changes = self.changes.get()
        taken = changes.size - sum(taken for name, taken in changes.sizes if name == replacing)
        return taken if taken + size > self.max_bytes else None

    def replace(
        self, name: str, data: object, source: str = "<control API>", size: int = 0
    ) -> tuple[Scenario | None, tuple[LoadError, ...]]:
        """Replace the scenario called `name` (or add it) with one scenario mapping or YAML text (`size` bytes)."""
        if isinstance(data, dict) and "scenarios" not in data:
            data = {"scenarios": [{"name": name, **data}]}
        others = [s for s in self.all if s.name != name]
        result = self._load(data, source, others)
        if result.errors:
            return None, result.errors
        if len(result.scenarios) != 1 or result.scenarios[0].name != name:
            return None, (LoadError(source, 0, f"give exactly one scenario, named {name}"),)
        replacement = result.scenarios[0]
        self.changes.update(lambda old: old.sized(
            (*(s for s in old.added if s.name != name), replacement), old.removed | {name}, {name: size}))
        return replacement, ()

    def remove(self, name: str) -> bool:
        """Remove a scenario; one from a file comes back at the next reload."""
        before = len(self.all)
        self.changes.update(lambda old: old.sized(tuple(s for s in old.added if s.name != name),
                                                  old.removed | {name}, {}))
        return len(self.all) < before

    def reset(self) -> None:
        """Back to what was last read from disk: runtime additions and removals are undone."""
        self.changes.update(lambda _: NO_CHANGES)


def _shares(scenarios: tuple[Scenario, ...], size: int) -> dict[str, int]:
    """An upload's bytes shared among the scenarios it added (rounded up, so the shares cover it)."""
    share = -(-size // len(scenarios)) if scenarios else 0
    return {scenario.name: share for scenario in scenarios}

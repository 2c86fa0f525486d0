"""Load scenarios from files, folders, YAML text or parsed data, every problem reported as path:line.

The entry points, and the checks that span files (unique names, distinguishable rules). Which files
are read is `discovery`'s job, what a scenario looks like is `schema`'s, and reading YAML nodes with
their lines is `walker`'s.
"""

from __future__ import annotations

import codecs
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .allowed import Allowed
from .composing import collector_paused
from .discovery import scenario_files
from .model import Scenario
from .schema import ScenarioDocument
from .walker import Composed, LoadError, node_of


@dataclass(frozen=True)
class LoadResult:
    """The valid scenarios in load order, every error found, and the files that were read."""

    scenarios: tuple[Scenario, ...]
    errors: tuple[LoadError, ...]
    files: tuple[Path, ...]

    @property
    def ok(self) -> bool:
        """True when nothing was wrong."""
        return not self.errors


def _decode(raw: bytes) -> tuple[str | None, str, int]:
    """The text, or None with a message and line saying where the bytes stop being UTF-8."""
    body = raw[len(codecs.BOM_UTF8) :] if raw.startswith(codecs.BOM_UTF8) else raw
    try:
        return body.decode("utf-8"), "", 0
    except UnicodeDecodeError as problem:
        line = body.count(b"\n", 0, problem.start) + 1
        byte = body[problem.start]
        return None, f"file is not UTF-8 text (byte 0x{byte:02x} at offset {problem.start})", line


def _combine(
    documents: Sequence[ScenarioDocument],
    early_errors: Sequence[LoadError],
    files: Sequence[Path],
    existing: Sequence[Scenario],
) -> LoadResult:
    """Checks across files: unique names, and no two rules that cannot be told apart."""
    first_by_name = {scenario.name: f"{scenario.source}" for scenario in existing}
    winners: set[tuple[int, int]] = set()
    for document_index, document in enumerate(documents):
        for name_index, (name, source, where) in enumerate(document.names):
            if name not in first_by_name:
                first_by_name[name] = f"{source} ({where})" if source.line == 0 else str(source)
                winners.add((document_index, name_index))
                continue
            message = f"{where}: duplicate scenario name '{name}'; also defined at {first_by_name[name]}"
            document.errors.append(LoadError(source.path, source.line, message))
    by_rule = {key: scenario for scenario in existing for key in scenario.match.keys}
    kept: list[Scenario] = []
    for document_index, document in enumerate(documents):
        for name_index, scenario in document.scenarios:
            if (document_index, name_index) not in winners:
                continue
            earlier = next((by_rule[key] for key in scenario.match.keys if key in by_rule), scenario)
            if earlier is scenario:
                by_rule.update(dict.fromkeys(scenario.match.keys, scenario))
                kept.append(scenario)
                continue
            where = document.names[name_index][2]
            message = (
                f"{where}: scenario '{scenario.name}' has the same match rule as "
                f"'{earlier.name}' ({earlier.source}), so it could never be chosen"
            )
            document.errors.append(LoadError(scenario.source.path, scenario.source.line, message))
    errors = list(early_errors)
    for document in documents:
        errors.extend(sorted(document.errors, key=lambda error: error.line))
    return LoadResult(scenarios=tuple(kept), errors=tuple(errors), files=tuple(files))


def load_paths(
    paths: Sequence[Path],
    *,
    allowed: Allowed,
    existing: Sequence[Scenario] = (),
) -> LoadResult:
    """Load files and folders (every scenario file inside, as `discovery` finds them).

    `allowed` says what the files may name. Scenarios in `existing` take part in the duplicate-name and
    same-rule checks but are not returned.
    """
    with collector_paused():
        return _load_files(paths, allowed, existing)


def _load_files(paths: Sequence[Path], allowed: Allowed, existing: Sequence[Scenario]) -> LoadResult:
    files, early_errors = scenario_files(paths)
    documents: list[ScenarioDocument] = []
    for file in files:
        document = ScenarioDocument(str(file), allowed)
        documents.append(document)
        try:
            raw = file.read_bytes()
        except OSError as problem:
            document.errors.append(LoadError(str(file), 0, f"cannot read file: {problem.strerror}"))
            continue
        text, message, line = _decode(raw)
        if text is None:
            document.errors.append(LoadError(str(file), line, message))
        else:
            document.load_text(text)
    return _combine(documents, early_errors, files, existing)


def load_text(
    text: str | Composed,
    path: str = "<text>",
    *,
    allowed: Allowed,
    existing: Sequence[Scenario] = (),
) -> LoadResult:
    """Load scenarios from YAML text (or text `compose_yaml` composed); `path` only labels errors and sources."""
    with collector_paused():
        document = ScenarioDocument(path, allowed)
        document.load_text(text)
        return _combine([document], [], [], existing)


def load_mapping(
    data: object,
    source: str = "<mapping>",
    *,
    allowed: Allowed,
    existing: Sequence[Scenario] = (),
) -> LoadResult:
    """Load already-parsed data shaped like a file (`{"scenarios": [...]}`), e.g. from JSON.

    There are no lines here, so errors carry line 0 and name the place by key path instead.
    """
    with collector_paused():
        document = ScenarioDocument(source, allowed)
        try:
            root = node_of(data)
        except RecursionError:
            document.errors.append(LoadError(source, 0, "nested too deeply"))
        else:
            document.load_root(root)
        return _combine([document], [], [], existing)

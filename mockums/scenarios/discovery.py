"""Which files are scenario files: the one rule both the loader and the reload watcher follow.

A folder holds every `*.yaml` / `*.yml` file inside it, recursively, in sorted order; hidden files
and folders (VCS folders, editor lock files and the like) are skipped, and symlinked folders are not
followed, so a symlink loop cannot hang the walk. A file named directly must have a YAML suffix.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from .walker import LoadError

YAML_SUFFIXES = (".yaml", ".yml")

Fingerprint = tuple[tuple[str, int, int], ...]
"""(path, mtime in ns, size) of every scenario file, in load order."""


def _is_candidate(name: str) -> bool:
    return name.endswith(YAML_SUFFIXES) and not name.startswith(".")


def yaml_files(folder: Path) -> list[Path]:
    """Every scenario file inside `folder`, recursively, sorted."""
    found: list[Path] = []
    for root, folders, names in os.walk(folder):
        # Hidden entries are VCS folders, editor lock files and the like, never scenarios.
        folders[:] = [name for name in folders if not name.startswith(".")]
        found.extend(Path(root) / name for name in names if _is_candidate(name))
    return sorted(found)


def scenario_files(paths: Iterable[Path]) -> tuple[list[Path], list[LoadError]]:
    """The files to load from `paths` (files and folders), each once, and the paths that are not usable."""
    files: list[Path] = []
    errors: list[LoadError] = []
    seen: set[str] = set()
    for path in paths:
        if os.path.isdir(path):  # os.path, unlike Path.is_dir on 3.10/3.11, never raises
            candidates = yaml_files(path)
        elif os.path.isfile(path):
            if not path.name.endswith(YAML_SUFFIXES):
                errors.append(LoadError(str(path), 0, "not a scenario file: the name must end in .yaml or .yml"))
                continue
            candidates = [path]
        else:
            errors.append(LoadError(str(path), 0, "no such file or folder (or not readable)"))
            continue
        for candidate in candidates:
            resolved = os.path.realpath(candidate)  # unlike Path.resolve, survives symlink loops
            if resolved not in seen:  # a file named directly and inside a named folder loads once
                seen.add(resolved)
                files.append(candidate)
    return files, errors


def fingerprint(sources: Iterable[Path]) -> Fingerprint:
    """(path, mtime, size) of exactly the files a load of `sources` reads: cheap, and changes on any edit.

    Files the loader ignores (hidden ones, anything under `.git/`, other suffixes) never change it,
    so touching them does not trigger a reload.
    """
    files, _ = scenario_files(sources)
    found: list[tuple[str, int, int]] = []
    for path in files:
        try:
            stat = os.stat(path)
        except OSError:  # removed since the walk: the next look sees it gone
            continue
        found.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(found)

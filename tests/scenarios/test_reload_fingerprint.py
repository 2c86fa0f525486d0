"""The reload watcher looks at exactly the files the loader reads, so touching anything else (a hidden
file, a file under .git/, another suffix) never reloads, and never brings back a scenario removed
or replaced at runtime."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from scenario_terms import terms

from mockums.scenarios import load_paths
from mockums.scenarios.active import ScenarioSet
from mockums.scenarios.discovery import fingerprint

SCENARIO = """\
scenarios:
  - name: {name}
    match: {{merOrderIdPrefix: {prefix}}}
    respond:
      fields: {{errCode: TARGET_FAIL}}
"""

IGNORED = [
    ".hidden.yaml",
    ".hidden.yml",
    ".git/x.yml",
    ".git/refs/y.yaml",
    ".drafts/z.yaml",
    "notes.yxml",
    "a.yamlml",
    "b.yaml.bak",
    "notes.txt",
]


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    stamp = path.stat().st_mtime_ns + 1_000_000_000  # a distinct mtime even on coarse filesystems
    os.utime(path, ns=(stamp, stamp))


def scenario_set(folder: Path) -> ScenarioSet:
    result = load_paths([folder], allowed=terms((), ()))
    assert result.ok, [str(error) for error in result.errors]
    return ScenarioSet((folder,), terms((), ()), lambda: 0.0, from_files=result.scenarios)


def watcher_look(scenarios: ScenarioSet) -> bool:
    """What the watcher in mockums.server.background does on each poll: reload when the files changed."""
    if scenarios.fingerprint() == scenarios.seen:
        return False
    scenarios.reload()
    return True


@pytest.mark.parametrize("ignored", IGNORED)
def test_files_the_loader_ignores_do_not_change_the_fingerprint(tmp_path: Path, ignored: str) -> None:
    write(tmp_path / "real.yaml", SCENARIO.format(name="real", prefix="REAL"))
    scenarios = scenario_set(tmp_path)
    write(tmp_path / ignored, SCENARIO.format(name="ignored", prefix="IGN"))  # created
    assert scenarios.fingerprint() == scenarios.seen
    write(tmp_path / ignored, SCENARIO.format(name="ignored", prefix="IGNORED"))  # edited
    assert scenarios.fingerprint() == scenarios.seen
    assert scenarios.load_files().scenarios == scenarios.all  # and the loader does not read it either


def test_a_real_scenario_file_changing_changes_the_fingerprint(tmp_path: Path) -> None:
    write(tmp_path / "real.yaml", SCENARIO.format(name="real", prefix="REAL"))
    scenarios = scenario_set(tmp_path)
    write(tmp_path / "real.yaml", SCENARIO.format(name="real", prefix="REALLY"))
    edited = scenarios.fingerprint()
    assert edited != scenarios.seen
    write(tmp_path / "sub" / "added.yml", SCENARIO.format(name="added", prefix="ADD"))
    assert scenarios.fingerprint() != edited
    (tmp_path / "sub" / "added.yml").unlink()
    assert scenarios.fingerprint() == edited


def test_the_fingerprint_covers_exactly_the_files_a_load_reads(tmp_path: Path) -> None:
    write(tmp_path / "b.yaml", SCENARIO.format(name="b", prefix="B"))
    write(tmp_path / "a" / "c.yml", SCENARIO.format(name="c", prefix="C"))
    for ignored in IGNORED:
        write(tmp_path / ignored, "scenarios: []\n")
    named = tmp_path / "a" / "c.yml"  # also named directly: read once, fingerprinted once
    loaded = load_paths([tmp_path, named], allowed=terms((), ())).files
    assert [path for path, _, _ in fingerprint([tmp_path, named])] == [str(path) for path in loaded]
    assert [Path(path).name for path, _, _ in fingerprint([tmp_path])] == ["c.yml", "b.yaml"]


def test_a_symlink_loop_does_not_hang_the_fingerprint(tmp_path: Path) -> None:
    write(tmp_path / "real.yaml", SCENARIO.format(name="real", prefix="REAL"))
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)
    assert [Path(path).name for path, _, _ in fingerprint([tmp_path])] == ["real.yaml"]


def test_touching_an_ignored_file_does_not_bring_back_a_removed_scenario(tmp_path: Path) -> None:
    write(tmp_path / "kept.yaml", SCENARIO.format(name="kept", prefix="KEPT"))
    write(tmp_path / "gone.yaml", SCENARIO.format(name="gone", prefix="GONE"))
    scenarios = scenario_set(tmp_path)
    assert scenarios.remove("gone")
    replaced, errors = scenarios.replace("kept", {"match": {"merOrderIdPrefix": "NEW"}, "respond": {"delay": 0}})
    assert replaced is not None, errors

    for ignored in (".git/x.yml", ".x.yaml", "notes.yxml"):
        write(tmp_path / ignored, SCENARIO.format(name="noise", prefix="NOISE"))
        assert not watcher_look(scenarios)
    assert [(s.name, s.match.value, scenarios.origin(s)) for s in scenarios.all] == [("kept", "NEW", "runtime")]
    assert scenarios.last_reload is None

    write(tmp_path / "gone.yaml", SCENARIO.format(name="gone", prefix="GONE"))  # a real edit does reload
    assert watcher_look(scenarios)
    assert sorted(s.name for s in scenarios.all) == ["gone", "kept"]

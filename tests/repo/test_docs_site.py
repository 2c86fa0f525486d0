"""The documentation site builds with `mkdocs build --strict` (a broken link, anchor or page fails it), offline,
and every page in docs/ is in its navigation, split as Diátaxis does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
PARTS = ("Tutorial", "How-to guides", "Reference", "Background")


def nav_pages(items: list[object]) -> list[str]:
    found: list[str] = []
    for item in items:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        found += nav_pages(value) if isinstance(value, list) else [str(value)]
    return found


def test_the_site_builds_strictly_and_offline(tmp_path: Path) -> None:
    dead = "http://127.0.0.1:9"  # nothing listens there: a build that fetched anything would fail
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "HTTP_PROXY": dead, "HTTPS_PROXY": dead, "http_proxy": dead,
           "https_proxy": dead, "NO_PROXY": "", "no_proxy": ""}
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
                            cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    built = tmp_path / "site"
    assert (built / "tutorial" / "curl" / "index.html").is_file()
    assert "WAIT_BUYER_PAY" in (built / "tutorial" / "curl" / "index.html").read_text(encoding="utf-8")
    assert (built / "search" / "search_index.json").is_file()


def test_every_page_is_in_the_navigation_by_its_kind() -> None:
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["theme"]["name"] == "material" and config["strict"] is True
    assert [next(iter(item)) for item in config["nav"]][1:] == list(PARTS)
    pages = sorted(path.relative_to(REPO / "docs").as_posix() for path in (REPO / "docs").rglob("*.md"))
    assert sorted(nav_pages(config["nav"])) == pages
    plugins = [next(iter(p)) if isinstance(p, dict) else p for p in config.get("plugins", [])]
    assert not {"social", "privacy", "material/social", "material/privacy"} & set(plugins)  # they fetch

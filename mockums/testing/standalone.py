"""The sandbox outside pytest: `with mockums.serving() as sandbox:` in a plain script or a unittest suite."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from mockums.config import Settings, load_config_file
from mockums.testing.background import BackgroundServer
from mockums.testing.errors import MockumsError
from mockums.testing.handles import Mockums


@contextlib.contextmanager
def serving(settings: Settings | None = None, *, config: str | Path | None = None,
            scenarios: Sequence[str | Path] = (), **changes: Any) -> Iterator[Mockums]:
    """Run a real sandbox on 127.0.0.1 (a free port) in a background thread for the `with` block, and give
    the same handle the pytest plugin's `mockums` fixture gives: `sandbox.url` (the base URL to point a
    client at), `sandbox.app_id`, `sandbox.app_key` and `sandbox.notify_key` (the credentials), `sign()`,
    every control call (`reset()`, `add_scenario()`, `pay()`, `advance_clock()`…) and every assertion.

    The settings are `settings`, or those of the YAML file `config`, or the defaults of `mockums serve`;
    `scenarios` adds scenario files or folders to them, and each keyword changes one setting
    (`serving(seed=42, faithful=True)`). The bundled scenarios are loaded unless `bundled_scenarios=False`.
    The server stops, cleanly, when the block ends. MockumsError if the scenario files do not validate
    or the control API is switched off (the handle drives the sandbox through it).
    """
    if settings is None:
        settings = load_config_file(Path(config)) if config is not None else Settings()
    if scenarios:
        changes["scenario_paths"] = (*settings.scenario_paths, *(Path(path).resolve() for path in scenarios))
    settings = dataclasses.replace(settings, **changes)
    if not settings.control:
        raise MockumsError("serving() drives the sandbox through its control API; do not switch it off")
    with BackgroundServer(settings) as url:
        yield Mockums(url, settings.apps[0], settings.control_token)

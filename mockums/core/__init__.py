"""The sandbox core: one facade (`Sandbox`) in front of authentication, scenarios, the product lines
(`mockums.lines`), notifications and the journal, with its state in a `Store`. No HTTP server here.

The names below are imported when first asked for (as in the top package): a module of the core imported on its
own (`mockums check` reads scenario files through `mockums.core.scenario_files`) does not import the sandbox, its
notifier and aiohttp with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mockums.lazy import lazy_names

_WHERE = {
    "Sandbox": "mockums.core.sandbox",
    "ScenarioFilesError": "mockums.core.scenario_files",
    "load_scenarios": "mockums.core.scenario_files",
    "Reply": "mockums.core.trace",
    "Trace": "mockums.core.trace",
    "Conflict": "mockums.errors",
    "ControlError": "mockums.errors",
    "Invalid": "mockums.errors",
    "NotFound": "mockums.errors",
}

__all__ = ["Conflict", "ControlError", "Invalid", "NotFound", "Reply", "Sandbox", "ScenarioFilesError", "Trace",
           "load_scenarios"]

if TYPE_CHECKING:
    from mockums.core.sandbox import Sandbox
    from mockums.core.scenario_files import ScenarioFilesError, load_scenarios
    from mockums.core.trace import Reply, Trace
    from mockums.errors import Conflict, ControlError, Invalid, NotFound


__getattr__ = lazy_names("mockums.core", _WHERE, globals())


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})

"""The sandbox core: one facade (`Sandbox`) in front of authentication, scenarios, the product lines
(`mockums.lines`), notifications and the journal, with its state in a `Store`. No HTTP server here."""

from mockums.core.sandbox import Sandbox
from mockums.core.scenario_files import ScenarioFilesError, load_scenarios
from mockums.core.trace import Reply, Trace
from mockums.errors import Conflict, ControlError, Invalid, NotFound

__all__ = ["Conflict", "ControlError", "Invalid", "NotFound", "Reply", "Sandbox", "ScenarioFilesError", "Trace",
           "load_scenarios"]

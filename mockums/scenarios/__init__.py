"""Scenario files: loading, validating, matching and sequencing, with no HTTP involved.

- `model`: what a scenario means; `templating`: the `{{ … }}` values in response fields.
- `discovery`: which files are scenario files; `walker`: reading YAML nodes with their lines;
  `schema`: the scenario format; `loader`: the entry points and the checks across files.
- `matching` and `sequences`: which scenario answers a call, and with which step.
- `active`: the set in force (files plus runtime changes), reloaded when its files change.
"""

from mockums.ledger.plans import Lifecycle, NotifyPlan, PayPlan, RefundPlan

from .allowed import Allowed
from .loader import LoadResult, load_mapping, load_paths, load_text
from .matching import (
    Check,
    ScenarioRegistry,
    Selection,
    check_body,
    check_endpoint,
    check_order_id,
)
from .model import (
    Fault,
    IdMatch,
    MatchRule,
    Scenario,
    SourceRef,
    Step,
    Then,
    condition_text,
)
from .schema import MAX_DELAY_SECONDS
from .sequences import SequenceTracker, StepPick, step_for_call
from .templating import (
    CompiledFields,
    CompiledValue,
    TemplateError,
    compile_fields,
    compile_value,
    render_fields,
    template_problems,
)
from .walker import Composed, LoadError, compose_yaml

__all__ = [
    "MAX_DELAY_SECONDS",
    "Allowed",
    "Check",
    "CompiledFields",
    "CompiledValue",
    "Composed",
    "Fault",
    "IdMatch",
    "Lifecycle",
    "LoadError",
    "LoadResult",
    "MatchRule",
    "NotifyPlan",
    "PayPlan",
    "RefundPlan",
    "Scenario",
    "ScenarioRegistry",
    "Selection",
    "SequenceTracker",
    "SourceRef",
    "Step",
    "StepPick",
    "TemplateError",
    "Then",
    "check_body",
    "check_endpoint",
    "check_order_id",
    "compile_fields",
    "compile_value",
    "compose_yaml",
    "condition_text",
    "load_mapping",
    "load_paths",
    "load_text",
    "render_fields",
    "step_for_call",
    "template_problems",
]

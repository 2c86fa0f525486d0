"""Scenario files: loading, validating, matching and sequencing, with no HTTP involved."""

from mockums.ledger.plans import Lifecycle, NotifyPlan, PayPlan, RefundPlan
from mockums.protocol.statuses import ORDER_STATUSES

from .loader import MAX_DELAY_SECONDS, LoadError, LoadResult, load_mapping, load_paths, load_text
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

__all__ = [
    "MAX_DELAY_SECONDS",
    "ORDER_STATUSES",
    "Check",
    "CompiledFields",
    "CompiledValue",
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
    "condition_text",
    "load_mapping",
    "load_paths",
    "load_text",
    "render_fields",
    "step_for_call",
    "template_problems",
]

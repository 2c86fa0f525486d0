"""What the scenario chosen for a call asks of it: the step that answers, and what that step does.

Pure: the core asks `script_for` once per request, then acts on the `Script` (refuse at the gateway,
inject a fault, wait, put the order in a state, override answer fields).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mockums.ledger.plans import ImpliedOrder, Lifecycle

from .matching import ScenarioRegistry, Selection
from .model import Fault, Scenario, Step
from .sequences import SequenceTracker
from .templating import render_fields

if TYPE_CHECKING:  # Faker itself is imported by what makes one (ledger.generate), not to load scenarios
    from faker import Faker

KEY_CHARS = 128  # a longer key is kept as its digest, so each counter costs the same whatever was sent


def sequence_key(request: Mapping[str, object]) -> str:
    """What counts as "the same order" for a scenario's sequence: mid and merOrderId."""
    key = f"{request.get('mid', '')}\x1f{request.get('merOrderId', '')}"
    return key if len(key) <= KEY_CHARS else "sha256:" + hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()


@dataclass(slots=True)  # one per request: not frozen, which would make it cost about twice as much
class Script:
    """The chosen scenario (if any), the step answering this call, and why it was chosen; what the step asks,
    read off once (`script_for`) so the core reads plain fields. Not changed once made."""

    selection: Selection
    step: Step | None = None
    scenario: Scenario | None = None
    delay: float = 0.0  # sandbox seconds to wait before answering
    gateway_error: str | None = None  # a gateway error key the step forces, whatever the signature
    fault: Fault | None = None  # a transport fault the step injects instead of the answer
    order_status: str | None = None  # the status the step puts the order in before the ledger's rule runs
    # What the step says the order its scenario implies is (amount, guarantee, split), when first taken to exist.
    implied_order: ImpliedOrder | None = None
    lifecycle: Lifecycle | None = None  # the scenario's plans for an order it creates (payment, expiry, refunds…)

    def overrides(self, request: Mapping[str, object], faker: Faker, now_text: str) -> dict[str, object]:
        """The answer fields the step sets, templates rendered against the request."""
        if self.step is None or not self.step.fields:
            return {}
        return render_fields(self.step.fields, request, faker, now_text)

    def wants_fields(self) -> bool:
        """Whether the step overrides answer fields at all (so a Faker is worth seeding)."""
        return bool(self.step and self.step.fields)


def script_for(registry: ScenarioRegistry, sequences: SequenceTracker, endpoint: str,
               request: Mapping[str, object]) -> Script:
    """Choose the scenario for a request and count the call in its sequence."""
    selection = registry.choose(endpoint, request)
    scenario = selection.scenario
    if scenario is None:
        return Script(selection)
    if not scenario.steps:
        return Script(selection, scenario=scenario, lifecycle=scenario.lifecycle)
    step = sequences.next_step(scenario, sequence_key(request)).step
    return Script(selection, step, scenario, step.delay, step.gateway_error, step.fault, step.order_status,
                  step.order, scenario.lifecycle)

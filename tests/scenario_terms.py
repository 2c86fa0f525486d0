"""What the scenario tests let files name: the default lines' domains and statuses, with the gateway errors
and endpoints a test chooses (None accepts any)."""

from __future__ import annotations

from collections.abc import Collection

from mockums.lines import DEFAULT_REGISTRY
from mockums.scenarios import Allowed


def terms(gateway_errors: Collection[str] | None, endpoints: Collection[str] | None) -> Allowed:
    """Allowed names: these gateway errors and endpoints, the default lines' answer domains and statuses."""
    return Allowed.of(gateway_errors, endpoints, DEFAULT_REGISTRY.answer_domains, DEFAULT_REGISTRY.order_statuses)

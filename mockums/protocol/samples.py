"""A complete, valid request body for one endpoint, from its table: what the dashboard's *Try it* sends and what
`mockums sign` signs. Pure, and light to import (the command line uses it)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from mockums.clock import format_body_time
from mockums.protocol.spec import EndpointSpec

SAMPLE_MID = "898201612345678"
SAMPLE_TID = "88880001"


def sample_body(spec: EndpointSpec, mer_order_id: str, now: datetime, base: Mapping[str, object],
                fields: Mapping[str, object]) -> dict[str, object]:
    """Every required field (and the first of a one-of group) from the table's examples, stamped `now`, and the
    required values no field rule states (`spec.sample`); then the order id, the sample mid and tid (under the
    spec's names for them), then `base` (the order's own mid and instMid, a srcReserve), then `fields` (None removes
    one)."""
    body: dict[str, object] = {"requestTimestamp": format_body_time(now)}
    for rule in spec.request:
        if rule.name not in body and (rule.required or rule.name in spec.one_of[:1]):
            example: object = rule.example or (rule.choices[0] if rule.choices else "")
            body[rule.name] = int(str(example)) if rule.kind == "amount" else example
    body.update(spec.sample)
    body.update({spec.order_field: mer_order_id, spec.merchant_field: SAMPLE_MID, spec.terminal_field: SAMPLE_TID,
                 **base})
    for name, value in fields.items():
        if value is None:
            body.pop(name, None)
        else:
            body[name] = value
    return body

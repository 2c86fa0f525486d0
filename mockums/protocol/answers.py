"""An endpoint's JSON answer, built field by field from its response table (`EndpointSpec.response`)."""

from __future__ import annotations

from collections.abc import Mapping

from mockums.clock import format_time
from mockums.protocol.spec import EndpointSpec


def render_answer(spec: EndpointSpec, request: Mapping[str, object], err_code: str, err_msg: str,
                  values: Mapping[str, object], full: bool, now: float) -> dict[str, object]:
    """The JSON answer: each response field from where its table says (`ResponseField.source`), in the
    table's order, leaving out those without a value. `full` is False for an error with nothing to
    describe: then only the fields marked `on_error` appear."""
    now_text = format_time(now)
    answer: dict[str, object] = {}
    for item in spec.response:
        if not (full or item.on_error):
            continue
        source = item.source
        value: object
        if source == "order":
            value = values.get(item.name)
        elif source == "echo":  # as sent; the order's own value when the request did not name it
            value = request.get(item.name, values.get(item.name))
        elif source == "code":
            value = err_code
        elif source == "message":
            value = err_msg
        elif source == "now":
            value = now_text
        elif source == "today":
            value = now_text[:10]
        else:
            value = item.constant
        if value is not None:
            answer[item.name] = value
    return answer

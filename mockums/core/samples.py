"""Requests mockums writes and signs itself: a complete, valid body for one endpoint and merOrderId,
signed with a configured app's key as an integrator's client would sign it.

The dashboard's "try it" and its close and refund buttons use them; the server sends them to itself over
loopback. The key never leaves the process: only the signed header and the body are handed out.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from mockums.auth import signing
from mockums.clock import BEIJING, format_compact
from mockums.config import App
from mockums.errors import Invalid
from mockums.protocol.samples import SAMPLE_MID, SAMPLE_TID, sample_body
from mockums.protocol.spec import EndpointSpec

__all__ = ["SAMPLE_MID", "SAMPLE_SRC_RESERVE", "SAMPLE_TID", "SignedRequest", "check_fields", "endpoint_spec",
           "sample_body", "signed_request"]

SAMPLE_SRC_RESERVE = "sent by mockums (dashboard)"  # tells these requests apart in the journal


@dataclass(frozen=True)
class SignedRequest:
    """A request ready to send: endpoint, exact body bytes and the OPEN-BODY-SIG header that signs them."""

    endpoint: str
    body: bytes
    authorization: str
    app_id: str
    mer_order_id: str

    def view(self) -> dict[str, object]:
        """What was sent, as the control API shows it (the header carries a signature, never the key)."""
        return {"endpoint": self.endpoint, "appId": self.app_id, "merOrderId": self.mer_order_id,
                "authorization": self.authorization, "body": self.body.decode()}


def endpoint_spec(endpoints: Mapping[str, EndpointSpec], endpoint: object) -> EndpointSpec:
    """The table of an endpoint mockums answers with a signed JSON body; Invalid naming them otherwise."""
    spec = endpoints.get(endpoint) if isinstance(endpoint, str) else None
    if spec is None or spec.method != "POST":
        signed = ", ".join(path for path, known in endpoints.items() if known.method == "POST")
        form = " (an H5 path takes a browser GET: make its link with `mockums sign --url …`)" if spec else ""
        raise Invalid(f"endpoint: {endpoint!r} is not one of {signed}{form}")
    return spec


def signed_request(app: App, spec: EndpointSpec, mer_order_id: str, base: Mapping[str, object],
                   fields: Mapping[str, object], wall: float) -> SignedRequest:
    """The sample request for `spec`, serialised once and signed over those exact bytes at wall time `wall`."""
    now = datetime.fromtimestamp(wall, BEIJING)
    body = json.dumps(sample_body(spec, mer_order_id, now, {"srcReserve": SAMPLE_SRC_RESERVE, **base}, fields),
                      ensure_ascii=False).encode()
    header = signing.authorization_header(app.app_id, app.app_key, format_compact(now), body)
    return SignedRequest(spec.path, body, header, app.app_id, mer_order_id)


def check_fields(fields: object) -> Mapping[str, object]:
    """`fields` of a send call: a JSON object of strings, numbers, booleans or null; Invalid otherwise."""
    if fields is None:
        return {}
    if not isinstance(fields, dict) or not all(
            isinstance(value, (str, int, float, bool)) or value is None for value in fields.values()):
        raise Invalid("fields: send a JSON object of request fields (strings, numbers, or null to leave one out)")
    return fields

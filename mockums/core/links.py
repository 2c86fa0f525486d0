"""Links to mockums' cashier page: the `Location` an H5 create answers (a code's `billQRCode` is simpler:
`<base>/bills/qrCode.do?id=<qrCodeId>`, the qrCodeId being the link).

An H5 link carries what the real one carries (protocol-evidence §9, two captures): every content field
flattened in content order, then `openAppId`, `msgSrc=OPENPLATFORM`, `msgType` and a 32-character
uppercase `sign`, encoded the way java.net.URLEncoder encodes (a space as `+`). The real sign uses a
portal key merchants never see; ours is the sandbox's own, so the cashier acts only on the order its
link names and a link edited by hand (another amount, another order) is refused.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping
from urllib.parse import parse_qsl

from mockums.auth.form import java_url_encode
from mockums.notify.signing import MD5, SIGN_FIELD, notification_sign
from mockums.protocol.h5 import PORTAL_MSG_SRC
from mockums.protocol.spec import EndpointSpec


def link_value(value: object) -> str:
    """A content value as the link carries it: text as is, booleans as true/false, objects as compact JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def encode_query(params: Mapping[str, str]) -> str:
    """`k=v&…` in the given order, java.net.URLEncoder style."""
    return "&".join(f"{java_url_encode(key)}={java_url_encode(value)}" for key, value in params.items())


def read_query(raw_query: str) -> dict[str, str]:
    """A query string's parameters, decoded ('+' is a space); the first of a repeated name wins."""
    params: dict[str, str] = {}
    try:
        pairs = parse_qsl(raw_query, keep_blank_values=True, max_num_fields=500)
    except ValueError:  # more fields than any link of ours has: not one of ours
        return {}
    for key, value in pairs:
        params.setdefault(key, value)
    return params


class CashierLinks:
    """Builds and checks the sandbox's signed cashier links."""

    def __init__(self, seed: int | None = None) -> None:
        # Reproducible under a seed (the same link for the same order), random otherwise.
        material = f"mockums portal {seed}" if seed is not None else secrets.token_hex(16)
        self._key = hashlib.sha256(material.encode()).hexdigest()

    def h5_location(self, spec: EndpointSpec, content: Mapping[str, object], app_id: str, base_url: str) -> str:
        """Where an H5 create sends the browser: the cashier page, with the signed order in the query."""
        if spec.portal is None:
            raise ValueError(f"{spec.path} has no cashier page")
        params = {key: link_value(value) for key, value in content.items() if value not in (None, "")}
        params |= {"openAppId": app_id, "msgSrc": PORTAL_MSG_SRC, "msgType": spec.portal.msg_type}
        params[SIGN_FIELD] = notification_sign(params, self._key, MD5)
        return f"{base_url}{spec.portal.path}?{encode_query(params)}"

    def signed(self, params: Mapping[str, str]) -> bool:
        """Whether a link's parameters carry the sign the sandbox gave them."""
        given = params.get(SIGN_FIELD, "")
        return bool(given) and secrets.compare_digest(given, notification_sign(params, self._key, MD5))


"""Links to mockums' cashier page: the `Location` an H5 create answers (a code's `billQRCode` is simpler:
`<base>/bills/qrCode.do?id=<qrCodeId>`, the qrCodeId being the link).

An H5 link carries what the real one carries (protocol-evidence §9, two captures): every content field
flattened in content order, then `openAppId`, `msgSrc=OPENPLATFORM`, `msgType` and a 32-character
uppercase `sign`, encoded the way java.net.URLEncoder encodes (a space as `+`). The real sign uses a
portal key merchants never see; ours is the sandbox's own, so the cashier acts only on the order its
link names and a link edited by hand (another amount, another order) is refused.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping

from mockums.lines.cashier import encode_query
from mockums.lines.h5.endpoints import PORTAL_MSG_SRC, Portal
from mockums.notify.signing import MD5, SIGN_FIELD, notification_sign
from mockums.protocol import wire


class CashierLinks:
    """Builds and checks the sandbox's signed cashier links."""

    def __init__(self) -> None:
        # Random for each run, never derived from the seed: a seed is printed, shared and committed to test
        # suites, and a key derived from it would let anyone who knows it sign a link to any order and amount.
        self._key = secrets.token_hex(32)

    def h5_location(self, portal: Portal, content: Mapping[str, object], app_id: str, base_url: str) -> str:
        """Where an H5 create sends the browser: the cashier page, with the signed order in the query."""
        params = {key: wire.as_text(value) for key, value in content.items() if value not in (None, "")}
        params |= {"openAppId": app_id, "msgSrc": PORTAL_MSG_SRC, "msgType": portal.msg_type}
        params[SIGN_FIELD] = notification_sign(params, self._key, MD5)
        return f"{base_url}{portal.path}?{encode_query(params)}"

    def signed(self, params: Mapping[str, str]) -> bool:
        """Whether a link's parameters carry the sign the sandbox gave them."""
        given = params.get(SIGN_FIELD, "")
        return bool(given) and secrets.compare_digest(given, notification_sign(params, self._key, MD5))


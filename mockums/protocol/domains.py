"""Answer fields whose values come from a known list, and those lists: a scenario that writes one of
these fields is checked against them when it loads, so a typo (`TARGET_FIAL`) is an error with a
"did you mean", and a value deliberately outside the list must be declared (`allow_unknown`)."""

from __future__ import annotations

from collections.abc import Mapping

from mockums.protocol.business_errors import BUSINESS_ERRORS
from mockums.protocol.statuses import ORDER_STATUSES, REFUND_STATUS_VALUES
from mockums.protocol.wallets import WALLETS

# The wallets mockums models, then the other target systems the evidence names (protocol-evidence §4,
# §8.4: the platform lists 16, of which these are known by name).
_OTHER_SYSTEMS = ("UnionPay", "UAC", "ACP", "QMF", "QmfWebPay", "NetPayGtwy", "BestPay")
TARGET_SYSTEMS: tuple[str, ...] = (*WALLETS, *(name for name in _OTHER_SYSTEMS if name not in WALLETS))

ANSWER_DOMAINS: Mapping[str, tuple[str, ...]] = {
    "errCode": tuple(BUSINESS_ERRORS),
    "status": ORDER_STATUSES,
    "refundStatus": REFUND_STATUS_VALUES,
    "targetSys": TARGET_SYSTEMS,
}

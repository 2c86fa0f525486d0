"""POS link v6's field names as one client sends them: accepted in lenient mode in place of the v2/v4 names, with a
warning; strict mode keeps to the tables (the v2/v4 names). Which names v6 really takes is not known."""

from __future__ import annotations

from mockums.lines.poslink.endpoints import V6
from mockums.protocol.deviations import LEFT_OUT, Deviation

MJM = "MJM Pos*.php (gateway_type wh_open), the only v6 client with a request example"

# (path, the table's name, the name MJM sends instead)
V6_NAMES: tuple[tuple[str, str, str], ...] = (
    (f"{V6}/pay", "transactionAmount", "totalAmount"),
    (f"{V6}/pay", "payCode", "qrCode"),
    (f"{V6}/refund", "transactionAmount", "refundAmount"),
)

POS_DEVIATIONS: tuple[Deviation, ...] = tuple(
    Deviation(path, name, LEFT_OUT, "a PHP client (MJM) on v6", MJM, instead=instead)
    for path, name, instead in V6_NAMES)


def read_as_table(path: str, body: dict[str, object]) -> dict[str, object]:
    """The request with v6's other names read as the table's (`totalAmount` as `transactionAmount`…), when the
    table's own is not sent."""
    for on, name, instead in V6_NAMES:
        if on == path and body.get(name) in (None, "") and body.get(instead) not in (None, ""):
            body = {**body, name: body[instead]}
    return body

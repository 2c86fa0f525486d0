"""Calls to the QR-code bill endpoints, built the way the public PHP and Go clients build them."""

from __future__ import annotations

from typing import Any

import chinaums_client
from conftest import Answer, Caller

MID, TID = "898201612345678", "88880001"
GET_QRCODE = "/v1/netpay/bills/get-qrcode"
UPDATE = "/v1/netpay/bills/update-qrcode"
CLOSE = "/v1/netpay/bills/close-qrcode"
QUERY = "/v1/netpay/bills/query"
REFUND = "/v1/netpay/bills/refund"
INFO = "/v1/netpay/bills/query-qrcode-info"


def today() -> str:
    return chinaums_client.beijing_now().strftime("%Y-%m-%d")


async def bills(caller: Caller, path: str, **fields: Any) -> Answer:
    body: dict[str, Any] = {"requestTimestamp": chinaums_client.body_time(chinaums_client.beijing_now()),
                            "mid": MID, "tid": TID, "instMid": "QRPAYDEFAULT", **fields}
    return await caller.signed(path, chinaums_client.go_json({k: v for k, v in body.items() if v is not None}))


async def one_time(caller: Caller, bill_no: str, amount: int = 360, **fields: Any) -> dict[str, Any]:
    answer = await bills(caller, GET_QRCODE, billNo=bill_no, billDate=today(), totalAmount=amount, **fields)
    assert answer.json["errCode"] == "SUCCESS", answer.json
    return answer.json


async def query(caller: Caller, bill_no: str, **fields: Any) -> dict[str, Any]:
    return (await bills(caller, QUERY, billNo=bill_no, **{"billDate": today(), **fields})).json

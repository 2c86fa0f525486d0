"""POS-link requests as the public clients build them (merchantCode, terminalCode, transactionAmount in fen, payMode
CODE_SCAN, payCode), signed with OPEN-BODY-SIG by the independent test client."""

from __future__ import annotations

import json
from typing import Any

from conftest import Caller

V2, V4, V6 = "/v2/poslink/transaction", "/v4/poslink/transaction", "/v6/poslink/transaction"
MERCHANT = {"merchantCode": "898310060514001", "terminalCode": "88880001"}
WECHAT = "134601952390095542"  # a WeChat code as a PHP client's kept answer shows one
ALIPAY = "286508290185371944"
UNIONPAY = "6221558812340000123"


def magic(case: str, prefix: str = "13", length: int = 18) -> str:
    """A payment code of the wallet with `prefix` that plays `case` (mockums.lines.poslink.cases)."""
    return (prefix + "9999" + case).ljust(length, "0")


def pay_body(order_id: str, amount: int = 2, code: str = WECHAT, **more: object) -> dict[str, object]:
    return {**MERCHANT, "transactionAmount": amount, "transactionCurrencyCode": "156", "merchantOrderId": order_id,
            "merchantRemark": "test", "payMode": "CODE_SCAN", "payCode": code, **more}


async def pos(caller: Caller, path: str, body: dict[str, object]) -> tuple[int, dict[str, Any]]:
    """POST a POS-link body (None values left out) signed as the SDKs sign; the status and the JSON answer."""
    sent = {name: value for name, value in body.items() if value is not None}
    answer = await caller.signed(path, json.dumps(sent, ensure_ascii=False).encode())
    return answer.status, answer.json


async def pay(caller: Caller, order_id: str, amount: int = 2, code: str = WECHAT, path: str = f"{V2}/pay",
              **more: object) -> dict[str, Any]:
    status, answer = await pos(caller, path, pay_body(order_id, amount, code, **more))
    assert status == 200
    return answer


async def call(caller: Caller, action: str, version: str = V2, **fields: object) -> dict[str, Any]:
    status, answer = await pos(caller, f"{version}/{action}", {**MERCHANT, **fields})
    assert status == 200
    return answer

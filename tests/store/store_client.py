"""A client of mockums processes for the store's tests: signed API calls and control calls over real HTTP.

A plain module, not a test module: the store's tests import it."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
from chinaums_client import close_request, open_body_sig

from mockums.config import DEMO_APP

MID = "898201612345678"
ORDER, QUERY, CLOSE = "/v1/netpay/wx/app-pre-order", "/v1/netpay/query", "/v1/netpay/close"
REFUND, REFUND_QUERY = "/v1/netpay/refund", "/v1/netpay/refund-query"


async def api(session: aiohttp.ClientSession, base: str, path: str, order_id: str, **fields: object) -> dict[str, Any]:
    """A request signed as the SDK samples sign it (OPEN-BODY-SIG): its JSON answer (200 expected)."""
    body = json.dumps(close_request(order_id, **fields)).encode()
    headers = {"Authorization": open_body_sig(DEMO_APP.app_id, DEMO_APP.app_key, body),
               "Content-Type": "application/json"}
    async with session.post(base + path, data=body, headers=headers) as answer:
        assert answer.status == 200, await answer.text()
        return dict(await answer.json())


async def control(session: aiohttp.ClientSession, base: str, method: str, path: str,
                  **kwargs: Any) -> tuple[int, Any]:
    """A control API call (`path` under /__mockums): its status and JSON answer."""
    async with session.request(method, f"{base}/__mockums{path}", **kwargs) as answer:
        return answer.status, await answer.json()

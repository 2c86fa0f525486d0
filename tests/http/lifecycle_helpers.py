"""What the HTTP tests of netpay orders share: the endpoint paths, the demo merchant's mid, and the steps an
integrator's code takes (create an order, have it paid from the control API, call the control API).

A plain module, not a test module: test modules import it, never each other."""

from __future__ import annotations

from typing import Any

from conftest import Caller, Receiver

WX_ORDER, WX_QUERY, WX_CLOSE = "/v1/netpay/wx/app-pre-order", "/v1/netpay/wx/app-pre-query", "/v1/netpay/wx/app-pre-close"
ALI_ORDER, ALI_QUERY = "/v1/netpay/trade/app-pre-order", "/v1/netpay/trade/app-pre-query"
MINI_ORDER = "/v1/netpay/wx/unified-order"
QUERY, CLOSE, REFUND, REFUND_QUERY = "/v1/netpay/query", "/v1/netpay/close", "/v1/netpay/refund", "/v1/netpay/refund-query"
MID = "898201612345678"


async def create(caller: Caller, order_id: str, receiver: Receiver | None = None, path: str = WX_ORDER,
                 **fields: Any) -> dict[str, Any]:
    fields.setdefault("totalAmount", 360)
    if receiver is not None:
        fields.setdefault("notifyUrl", receiver.url)
    answer = await caller.call(path, order_id, **fields)
    assert answer.status == 200, answer.text
    return answer.json


async def pay(caller: Caller, order_id: str) -> dict[str, Any]:
    async with caller.client.post(f"/__mockums/orders/{MID}/{order_id}/pay") as response:
        assert response.status == 200, await response.text()
        return await response.json()


async def control(caller: Caller, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
    """A control API call (`path` under /__mockums): its status and JSON answer."""
    async with caller.client.request(method, "/__mockums" + path, **kwargs) as response:
        return response.status, await response.json()


async def journal(caller: Caller, **params: str) -> list[dict[str, Any]]:
    """The journal as the control API lists it (`merOrderId=…` and the other filters as query parameters)."""
    async with caller.client.get("/__mockums/journal", params=params) as response:
        return list(await response.json())

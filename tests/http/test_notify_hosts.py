"""`notify_hosts` restricts where notifications may go: a notifyUrl on another host is given up at once, with
the reason in its delivery, and nothing is sent; a listed host is delivered to as ever. By default any host."""

from __future__ import annotations

from typing import Any

from conftest import MakeCaller, Receiver
from lifecycle_helpers import MID, create, pay

from mockums.notify.posting import url_problem


async def deliveries(caller: Any, order_id: str) -> list[dict[str, Any]]:
    async with caller.client.get("/__mockums/notifications", params={"merOrderId": order_id}) as response:
        assert response.status == 200
        return list(await response.json())


async def test_a_notify_url_off_the_list_is_given_up_at_once(make_caller: MakeCaller, receiver: Receiver) -> None:
    caller = await make_caller(notify_hosts=("127.0.0.1", "*.shop.test"))
    elsewhere = receiver.url.replace("127.0.0.1", "localhost")  # the same receiver, by a name not on the list
    await create(caller, "3194NHOST0001", notifyUrl=elsewhere)
    await pay(caller, "3194NHOST0001")
    [delivery] = await deliveries(caller, "3194NHOST0001")
    assert delivery["state"] == "gave_up"
    [attempt] = delivery["attempts"]
    assert attempt["status"] is None and "'localhost' is not one notifications may be sent to" in attempt["error"]
    assert "notify_hosts: 127.0.0.1, *.shop.test" in attempt["error"]
    await create(caller, "3194NHOST0002", receiver)  # on 127.0.0.1: delivered
    await pay(caller, "3194NHOST0002")
    [received] = await receiver.wait_for(1)
    assert received.form["merOrderId"] == "3194NHOST0002" and received.form["mid"] == MID


def test_host_patterns() -> None:
    hosts = ("127.0.0.1", "*.shop.test", "[::1]")
    assert url_problem("http://127.0.0.1:9/n", hosts) is None and url_problem("http://a.b.shop.test/n", hosts) is None
    assert url_problem("https://shop.test/n", hosts) is None and url_problem("http://[::1]:8/n", hosts) is None
    assert url_problem("http://shop.test.evil.example/n", hosts) is not None
    assert url_problem("http://169.254.169.254/latest/meta-data", hosts) is not None
    assert url_problem("http://169.254.169.254/latest/meta-data") is None  # no list: any host

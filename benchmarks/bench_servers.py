"""The servers the benchmark compares, each run as its own process pinned to one core, and the memory probe.

    bench_servers.py bare    PORT CORE LOOP JSON            the stack's floor: read the body, fixed answer
    bench_servers.py minimal PORT CORE LOOP JSON            parse OPEN-BODY-SIG, verify the HMAC, parse, echo
    bench_servers.py mockums PORT CORE LOOP JSON [ARGS…]    `mockums serve --port PORT ARGS…`, as users run it
    bench_servers.py memory  ORDERS CORE LOOP JSON          bytes per kept order and RSS with the order store full

LOOP is `asyncio` or `uvloop`, JSON `std` or `orjson`: the same choice for every server of a run, so
the ratios compare handlers, not event loops. `asyncio`/`std` hide uvloop/orjson from mockums as if
they were not installed; `installed` (mockums only) leaves it to use whatever is installed, as
`mockums serve` does.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import os
import re
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import chinaums_client

from mockums.config import DEMO_APP

CLOSE = "/v1/netpay/wx/app-pre-close"
APP_ID, APP_KEY = DEMO_APP.app_id, DEMO_APP.app_key  # the demo app: every server here accepts it
HEADER = re.compile(r'OPEN-BODY-SIG AppId="([^"]+)", Timestamp="(\d{14})", Nonce="([^"]+)", Signature="([^"]+)"')
BEIJING_FORMAT = "%Y-%m-%d %H:%M:%S"


def choose_libraries(loop: str, json_lib: str) -> tuple[Callable[[bytes], object], Callable[[object], bytes]]:
    """Apply the run's event loop and JSON library; the (loads, dumps) pair the baselines use."""
    if loop == "uvloop":
        import uvloop  # noqa: PLC0415

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    elif loop == "asyncio":
        sys.modules["uvloop"] = None  # type: ignore[assignment]  # as if not installed
    if json_lib == "orjson":
        import orjson  # noqa: PLC0415

        return orjson.loads, orjson.dumps
    if json_lib == "std":
        sys.modules["orjson"] = None  # type: ignore[assignment]
    return json.loads, lambda data: json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def bare_app(dumps: Callable[[object], bytes]) -> web.Application:
    """Reads the body and answers a fixed JSON body: aiohttp's own cost per request."""
    answer = dumps({"errCode": "SUCCESS", "errMsg": "", "status": "TRADE_CLOSED"})

    async def fixed(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(body=answer, content_type="application/json")

    app = web.Application()
    app.router.add_post(CLOSE, fixed)
    return app


def minimal_app(loads: Callable[[bytes], object], dumps: Callable[[object], bytes]) -> web.Application:
    """What a developer would write in an afternoon: check the signature, parse, echo a close answer."""
    keys = {APP_ID: APP_KEY.encode()}

    async def close(request: web.Request) -> web.Response:
        body = await request.read()
        found = HEADER.fullmatch(request.headers.get("Authorization", ""))
        key = keys.get(found.group(1)) if found else None
        if found is None or key is None:
            return web.Response(status=401, text="bad Authorization")
        app_id, timestamp, nonce, signature = found.groups()
        message = (app_id + timestamp + nonce + hashlib.sha256(body).hexdigest()).encode()
        expected = base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()
        if not hmac.compare_digest(expected, signature):
            return web.Response(status=401, text="bad signature")
        data = loads(body)
        if not isinstance(data, dict):
            return web.Response(status=400, text="not an object")
        answer = {"errCode": "SUCCESS", "errMsg": "", "responseTimestamp": time.strftime(BEIJING_FORMAT),
                  "mid": data.get("mid"), "tid": data.get("tid"), "instMid": data.get("instMid"),
                  "merOrderId": data.get("merOrderId"), "status": "TRADE_CLOSED", "totalAmount": 1}
        return web.Response(body=dumps(answer), content_type="application/json")

    app = web.Application()
    app.router.add_post(CLOSE, close)
    return app


def rss_kib(pid: int | str = "self") -> tuple[int, int]:
    """(VmRSS, VmHWM) of a process in KiB, from /proc."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


def memory(orders: int) -> None:
    """Bytes per kept order (tracemalloc, journal already full) and RSS with `orders` orders kept, in-process."""
    from mockums.config import Settings  # noqa: PLC0415
    from mockums.core.sandbox import Sandbox  # noqa: PLC0415

    def request(mer_order_id: str, **fields: object) -> tuple[str, bytes]:
        body = chinaums_client.go_json(chinaums_client.close_request(mer_order_id, **fields))
        return chinaums_client.open_body_sig(APP_ID, APP_KEY, body), body

    def feed(sandbox: Sandbox, kind: str, start: int, count: int) -> None:
        for index in range(start, start + count):
            if kind == "created":
                header, body = request(f"3194MEMC{index:010d}", totalAmount=1,
                                       notifyUrl="http://127.0.0.1:9/notify", orderDesc="bench")
                sandbox.handle_api("/v1/netpay/wx/app-pre-order", header, body)
            else:
                header, body = request(f"3194MEMA{index:010d}")
                sandbox.handle_api(CLOSE, header, body)

    logging_off()
    settings = Settings(watch=False, assume_orders=True)  # the closes below assume the orders they name
    sandbox = Sandbox(settings)  # first, in a fresh process: RSS as a server would have it
    start_rss, _ = rss_kib()
    started = time.perf_counter()
    feed(sandbox, "assumed", 0, orders)
    figures: dict[str, object] = {
        "orders_kept": sandbox.health()["orders"], "rss_empty_kib": start_rss, "rss_full_kib": rss_kib()[0],
        "fill_seconds": round(time.perf_counter() - started, 1)}
    del sandbox
    for kind, sample in (("assumed", 10_000), ("created", 4_000)):
        tracemalloc.start()  # before anything: memory freed later must have been traced when allocated
        sandbox = Sandbox(settings)
        feed(sandbox, kind, 0, 2000)  # the journal (1000 entries by default) is full from here on
        before = tracemalloc.get_traced_memory()[0]
        feed(sandbox, kind, 2000, sample)
        grown = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
        figures[f"bytes_per_{kind}_order"] = round(grown / sample)
    print("RESULT " + json.dumps(figures), flush=True)


def logging_off() -> None:
    import logging  # noqa: PLC0415

    logging.getLogger("mockums").setLevel(logging.ERROR)


def main(argv: list[str]) -> int:
    kind, number, core, loop, json_lib, *rest = argv
    if core != "-":
        os.sched_setaffinity(0, {int(core)})
    loads, dumps = choose_libraries(loop, json_lib)
    if kind == "memory":
        memory(int(number))
        return 0
    if kind == "mockums":
        from mockums.cli import main as mockums_main  # noqa: PLC0415

        return mockums_main(["serve", "--port", number, *rest])
    app = bare_app(dumps) if kind == "bare" else minimal_app(loads, dumps)
    web.run_app(app, host="127.0.0.1", port=int(number), access_log=None, print=None)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

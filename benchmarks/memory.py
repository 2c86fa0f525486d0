"""Resident memory of a sandbox: idle, per kept order, and with every store at its default cap.

Each case runs in a fresh process that builds what `mockums serve` builds (default settings, bundled
scenarios, the app listening on 127.0.0.1), fills it through the core facade (the path every HTTP
request takes, minus the socket), and reports VmRSS from /proc (Linux). Bounded: a fixed number of
requests per case.

    .venv/bin/python benchmarks/memory.py            # every case, one process each
    .venv/bin/python benchmarks/memory.py --case idle
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import chinaums_client
from aiohttp import web

from mockums.config import DEMO_APP, Settings
from mockums.core.sandbox import Sandbox, load_scenarios
from mockums.errors import OverCap
from mockums.server.app import create_app

ORDER, QUERY, REFUND = "/v1/netpay/wx/app-pre-order", "/v1/netpay/query", "/v1/netpay/refund"
GET_QRCODE, UPDATE_QRCODE = "/v1/netpay/bills/get-qrcode", "/v1/netpay/bills/update-qrcode"
MID = "898201612345678"
SEQUENCE = {"name": "bench-sequence", "match": {"merOrderIdPrefix": "SEQ"},
            "sequence": [{"fields": {"errCode": "ORDER_PROCESSING"}}, {"fields": {"errCode": "SUCCESS"}}]}


def rss_mb() -> float:
    gc.collect()
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status (Linux only)")


def call(sandbox: Sandbox, path: str, order_id: str, **fields: object) -> dict[str, object]:
    body = chinaums_client.go_json(chinaums_client.close_request(order_id, **fields))
    header = chinaums_client.open_body_sig(DEMO_APP.app_id, DEMO_APP.app_key, body)
    return dict(sandbox.handle_api(path, header, body).body)


def typical_order(sandbox: Sandbox, index: int) -> None:
    """Created with the fields a shop sends, paid, queried once."""
    order_id = f"3194MEM{index:010d}"
    call(sandbox, ORDER, order_id, totalAmount=360 + index % 1000, orderDesc="测试订单 笔记本电脑 一台",
         attachedData=f"shop-cart-{index}", goodsTag="DEFAULT")
    sandbox.pay(MID, order_id)
    call(sandbox, QUERY, order_id)


def bill_call(sandbox: Sandbox, path: str, **fields: object) -> dict[str, object]:
    body = chinaums_client.go_json({"requestTimestamp": chinaums_client.body_time(chinaums_client.beijing_now()),
                                    "mid": MID, "tid": "88880001", "instMid": "QRPAYDEFAULT", **fields})
    header = chinaums_client.open_body_sig(DEMO_APP.app_id, DEMO_APP.app_key, body)
    return dict(sandbox.handle_api(path, header, body).body)


def fill_bills(sandbox: Sandbox, settings: Settings) -> None:
    """QR codes and bills at their caps, each as large as a request makes it: `max_qr_codes` one-time codes
    with every text field at its longest, then new bills bound to them (update-qrcode) up to `max_bills`."""
    today = chinaums_client.beijing_now().strftime("%Y-%m-%d")
    texts = {"billDesc": "测试账单 " * 51, "notifyUrl": "http://127.0.0.1:9/" + "n" * 236,
             "returnUrl": "http://127.0.0.1:9/" + "r" * 236, "memberId": "m" * 32, "counterNo": "c" * 32}
    codes = []
    for index in range(settings.max_qr_codes):
        answer = bill_call(sandbox, GET_QRCODE, billNo=f"3194Q{index:026d}", billDate=today, totalAmount=360,
                           **texts)
        assert answer["errCode"] == "SUCCESS", answer
        codes.append(answer["qrCodeId"])
    for index in range(settings.max_bills - settings.max_qr_codes):
        answer = bill_call(sandbox, UPDATE_QRCODE, qrCodeId=codes[index % len(codes)],
                           billNo=f"3194U{index:026d}", billDate=today, totalAmount=260, billDesc=texts["billDesc"])
        assert answer["errCode"] == "SUCCESS", answer


def fill_scenarios(sandbox: Sandbox, settings: Settings) -> int:
    """Runtime scenarios up to `max_runtime_scenario_bytes`, in the shape that costs the most per byte seen:
    long sequences, uploads just under `max_scenario_upload_bytes`. The bytes uploaded."""
    step = "      - fields: {errCode: SUCCESS, errMsg: m%d}\n"
    uploaded = 0
    for index in range(10_000):
        head = f"scenarios:\n  - name: q{index}\n    match: {{merOrderIdPrefix: 'Q{index}X'}}\n    sequence:\n"
        steps, text = 0, head
        while len(text) + 40 < settings.max_scenario_upload_bytes:
            text += step % steps
            steps += 1
        try:
            sandbox.add_scenarios(text)
        except OverCap:
            return uploaded
        uploaded += len(text)
    return uploaded


def refunded_order(sandbox: Sandbox, index: int, refunds: int) -> None:
    """The largest an order gets: paid, then refunded fen by fen up to the refund cap."""
    order_id = f"3194BIG{index:010d}"
    call(sandbox, ORDER, order_id, totalAmount=100_000, orderDesc="测试订单 " * 20, attachedData="a" * 255)
    sandbox.pay(MID, order_id)
    for number in range(refunds):
        call(sandbox, REFUND, order_id, refundAmount=1, refundOrderId=f"{order_id}R{number:03d}",
             refundDesc="部分退款 " * 10)


async def serving(settings: Settings) -> tuple[web.AppRunner, Sandbox]:
    scenarios, errors = load_scenarios(settings)
    assert not errors
    sandbox = Sandbox(settings, scenarios)
    runner = web.AppRunner(create_app(settings, sandbox=sandbox), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    await asyncio.sleep(0.2)
    return runner, sandbox


def fill_journal(sandbox: Sandbox, requests: int, extra: int = 0) -> None:
    for index in range(requests):
        call(sandbox, QUERY, f"3194JRN{index:010d}", srcReserve="s" * min(extra, 255), msgId="m" * 64,
             **({"x": "x" * extra} if extra else {}))


async def case(name: str, count: int) -> dict[str, float]:
    logging.disable(logging.WARNING)  # the notifications' failed attempts would fill the screen
    settings = Settings(watch=False, seed=1, notify_schedule=Settings().notify_schedule)
    runner, sandbox = await serving(settings)
    result: dict[str, float] = {"idle": rss_mb()}
    if name == "orders":  # the journal full first, so the difference is the orders alone
        fill_journal(sandbox, settings.journal_size)
        before = rss_mb()
        for index in range(count):
            typical_order(sandbox, index)
        result |= {"before": before, "after": rss_mb(), "orders": len(sandbox.orders()), "count": count}
    elif name == "refunded":
        fill_journal(sandbox, settings.journal_size)
        before = rss_mb()
        for index in range(count):
            refunded_order(sandbox, index, 100)
        result |= {"before": before, "after": rss_mb(), "count": count}
    elif name == "bills":
        fill_journal(sandbox, settings.journal_size)
        before = rss_mb()
        fill_bills(sandbox, settings)
        result |= {"before": before, "after": rss_mb(), "codes": settings.max_qr_codes, "bills": settings.max_bills}
    elif name == "scenarios":
        before = rss_mb()
        uploaded = fill_scenarios(sandbox, settings)
        result |= {"before": before, "after": rss_mb(), "uploaded": uploaded, "scenarios": len(sandbox.scenarios())}
    elif name == "caps":
        await fill_every_cap(sandbox, settings)
        orders = sandbox._ledger.orders
        result |= {"after": rss_mb(), "orders": len(orders), "refunds": getattr(orders, "refund_count", -1),
                   "journal": len(sandbox.journal()),
                   "journal_bytes": sandbox._journal.size, "notifications": len(sandbox.notifications()),
                   "sequences": len(sandbox._sequences), "runtime_scenarios": len(sandbox._scenarios.runtime)}
    await runner.cleanup()
    return result


async def fill_every_cap(sandbox: Sandbox, settings: Settings) -> None:
    """Every store at its default cap: sequences, orders (the newest holding every refund the refund cap
    allows), notifications with all their attempts made, QR codes and bills, runtime scenarios, and the journal
    at its byte cap with the largest entries a request makes. Every request creates or touches an order, so the
    refunded orders come last."""
    started = time.monotonic()
    sandbox.add_scenarios(SEQUENCE)
    for index in range(settings.max_sequences):
        call(sandbox, QUERY, f"SEQ{index:010d}")
    for index in range(settings.max_notifications):  # paid orders notifying a port nobody listens on
        order_id = f"3194NTF{index:010d}"
        call(sandbox, ORDER, order_id, totalAmount=1, notifyUrl="http://127.0.0.1:9/notify")
        sandbox.pay(MID, order_id)
    deadline = time.monotonic() + 120
    while sandbox._notifier.pending and time.monotonic() < deadline:  # every retry falls due, and fails
        sandbox.move_clock(advance=4000)
        await asyncio.sleep(0.2)
    fill_bills(sandbox, settings)  # before the orders: a code's bill is an order too, and would push refunded ones out
    fill_scenarios(sandbox, settings)
    refunded = settings.max_refunds // 100
    for index in range(settings.max_orders - refunded):
        typical_order(sandbox, index)
    for index in range(refunded):
        refunded_order(sandbox, index, 100)
    for index in range(settings.journal_size * 2):  # large entries, about orders that exist
        call(sandbox, QUERY, f"3194BIG{index % refunded:010d}", x="x" * 20_000)
    print(f"  (filled in {time.monotonic() - started:.0f} s)", file=sys.stderr)


CASES = ("idle", "orders", "refunded", "bills", "scenarios", "caps")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=CASES)
    parser.add_argument("--orders", type=int, default=20_000)
    args = parser.parse_args()
    if args.case:
        count = {"orders": args.orders, "refunded": 200}.get(args.case, 0)
        print(json.dumps(asyncio.run(case(args.case, count))))
        return
    figures = {}
    for name in CASES:
        output = subprocess.run([sys.executable, __file__, "--case", name, "--orders", str(args.orders)],
                                capture_output=True, text=True, check=True, timeout=900).stdout
        figures[name] = json.loads(output.splitlines()[-1])
    defaults = Settings()
    orders, refunded = figures["orders"], figures["refunded"]
    per_order = (orders["after"] - orders["before"]) * 1024 / orders["count"]
    per_refunded = (refunded["after"] - refunded["before"]) * 1024 / refunded["count"]
    caps = figures["caps"]
    print(f"idle (default settings, bundled scenarios, listening):  {figures['idle']['idle']:.0f} MB")
    print(f"per kept order (created, paid, queried):                {per_order:.1f} KB")
    print(f"per order with 100 refunds (the largest one can get):   {per_refunded:.0f} KB")
    bills, scenarios = figures["bills"], figures["scenarios"]
    print(f"QR codes and bills at their caps ({bills['codes']:.0f} codes, {bills['bills']:.0f} bills, every text "
          f"field at its longest): {bills['after'] - bills['before']:.0f} MB more")
    print(f"runtime scenarios at their cap ({scenarios['uploaded'] / 2**10:.0f} KiB uploaded as long sequences, "
          f"{scenarios['scenarios']:.0f} scenarios in force): {scenarios['after'] - scenarios['before']:.0f} MB more")
    print(f"at the default caps ({defaults.max_orders} orders / {defaults.max_refunds} refunds, "
          f"{defaults.journal_size} journal entries / "
          f"{defaults.journal_bytes // 2**20} MB, {defaults.max_sequences} sequences, "
          f"{defaults.max_notifications} notifications, {defaults.max_qr_codes} QR codes / {defaults.max_bills} bills, "
          f"{defaults.max_runtime_scenario_bytes // 2**20} MiB of runtime scenarios): {caps['after']:.0f} MB")
    print(f"  kept: {caps['orders']:.0f} orders with {caps['refunds']:.0f} refunds, "
          f"{caps['journal']:.0f} journal entries "
          f"({caps['journal_bytes'] / 2**20:.1f} MB counted), {caps['sequences']:.0f} sequences, "
          f"{caps['notifications']:.0f} notifications, {caps['runtime_scenarios']:.0f} runtime scenarios")



if __name__ == "__main__":
    main()

"""`mockums serve`'s log handler: a line after a quiet spell leaves at once, lines close together leave in
one write; the request line written without a log record is exactly the line logging would write."""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import sys
import threading
from collections.abc import Iterator

import pytest

from mockums.logs import BatchedStreamHandler, configure_logging, request_line_writer, zoned_time


class CountingStream(io.StringIO):
    """A stream that remembers each write."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[str] = []

    def write(self, text: str) -> int:
        self.writes.append(text)
        return super().write(text)


@contextlib.contextmanager
def only_ours() -> Iterator[None]:
    """The root logger with no handler but the one a test installs (pytest's capture, which it adds
    around each test's call, set aside)."""
    root = logging.getLogger()
    kept = root.handlers[:]
    root.handlers[:] = []
    try:
        yield
    finally:
        root.handlers[:] = kept


def test_a_line_after_a_quiet_spell_leaves_at_once_and_lines_close_together_leave_in_one_write() -> None:
    stream = CountingStream()
    handler = BatchedStreamHandler(stream, delay=0.05)

    async def busy() -> None:
        handler.write_line("first")
        assert stream.writes == ["first\n"]  # nobody waits for the line of a quiet server
        handler.write_line("second")
        handler.write_line("third")
        assert stream.writes == ["first\n"]
        await asyncio.sleep(0.2)
        assert stream.writes == ["first\n", "second\nthird\n"]  # one write for both
        handler.write_line("fourth")  # quiet again: at once
        assert stream.writes[-1] == "fourth\n"

    asyncio.run(busy())


def test_outside_the_loop_and_at_flush_nothing_waits() -> None:
    stream = CountingStream()
    handler = BatchedStreamHandler(stream, delay=60)

    async def burst() -> None:
        handler.write_line("a")
        handler.write_line("b")  # waits up to a minute for more lines

    asyncio.run(burst())
    assert stream.getvalue() == "a\n"
    handler.write_line("from another thread")  # no running loop here: written at once, after what waits
    assert stream.getvalue() == "a\nb\nfrom another thread\n"
    asyncio.run(burst())
    handler.flush()  # what logging.shutdown (and serve, when it stops) calls
    assert stream.getvalue().endswith("a\nb\n")


def test_records_go_through_the_same_batches() -> None:
    stream = CountingStream()
    handler = BatchedStreamHandler(stream, delay=60)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    record = logging.LogRecord("mockums", logging.WARNING, __file__, 1, "careful %s", ("now",), None)
    handler.handle(record)
    assert stream.getvalue() == "WARNING careful now\n"


def test_the_writer_writes_exactly_the_line_logging_would() -> None:
    stream = CountingStream()
    logger = logging.getLogger("mockums.http")
    message = "POST /v1/netpay/wx/app-pre-close -> 200 SUCCESS merOrderId=3194000001 scenario=None 0.1 ms"

    async def both() -> None:
        write = request_line_writer(logger)
        assert write is not None
        logger.info("%s", message)
        write("%s", message)

    with only_ours():
        handler = configure_logging("INFO", "text", stream, batched=True)
        asyncio.run(both())
        handler.flush()
    through_logging, direct = stream.getvalue().splitlines()
    stamp = len(zoned_time(0.0))
    assert direct[stamp:] == through_logging[stamp:] == f" INFO mockums.http: {message}"
    assert direct[:10] == through_logging[:10]  # the same date; times may differ by the milliseconds between


@pytest.mark.parametrize("setup", ["json", "plain handler", "second handler", "filter", "warning level"])
def test_anything_logging_would_write_differently_keeps_the_line_in_logging(setup: str) -> None:
    logger = logging.getLogger("mockums.http")
    with only_ours():
        handler = configure_logging("WARNING" if setup == "warning level" else "INFO",
                                    "json" if setup == "json" else "text", io.StringIO(),
                                    batched=setup != "plain handler")
        if setup == "second handler":
            logging.getLogger().addHandler(logging.NullHandler())
        if setup == "filter":
            handler.addFilter(lambda record: True)
        assert request_line_writer(logger) is None


def test_a_write_scheduled_on_a_loop_that_ended_does_not_hold_back_the_next_loops_lines() -> None:
    stream = CountingStream()
    handler = BatchedStreamHandler(stream, delay=0.05)

    async def burst() -> None:
        handler.write_line("a")
        handler.write_line("b")  # scheduled for 50 ms later, but the loop ends first

    async def quiet_lines() -> None:
        for name in ("c", "d"):
            await asyncio.sleep(0.06)
            handler.write_line(name)
            assert stream.getvalue().endswith(f"{name}\n")  # written at once, the earlier ones before it

    asyncio.run(burst())
    asyncio.run(quiet_lines())
    assert stream.getvalue() == "a\nb\nc\nd\n"


def test_a_line_the_stream_refuses_loses_only_itself(capsys: pytest.CaptureFixture[str]) -> None:
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="ascii", errors="strict")
    handler = BatchedStreamHandler(stream, delay=60)

    async def lines() -> None:
        handler.write_line("first")
        for line in ("a ok", "b merOrderId=订单1", "c ok"):
            handler.write_line(line)

    asyncio.run(lines())
    handler.flush()
    assert raw.getvalue() == b"first\na ok\nc ok\n"
    assert "a line was dropped" in capsys.readouterr().err


def test_lines_from_another_thread_are_never_lost() -> None:
    stream = CountingStream()
    handler = BatchedStreamHandler(stream, delay=0.001)
    handler.setFormatter(logging.Formatter("%(message)s"))
    count = 20_000
    switching = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # thread switches as often as possible, to provoke the race
    try:
        def other() -> None:
            for index in range(count):
                handler.handle(logging.LogRecord("t", logging.INFO, __file__, 1, f"t{index}", (), None))

        async def ours() -> None:
            loop = asyncio.get_running_loop()
            thread = threading.Thread(target=other)
            thread.start()
            for index in range(count):
                handler.write_line(f"l{index}", loop)
                if index % 500 == 0:
                    await asyncio.sleep(0)
            await asyncio.to_thread(thread.join)

        asyncio.run(ours())
    finally:
        sys.setswitchinterval(switching)
    handler.flush()
    assert len(stream.getvalue().splitlines()) == 2 * count


def test_a_deferred_line_is_formatted_when_written_in_its_place_among_the_others() -> None:
    stream = CountingStream()
    handler = BatchedStreamHandler(stream, delay=60)
    formatted: list[str] = []

    def line(name: str) -> str:
        formatted.append(name)
        return f"{name}\n"

    async def busy() -> None:
        loop = asyncio.get_running_loop()
        handler.write_line("first", loop)  # after a quiet spell: at once
        handler.add_line((line, ("second",)), loop)
        handler.write_line("third", loop)
        handler.add_line((line, ("fourth",)), loop)
        assert formatted == []  # waiting: nothing formatted yet
        handler.write_waiting()

    asyncio.run(busy())
    assert formatted == ["second", "fourth"]
    assert stream.writes == ["first\n", "second\nthird\nfourth\n"]

"""The two handles on a running sandbox, which differ only in how they send a control call: `Mockums`
blocks (urllib), `AsyncMockums` awaits (aiohttp). Everything else is in `methods.HandleMethods`."""

from __future__ import annotations

import asyncio
import contextlib
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Iterator
from typing import Any, TypeVar

from aiohttp import ClientSession, ClientTimeout

from mockums.config import DEMO_APP, App
from mockums.testing.calls import Call, ScenarioData, decode
from mockums.testing.conversation import Conversation, Pause
from mockums.testing.errors import MockumsError
from mockums.testing.methods import HandleMethods

__tracebackhide__ = True  # pytest shows the test's line, not this module's frames (--fulltrace does)

R = TypeVar("R")


class Mockums(HandleMethods):
    """A handle on a running sandbox, for tests: control calls, request signing and readable assertions.

    It is a client of the sandbox's control API (`/__mockums`), not a server. Every method is a plain
    blocking call (urllib, never through a proxy), safe from any thread and from async tests, so it goes
    with any HTTP client your code uses. The `mockums` pytest fixture is one of these.
    """

    def __init__(self, url: str, app: App = DEMO_APP, control_token: str | None = None, timeout: float = 10.0) -> None:
        super().__init__(url, app, control_token, timeout)
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy

    def _run(self, conversation: Conversation[R]) -> R:
        reply: tuple[int, Any] | None = None
        while True:
            try:
                step = conversation.send(reply)
            except StopIteration as done:
                return done.value  # type: ignore[no-any-return]
            if isinstance(step, Pause):
                time.sleep(step.seconds)
                reply = None
            else:
                reply = self._send(step)

    def _send(self, call: Call[Any]) -> tuple[int, Any]:
        request = urllib.request.Request(self.url + call.target(), data=call.body, method=call.method,
                                         headers=call.headers(self.control_token))
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return response.status, decode(response.read())
        except urllib.error.HTTPError as error:
            return error.code, decode(error.read())
        except urllib.error.URLError as error:
            raise MockumsError(f"mockums at {self.url} cannot be reached: {error.reason}") from error

    @contextlib.contextmanager
    def scenario(self, data: ScenarioData) -> Iterator[list[str]]:
        """`with mockums.scenario(yaml) as names:` the scenarios are in force inside the block only."""
        names = self.add_scenario(data)
        try:
            yield names
        finally:
            for name in names:
                with contextlib.suppress(MockumsError):
                    self.remove_scenario(name)


MockumsServer = Mockums  # the former name, deprecated (the README says so)
"""The former name of `Mockums`, kept working: the same class."""


class AsyncMockums(HandleMethods):
    """The same handle for async tests: every control call and assertion is a coroutine, sent with
    `session` (an aiohttp ClientSession the caller owns). The `mockums_aiohttp` pytest fixture is one."""

    def __init__(self, url: str, session: ClientSession, app: App = DEMO_APP, control_token: str | None = None,
                 timeout: float = 10.0) -> None:
        super().__init__(url, app, control_token, timeout)
        self.session = session

    async def _run(self, conversation: Conversation[R]) -> R:
        reply: tuple[int, Any] | None = None
        while True:
            try:
                step = conversation.send(reply)
            except StopIteration as done:
                return done.value  # type: ignore[no-any-return]
            if isinstance(step, Pause):
                await asyncio.sleep(step.seconds)
                reply = None
            else:
                reply = await self._send(step)

    async def _send(self, call: Call[Any]) -> tuple[int, Any]:
        async with self.session.request(call.method, self.url + call.target(), data=call.body,
                                        headers=call.headers(self.control_token),
                                        timeout=ClientTimeout(total=self.timeout)) as response:
            return response.status, decode(await response.read())

    @contextlib.asynccontextmanager
    async def scenario(self, data: ScenarioData) -> AsyncIterator[list[str]]:
        """`async with mockums.scenario(yaml) as names:` the scenarios are in force inside the block only."""
        names = await self.add_scenario(data)
        try:
            yield names
        finally:
            for name in names:
                with contextlib.suppress(MockumsError):
                    await self.remove_scenario(name)

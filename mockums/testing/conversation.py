"""How one method serves both handles: written once as a conversation, run blocking or as a coroutine.

A handle method that talks to the sandbox is written as a generator, a *conversation*: it yields each
control call it needs (`answer = yield from ask(call)`) and each pause it takes while polling
(`yield Pause(seconds)`), and returns the method's result. It does no I/O itself. Decorated with
`@SharedMethod` (see `methods.HandleMethods`), it is a method of both handles: `Mockums` runs the
conversation with blocking calls, `AsyncMockums` as a coroutine; the signature and docstring written once
are what both show.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable, Generator
from dataclasses import dataclass
from typing import Any, Concatenate, Generic, ParamSpec, Protocol, TypeVar, overload

from mockums.testing.calls import Call

__tracebackhide__ = True  # pytest shows the test's line, not this module's frames (--fulltrace does)

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")


@dataclass(frozen=True)
class Pause:
    """A step of a conversation: wait `seconds` (time.sleep in `Mockums`, asyncio.sleep in `AsyncMockums`)."""

    seconds: float


Step = Call[Any] | Pause
Conversation = Generator[Step, Any, T]
"""A conversation whose result is a T; what it is sent back is a call's (status, answer), or None after a pause."""


def ask(call: Call[T]) -> Conversation[T]:
    """Send one call and return its result: `result = yield from ask(call)` inside a conversation."""
    status, answer = yield call
    return call.finish(status, answer)


class Blocking(Protocol):
    """A handle that runs a conversation to its end and returns its result (`Mockums`)."""

    def _run(self, conversation: Conversation[T], /) -> T: ...


class Awaiting(Protocol):
    """A handle that runs a conversation as a coroutine (`AsyncMockums`)."""

    def _run(self, conversation: Conversation[T], /) -> Awaitable[T]: ...


class SharedMethod(Generic[P, R]):
    """A method of both handles, from one conversation: blocking on a `Mockums` (returns R), a coroutine on
    an `AsyncMockums` (returns Awaitable[R]).

    Read on the class, it is the conversation itself: `HandleMethods.journal(handle, ...)` is a generator
    another conversation can `yield from`.
    """

    def __init__(self, conversation: Callable[Concatenate[Any, P], Conversation[R]]) -> None:
        self.conversation = conversation
        functools.update_wrapper(self, conversation)
        # What help() and IDEs show: the method's arguments, not the generator it is written as; and once
        # bound to a handle, no `self`.
        signature = inspect.signature(conversation).replace(return_annotation=inspect.Signature.empty)
        self.__signature__ = signature
        self.bound_signature = signature.replace(parameters=list(signature.parameters.values())[1:])

    def __call__(self, handle: Any, /, *args: P.args, **kwargs: P.kwargs) -> Conversation[R]:
        return self.conversation(handle, *args, **kwargs)

    @overload
    def __get__(self, handle: None, owner: type[object]) -> SharedMethod[P, R]: ...

    @overload
    def __get__(self, handle: Blocking, owner: type[object]) -> Callable[P, R]: ...

    @overload
    def __get__(self, handle: Awaiting, owner: type[object]) -> Callable[P, Awaitable[R]]: ...

    def __get__(self, handle: Any, owner: type[object]) -> Any:
        if handle is None:
            return self
        bind = _coroutine if inspect.iscoroutinefunction(handle._run) else _blocking
        method = bind(handle, self.conversation)
        functools.update_wrapper(method, self.conversation)
        method.__qualname__ = f"{type(handle).__name__}.{self.conversation.__name__}"
        method.__signature__ = self.bound_signature  # type: ignore[union-attr]
        return method


def _blocking(handle: Any, conversation: Callable[..., Conversation[Any]]) -> Callable[..., Any]:
    def method(*args: Any, **kwargs: Any) -> Any:
        return handle._run(conversation(handle, *args, **kwargs))

    return method


def _coroutine(handle: Any, conversation: Callable[..., Conversation[Any]]) -> Callable[..., Awaitable[Any]]:
    async def method(*args: Any, **kwargs: Any) -> Any:
        return await handle._run(conversation(handle, *args, **kwargs))

    return method

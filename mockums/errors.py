"""Why a control operation could not be done: raised by the core facade, shown by each caller in its
own shape (the control API as a JSON problem with the error's `status`, the CLI as a message)."""

from __future__ import annotations

from typing import ClassVar


class ControlError(Exception):
    """A control operation refused; `message` says why, `details` carries extra JSON fields, and the class's
    `status` is the HTTP status the control API answers it with."""

    status: ClassVar[int] = 400

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class Invalid(ControlError):
    """The input does not make sense (bad JSON, a scenario that does not validate, a clock out of range)."""

    status = 400


class NotFound(ControlError):
    """No such order, scenario or notification."""

    status = 404


class Conflict(ControlError):
    """The thing exists but is not in a state that allows the operation (pay a closed order)."""

    status = 409


class OverCap(ControlError):
    """An upload, or what it would add to a store, is over a configured cap (the message names the setting)."""

    status = 413


class StoreUnavailable(ControlError):
    """The store that keeps the sandbox's state (Redis) cannot be reached; `message` says which and why. API
    requests answer the gateway's system-error shape, the control API 503."""

    status = 503

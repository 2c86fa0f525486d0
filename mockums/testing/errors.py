"""What a failed control call raises."""

from __future__ import annotations

from collections.abc import Sequence


class MockumsError(Exception):
    """A control call failed, or the sandbox could not be reached.

    `status` is the HTTP status the sandbox answered (0 when it never answered) and `answer` its decoded
    body (a JSON value, or the text when the body was not JSON).
    """

    def __init__(self, message: str, status: int = 0, answer: object = None) -> None:
        super().__init__(message)
        self.status = status
        self.answer = answer


class ScenarioError(MockumsError):
    """Scenarios that do not validate (nothing was added); `errors` lists each problem as `path:line: reason`."""

    def __init__(self, errors: Sequence[str], status: int = 400, answer: object = None) -> None:
        self.errors = list(errors)
        lines = "\n".join(f"  {error}" for error in self.errors)
        super().__init__(f"the scenarios do not validate; nothing was added:\n{lines}", status, answer)

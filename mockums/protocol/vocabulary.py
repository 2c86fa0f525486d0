"""How a product line's business answers speak: the code that means success, the catalogue of codes and
their default messages, the field the message goes in, and the answers it gives in named situations.

The netpay family answers `errCode` `SUCCESS` with `errMsg`; POS link answers `errCode` `00` with
`errInfo`. Each line states its vocabulary once; validation, scenarios and rendering read it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Situation:
    """A business answer given in one named situation: its code and message template.

    `evidence` says where the text comes from: "observed" (seen from the real gateway), "documented", or
    "ours".
    """

    err_code: str
    message: str
    when: str
    evidence: str = "ours"

    def text(self, **values: object) -> str:
        """The message with `{name}` placeholders filled in (one without braces, as it is: not parsed again)."""
        message = self.message
        return message.format(**values) if values or "{" in message or "}" in message else message


@dataclass(frozen=True)
class Vocabulary:
    """A product line's words for success and failure."""

    success: str  # the code of a successful answer: "SUCCESS", "00"
    catalogue: Mapping[str, str]  # every code the line answers, with its default message
    situations: Mapping[str, Situation]  # every named answer; `bad_request` and `abnormal_time` are required
    code_field: str = "errCode"
    message_field: str = "errMsg"  # or "errInfo"

    def __post_init__(self) -> None:
        missing = {"bad_request", "abnormal_time"} - set(self.situations)
        if missing:
            raise ValueError(f"a vocabulary needs the situations {sorted(missing)}")
        missing = {self.success, *(known.err_code for known in self.situations.values())} - set(self.catalogue)
        if missing:
            raise ValueError(f"codes missing from the catalogue: {sorted(missing)}")

    def message(self, err_code: str) -> str:
        """The catalogue's message for a code ("" for a code it does not list)."""
        return self.catalogue.get(err_code, "")

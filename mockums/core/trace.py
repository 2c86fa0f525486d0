"""What happened to one request (`Trace`) and the answer decided for it (`Reply`).

The trace keeps apart what authentication decided and what a scenario forced, so the journal can
say "signature ok; scenario forced gateway error 9200" rather than blaming the signature.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from mockums.auth.verdict import NO_DIAGNOSIS
from mockums.protocol import wire
from mockums.scenarios import Fault

NearMisses = Callable[[], tuple[str, ...]]

_SCHEME_OK = {"OPEN-BODY-SIG": "signature ok", "OPEN-ACCESS-TOKEN": "access token ok",
              "OPEN-FORM-PARAM": "form signature ok", "token-request": "token request signature ok"}


def _no_near_misses() -> tuple[str, ...]:
    return ()


@dataclass(slots=True)
class Trace:
    """Filled in as a request is handled; read by the journal and the log."""

    app_id: str | None = None
    mer_order_id: str | None = None  # the request's subject: its merOrderId (a bill's billNo…), as sent
    mid: str | None = None
    scheme: str | None = None
    auth_failure: str | None = None  # the gateway error key when the gateway itself refused the request
    auth_reason: str = ""
    # Replaced (never changed in place) when there is one; shared and empty otherwise.
    diagnosis: Mapping[str, object] = field(default_factory=lambda: NO_DIAGNOSIS)
    scenario: str | None = None
    scenario_reason: str = ""
    near_misses: NearMisses = _no_near_misses  # computed only when someone reads them
    forced: str | None = None  # what a scenario forced instead of the normal answer, in words
    request: bytes = b""
    warnings: tuple[str, ...] = ()  # a new tuple per warning: most requests draw none, and keep the shared ()

    def warn(self, *texts: str) -> None:
        """Add warnings (said on the request's log line, in the journal and, unless faithful, a header)."""
        if texts:
            self.warnings = (*self.warnings, *texts)

    def auth_view(self) -> dict[str, object]:
        """The authentication verdict: `ok`, or the gateway error key that refused the request."""
        view: dict[str, object] = {"scheme": self.scheme, "verdict": self.auth_failure or "ok",
                                   "reason": self.auth_reason}
        if self.diagnosis:
            view["diagnosis"] = dict(self.diagnosis)
        return view

    def scenario_view(self) -> dict[str, object]:
        """The scenario chosen (or None), why, what it forced, and the closest ones that did not match."""
        return {"name": self.scenario, "reason": self.scenario_reason, "forced": self.forced,
                "nearMisses": list(self.near_misses())}

    def why(self, err_code: str | None) -> str:
        """One sentence: why the request got its answer."""
        if self.auth_failure is not None:
            return f"refused ({self.auth_failure}): {self.auth_reason}"
        parts = [_SCHEME_OK.get(self.scheme or "", "accepted")]
        if self.forced:  # by a scenario, or by the request itself (a magic code whose answer is lost)
            parts.append(f"scenario {self.scenario} forced {self.forced}" if self.scenario else self.forced)
        elif self.scenario:
            parts.append(f"scenario {self.scenario}")
        else:
            parts.append("no scenario")
        if err_code and not self.forced:
            parts.append(f"answered {err_code}")
        return "; ".join(parts)


@dataclass(slots=True)
class Reply:
    """The answer decided for a request: performed by the HTTP shell after `delay` of sandbox time.

    Treated as immutable once the core returns it; `payload()` encodes the body once, for the wire
    and for the journal alike.
    """

    status: int
    body: Mapping[str, object]
    trace: Trace = field(default_factory=Trace)
    delay: float = 0.0
    fault: Fault | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    _payload: bytes | None = field(default=None, repr=False, compare=False)

    def payload(self) -> bytes:
        """The body as the gateway writes it (compact JSON, raw UTF-8), encoded at most once."""
        if self._payload is None:
            self._payload = wire.dumps(self.body)
        return self._payload

    @property
    def err_code(self) -> str:
        """The answer's errCode ("" when it has none), inside `{"data": …}` when the answer is wrapped."""
        body, inner = self.body, self.body.get("data")
        if "errCode" not in body and isinstance(inner, Mapping):
            body = inner
        return str(body.get("errCode", ""))

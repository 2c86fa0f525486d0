"""The sandbox core: one request in (path, Authorization header, body bytes), one `Reply` out.

No HTTP here. The aiohttp shell reads the request, calls `Sandbox.handle_api` or `handle_token`,
then performs the reply: waits `delay`, injects `fault`, or writes `status` + `body` + `headers`.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from mockums.auth.tokens import TokenStore
from mockums.auth.verdict import Authenticator, AuthPolicy
from mockums.clock import Clock, format_body_time
from mockums.config import Settings
from mockums.core.journal import Journal, clip
from mockums.ledger import rules as netpay
from mockums.ledger.generate import Generator
from mockums.ledger.orders import OrderStore
from mockums.protocol import ENDPOINTS, EndpointSpec, ValidationPolicy, validate_body
from mockums.protocol.business_errors import default_message
from mockums.protocol.gateway_errors import GatewayError, gateway_error_table
from mockums.scenarios import (
    Fault,
    LoadError,
    Scenario,
    ScenarioRegistry,
    SequenceTracker,
    Step,
    load_paths,
    render_fields,
)
from mockums.scenarios.active import ScenarioSet

log = logging.getLogger("mockums")

TOKEN_PATH = "/v1/token/access"
WARNING_HEADER = "X-Mockums-Warning"
SCENARIO_HEADER = "X-Mockums-Scenario"


@dataclass
class Trace:
    """What happened to one request, for logs and the journal; filled in as handling proceeds."""

    app_id: str | None = None
    mer_order_id: str | None = None
    scheme: str | None = None
    auth_failure: str | None = None  # the gateway error key when the request was refused
    auth_reason: str = ""
    diagnosis: Mapping[str, object] = field(default_factory=dict)
    scenario: str | None = None
    scenario_reason: str = ""
    near_misses: tuple[str, ...] = ()
    request: str = ""
    warnings: list[str] = field(default_factory=list)

    def auth_view(self) -> dict[str, object]:
        view: dict[str, object] = {"scheme": self.scheme, "verdict": self.auth_failure or "ok",
                                   "reason": self.auth_reason}
        if self.diagnosis:
            view["diagnosis"] = dict(self.diagnosis)
        return view


@dataclass(frozen=True)
class Reply:
    status: int
    body: Mapping[str, object]
    trace: Trace = field(default_factory=Trace)
    delay: float = 0.0
    fault: Fault | None = None
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def err_code(self) -> str:
        return str(self.body.get("errCode", ""))


class BodyError(ValueError):
    """The body is not a JSON object we can read; the message says why."""


def bundled_scenario_dir() -> Path:
    """The bundled scenarios: inside the wheel when installed, at the repository top otherwise."""
    package = Path(__file__).resolve().parents[1]
    packaged = package / "_bundled_scenarios"
    return packaged if packaged.is_dir() else package.parent / "scenarios"


def scenario_sources(settings: Settings) -> tuple[Path, ...]:
    bundled = (bundled_scenario_dir(),) if settings.bundled_scenarios else ()
    return (*bundled, *settings.scenario_paths)


def load_scenarios(settings: Settings) -> tuple[tuple[Scenario, ...], tuple[LoadError, ...]]:
    table = gateway_error_table(settings.gateway_errors)
    result = load_paths(scenario_sources(settings), gateway_errors=table.keys(), endpoints=ENDPOINTS.keys())
    return result.scenarios, result.errors


class ScenarioFilesError(ValueError):
    """Scenario files that do not validate; every error is listed, as path:line: reason."""

    def __init__(self, errors: Sequence[LoadError]) -> None:
        super().__init__("scenario files do not validate:\n" + "\n".join(f"  {error}" for error in errors))
        self.errors = tuple(errors)


class Sandbox:
    def __init__(self, settings: Settings, scenarios: tuple[Scenario, ...] | None = None,
                 clock: Clock | None = None) -> None:
        """`scenarios` None loads them from the settings' folders (bundled included); an empty tuple means none."""
        if scenarios is None:
            scenarios, errors = load_scenarios(settings)
            if errors:
                raise ScenarioFilesError(errors)
        self.settings = settings
        self.clock = clock or Clock()
        self.gateway_errors = gateway_error_table(settings.gateway_errors)
        self.tokens = TokenStore(settings.app_keys, self.clock, settings.token_lifetime,
                                 settings.max_live_tokens)
        self.authenticator = Authenticator(
            settings.app_keys, self.tokens, self.clock,
            AuthPolicy(settings.strict.header, settings.strict.timestamp, settings.skew_window),
        )
        self.validation = ValidationPolicy(settings.strict.request, settings.skew_window)
        self.orders = OrderStore()
        self.generator = Generator(settings.seed)
        self.ledger = netpay.Ledger(self.orders, self.generator)
        # Set by the HTTP shell when it runs a notifier; the pure core only hands events over.
        self.on_events: Callable[[Sequence[netpay.Event]], None] | None = None
        self.scenarios = ScenarioSet(scenario_sources(settings), self.gateway_errors.keys(), ENDPOINTS.keys(),
                                     self.clock.now, from_files=scenarios)
        self.sequences = SequenceTracker()
        self.journal = Journal(settings.journal_size)

    @property
    def registry(self) -> ScenarioRegistry:
        return self.scenarios.registry

    def dispatch(self, events: Sequence[netpay.Event]) -> None:
        if events and self.on_events is not None:
            self.on_events(events)

    def tick(self) -> None:
        """Fire what has fallen due (timed payments, refund settlements); called by a background loop."""
        self.dispatch(self.ledger.tick(self.clock.now()))

    def reset(self) -> None:
        """Everything back to a fresh start, except tokens (clients keep them) and files on disk."""
        self.orders.reset()
        self.ledger.forget_timers()
        self.sequences.reset()
        self.journal.clear()
        self.scenarios.reset()
        self.clock.reset()

    def reset_order(self, mid: str, mer_order_id: str) -> bool:
        """Forget one order: its state, its scenario sequences and its journal entries."""
        found = self.orders.remove(mid, mer_order_id)
        self.sequences.reset(_sequence_key({"mid": mid, "merOrderId": mer_order_id}))
        self.journal.forget_order(mer_order_id)
        return found

    # -- gateway ------------------------------------------------------------------------------

    def gateway_reply(self, key: str, reason: str, diagnosis: Mapping[str, object] | None = None,
                      trace: Trace | None = None) -> Reply:
        error: GatewayError = self.gateway_errors[key]
        body: dict[str, object] = dict(error.body())
        if diagnosis and not self.settings.faithful:
            # The expected signature is a signing oracle (send it back and you are in, no key needed):
            # the journal keeps it for the developer; the answer, which anyone who can connect reads, does not.
            body["diagnosis"] = {"failure": key, **{k: v for k, v in diagnosis.items() if k != "expected_signature"}}
        trace = trace or Trace()
        trace.auth_reason = reason
        trace.auth_failure = key
        trace.diagnosis = {"failure": key, **(diagnosis or {})}
        return Reply(error.status, body, trace)

    def _with_flags(self, reply: Reply) -> Reply:
        """Log warnings; show them and the chosen scenario as headers unless faithful mode is on."""
        trace = reply.trace
        for warning in trace.warnings:
            log.warning("%s", warning)
        if self.settings.faithful:
            return reply
        headers = dict(reply.headers)
        if trace.warnings:
            # Header values travel as ISO-8859-1 in many clients (Java's among them): keep them ASCII.
            headers[WARNING_HEADER] = " | ".join(trace.warnings).encode("ascii", "backslashreplace").decode()
        if trace.scenario:
            headers[SCENARIO_HEADER] = trace.scenario
        return replace(reply, headers=headers)

    # -- netpay API ---------------------------------------------------------------------------

    def handle_api(self, path: str, authorization: str | None, body: bytes,
                   content_type: str = "application/json") -> Reply:
        spec = ENDPOINTS.get(path)
        if spec is None:
            return self.gateway_reply("not_found", f"no endpoint {path}")
        # Parsed before authenticating, so even a refused request is journaled under its merOrderId.
        try:
            request: dict[str, object] | BodyError = read_json_object(body)
        except BodyError as error:
            request = error
        auth = self.authenticator.authenticate(authorization, body)
        trace = Trace(app_id=auth.app_id, scheme=auth.scheme, auth_reason=auth.reason, warnings=list(auth.warnings),
                      request=journal_text(body))
        if isinstance(request, dict):
            trace.mer_order_id = _order_id_text(request.get("merOrderId"))
        if content_type != "application/json":
            trace.warnings.append(f"Content-Type is {content_type!r}; ChinaUMS clients send application/json")
        if auth.failure is not None:
            log.info("refused %s: %s (appId=%s)", path, auth.reason, auth.app_id)
            return self._with_flags(self.gateway_reply(auth.failure, auth.reason, auth.diagnosis, trace))
        if isinstance(request, BodyError):
            return self._with_flags(self._business(spec, {}, "BAD_REQUEST", f"请求报文有错: {request}", trace))
        return self._with_flags(self._answer(spec, request, trace))

    def _answer(self, spec: EndpointSpec, request: dict[str, object], trace: Trace) -> Reply:
        selection = self.registry.choose(spec.path, request)
        trace.scenario_reason, trace.near_misses = selection.reason, selection.near_misses
        scenario = selection.scenario
        step: Step | None = None
        if scenario is not None:
            trace.scenario = scenario.name
        if scenario is not None and scenario.steps:
            step = self.sequences.next_step(scenario, _sequence_key(request)).step
            if step.gateway_error:
                reason = f"forced by scenario {scenario.name}"
                reply = self.gateway_reply(step.gateway_error, reason, {"reason": reason}, trace)
                return replace(reply, delay=step.delay)
            if step.fault:
                return Reply(200, {}, trace, delay=step.delay, fault=step.fault)
        delay = step.delay if step else 0.0
        checked = validate_body(request, spec.request, self.validation, self.clock, spec.one_of)
        trace.warnings.extend(checked.warnings)
        if checked.violations:
            message = "请求报文有错: " + "; ".join(str(v) for v in checked.violations)
            return self._business(spec, request, "BAD_REQUEST", message, trace, delay)
        if checked.abnormal_time:
            message = f"{default_message('ABNORMAL_REQUEST_TIME')}: {checked.abnormal_time}"
            return self._business(spec, request, "ABNORMAL_REQUEST_TIME", message, trace, delay)
        now = self.clock.now()
        overrides = self._render_overrides(step, request, now)
        forced_code = overrides.get("errCode")
        if forced_code not in (None, "SUCCESS"):
            # A scripted failure: the operation did not happen, so the order is left as it was.
            forced_msg = overrides.get("errMsg")
            result = netpay.failure(str(forced_code), None if forced_msg is None else str(forced_msg))
        else:
            result = self.ledger.perform(netpay.Call(
                spec, request, now, trace.app_id, self.settings.strict.orders,
                step.order_status if step else None, scenario.lifecycle if scenario else None,
            ))
            self.dispatch(result.events)
            if forced_code == "SUCCESS" and result.err_code != "SUCCESS":
                # `errCode: SUCCESS` lets the operation run; when the order's own rules refuse it,
                # their answer stands rather than a success the gateway would never send.
                trace.warnings.append(f"scenario {trace.scenario} scripts a success, but the order's rules "
                                      f"answer {result.err_code}")
                overrides = {}
        merged = {**netpay.render_answer(spec, request, result, now), **overrides}
        answer = {key: value for key, value in merged.items() if value is not None}
        return Reply(200, answer, trace, delay=delay)

    def _render_overrides(self, step: Step | None, request: Mapping[str, object],
                          now: float) -> dict[str, object]:
        if step is None or not step.fields:
            return {}
        faker = self.generator.faker_for("template", request.get("mid"), request.get("merOrderId"), now)
        return render_fields(step.fields, request, faker, format_body_time(self.clock.beijing()))

    def _business(self, spec: EndpointSpec, request: Mapping[str, object], err_code: str,
                  err_msg: str, trace: Trace, delay: float = 0.0) -> Reply:
        answer = netpay.render_answer(spec, request, netpay.failure(err_code, err_msg), self.clock.now())
        return Reply(200, answer, trace, delay=delay)

    # -- token endpoint -----------------------------------------------------------------------

    def handle_token(self, body: bytes) -> Reply:
        return self._with_flags(self._token(body))

    def _token(self, raw: bytes) -> Reply:
        try:
            request = read_json_object(raw)
        except BodyError as error:
            return self.gateway_reply("bad_token_request", str(error), {"reason": str(error)})
        auth = self.authenticator.check_token_request(request)
        trace = Trace(app_id=auth.app_id, scheme=auth.scheme, auth_reason=auth.reason, warnings=list(auth.warnings),
                      request=journal_text(raw))
        if auth.failure is not None or auth.app_id is None:
            return self.gateway_reply(auth.failure or "bad_token_request", auth.reason, auth.diagnosis, trace)
        body = {"errCode": "0000", "errInfo": "正常", "accessToken": self.tokens.issue(auth.app_id),
                "expiresIn": self.tokens.lifetime}
        return Reply(200, body, trace)


def _order_id_text(value: object) -> str | None:
    """A merOrderId as text (clients send numeric ids too), for the journal and sequences."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    return str(value)


def _sequence_key(request: Mapping[str, object]) -> str:
    return f"{request.get('mid', '')}\x1f{request.get('merOrderId', '')}"


def journal_text(raw: bytes) -> str:
    return clip(raw.decode("utf-8", "replace"))


def read_json_object(raw: bytes) -> dict[str, object]:
    """The request's JSON object; `{"data": {...}}` (the SDKs' needDataTag) is unwrapped."""
    if not raw.strip():
        raise BodyError("the body is empty; expected a JSON object")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BodyError(f"the body is not UTF-8 (byte {error.start})") from None
    try:
        data = json.loads(text)
    except RecursionError:
        raise BodyError("the JSON is nested too deeply") from None
    except ValueError as error:
        raise BodyError(f"the body is not valid JSON ({error})") from None
    if not isinstance(data, dict):
        raise BodyError(f"the body is a JSON {type(data).__name__}, expected an object")
    wrapped = data.get("data")
    if len(data) == 1 and isinstance(wrapped, str):
        with contextlib.suppress(ValueError):
            wrapped = json.loads(wrapped)
    if len(data) == 1 and isinstance(wrapped, dict):
        return wrapped
    return data


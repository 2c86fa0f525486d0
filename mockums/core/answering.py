"""From one request (path, Authorization header, body bytes) to one `Reply`: authenticate, choose the
scenario, validate, apply the order's rules, render the answer. Pure: no HTTP, no waiting."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from mockums.auth.tokens import TokenStore
from mockums.auth.verdict import Authenticator, AuthPolicy
from mockums.clock import Clock, format_body_time
from mockums.config import Settings
from mockums.core.trace import Reply, Trace
from mockums.ledger.calls import Call, Event, Outcome
from mockums.ledger.generate import Generator
from mockums.limits import MAX_JSON_DEPTH
from mockums.lines.line import Book
from mockums.lines.registry import Registry
from mockums.protocol import wire
from mockums.protocol.answers import render_answer
from mockums.protocol.clipping import ID_CHARS, LINE_CHARS, clip, clip_id
from mockums.protocol.deviations import Deviation, accept_known, strict_notes
from mockums.protocol.fields import ValidationPolicy, validate_body
from mockums.protocol.gateway_errors import GatewayError
from mockums.protocol.spec import EndpointSpec
from mockums.protocol.vocabulary import Vocabulary
from mockums.scenarios import ScenarioRegistry, SequenceTracker
from mockums.scenarios.script import Script, script_for

WARNING_HEADER = "X-Mockums-Warning"
SCENARIO_HEADER = "X-Mockums-Scenario"


class BodyError(ValueError):
    """The body is not a JSON object we can read; the message says why. `parsed` is the object when it was
    read but refused (nested too deeply): the journal still files the request under its ids."""

    def __init__(self, message: str, parsed: dict[str, object] | None = None) -> None:
        super().__init__(message)
        self.parsed = parsed


def read_json_object(raw: bytes) -> dict[str, object]:
    """The request's JSON object; `{"data": {...}}` (the SDKs' needDataTag) is unwrapped."""
    return read_json_body(raw)[0]


def read_json_body(raw: bytes) -> tuple[dict[str, object], bool]:
    """The request's JSON object, and whether it came wrapped as `{"data": {...}}` (needDataTag)."""
    data = wire.read_exactly(raw)
    if data is wire.NOT_READ:  # empty, not JSON, or JSON only the standard library reads exactly
        data = _read_with_json(raw)
    # Counting brackets is cheap; only a body with more of them than the depth allowed is walked.
    # A body shorter than the limit cannot nest deeper than it: most are not counted at all.
    if len(raw) > MAX_JSON_DEPTH and raw.count(b"{") + raw.count(b"[") > MAX_JSON_DEPTH and too_deep(data):
        raise BodyError(f"the JSON is nested too deeply (more than {MAX_JSON_DEPTH} levels)",
                        data if isinstance(data, dict) else None)
    if not isinstance(data, dict):
        raise BodyError(f"the body is a JSON {type(data).__name__}, expected an object")
    wrapped = data.get("data")
    if len(data) == 1 and isinstance(wrapped, str):
        with contextlib.suppress(ValueError, RecursionError):  # a string `data` may hold JSON text
            wrapped = json.loads(wrapped)
        if isinstance(wrapped, dict) and too_deep(wrapped):
            raise BodyError(f"the JSON in data is nested too deeply (more than {MAX_JSON_DEPTH} levels)", wrapped)
    if len(data) == 1 and isinstance(wrapped, dict):
        return wrapped, True
    return data, False


def too_deep(value: object, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether objects and arrays nest in `value` more than `limit` levels (walked without recursion)."""
    pending: list[tuple[object, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        for child in children:
            if isinstance(child, (dict, list)):
                if depth >= limit:
                    return True
                pending.append((child, depth + 1))
    return False


def _read_with_json(raw: bytes) -> object:
    """The body read by the standard library, or BodyError saying what is wrong with it."""
    if not raw.strip():
        raise BodyError("the body is empty; expected a JSON object")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BodyError(f"the body is not UTF-8 (byte {error.start})") from None
    try:
        return json.loads(text)
    except RecursionError:
        raise BodyError(f"the JSON is nested too deeply (more than {MAX_JSON_DEPTH} levels)") from None
    except ValueError as error:
        raise BodyError(f"the body is not valid JSON ({error})") from None


def order_id_text(value: object) -> str | None:
    """A merOrderId as text (clients send numeric ids too), for the journal and sequences."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    return str(value)


def shown_id(value: object) -> str | None:
    """An id as the journal and the log show it: its text (`order_id_text`), clipped (`clip_id`)."""
    if type(value) is str:  # the common case, without the detours
        return value if len(value) <= ID_CHARS else clip(value, ID_CHARS)
    return clip_id(order_id_text(value))


@dataclass(frozen=True, slots=True)
class Endpoint:
    """An endpoint as the core answers it: its table, its line's vocabulary, deviations and book."""

    spec: EndpointSpec
    vocabulary: Vocabulary
    deviations: tuple[Deviation, ...]
    book: Book


class Answerer:
    """Decides the reply to each API and token request; hands the events rules report to `dispatch`."""

    def __init__(self, settings: Settings, clock: Clock, gateway_errors: Mapping[str, GatewayError],
                 tokens: TokenStore, lines: Registry, books: Mapping[str, Book], generator: Generator,
                 sequences: SequenceTracker, scenarios: Callable[[], ScenarioRegistry],
                 dispatch: Callable[[Sequence[Event]], None]) -> None:
        self.settings = settings
        self.clock = clock
        self.gateway_errors = gateway_errors
        self.tokens = tokens
        self.generator = generator
        self.sequences = sequences
        self.scenarios = scenarios
        self.dispatch = dispatch
        self.endpoints = {path: Endpoint(spec, line.vocabulary, line.deviations, books[line.name])
                          for path, spec in lines.endpoints.items() for line in (lines.line_of[path],)}
        # Which family of lines each endpoint answers for: a scenario speaks for an order only within its own.
        self.family_of = {path: family.name for family in lines.families for path in family.endpoints}
        policy = AuthPolicy(settings.strict.header, settings.strict.timestamp, settings.skew_window)
        self.authenticator = Authenticator(settings.app_keys, tokens, clock, policy)
        self.validation = ValidationPolicy(settings.strict.request, settings.skew_window)

    # -- gateway ------------------------------------------------------------------------------

    def gateway_reply(self, key: str, reason: str, diagnosis: Mapping[str, object] | None = None,
                      trace: Trace | None = None) -> Reply:
        """The gateway refuses the request itself (authentication, unknown path, oversized body)."""
        trace = trace or Trace()
        # Reasons and diagnoses quote what the client sent (an appId, a nonce, a path): clipped, so a
        # hostile value costs a few hundred characters in the answer, the journal and the log.
        reason = clip(reason)
        diagnosis = {name: clip(value, 2 * LINE_CHARS) if isinstance(value, str) else value
                     for name, value in (diagnosis or {}).items()}
        trace.auth_reason = reason
        trace.auth_failure = key
        trace.diagnosis = {"failure": key, **diagnosis}
        return Reply(self.gateway_errors[key].status, self._gateway_body(key, diagnosis), trace)

    def _gateway_body(self, key: str, diagnosis: Mapping[str, object] | None) -> dict[str, object]:
        body: dict[str, object] = dict(self.gateway_errors[key].body())
        if diagnosis and not self.settings.faithful:
            # The expected signature is a signing oracle (send it back and you are in, no key needed):
            # the journal keeps it for the developer; the answer, which anyone who can connect reads, does not.
            body["diagnosis"] = {"failure": key, **{k: v for k, v in diagnosis.items() if k != "expected_signature"}}
        return body

    def with_flags(self, reply: Reply) -> Reply:
        """Show the warnings and the chosen scenario as headers, unless faithful mode is on.

        The warnings are logged once, on the request's own log line (`Sandbox._record`).
        """
        trace = reply.trace
        if trace.warnings:
            trace.warnings = tuple(clip(warning) for warning in trace.warnings)  # they may quote a header or a value
        if self.settings.faithful or not (trace.warnings or trace.scenario):
            return reply
        headers = dict(reply.headers)
        if trace.warnings:
            # Header values travel as ISO-8859-1 in many clients (Java's among them): keep them ASCII.
            headers[WARNING_HEADER] = " | ".join(trace.warnings).encode("ascii", "backslashreplace").decode()
        if trace.scenario:
            headers[SCENARIO_HEADER] = trace.scenario
        reply.headers = headers  # still ours: the reply is handed out only after this
        return reply

    # -- netpay API ---------------------------------------------------------------------------

    def api(self, path: str, authorization: str | None, body: bytes, content_type: str,
            request_base: str = "") -> Reply:
        """A request to an API path other than the token endpoint."""
        endpoint = self.endpoints.get(path)
        if endpoint is None:
            return self.gateway_reply("not_found", f"no endpoint {path}", trace=Trace(request=body))
        spec = endpoint.spec
        if spec.method != "POST":
            return self.gateway_reply("method_not_allowed", f"POST {path}: this H5 path takes a GET with "
                                      "OPEN-FORM-PARAM in the query", trace=Trace(request=body))
        # Parsed before authenticating, so even a refused request is journaled under its merOrderId.
        request: dict[str, object] | BodyError
        wrapped = False
        try:
            request, wrapped = read_json_body(body)
        except BodyError as error:
            request = error
        auth = self.authenticator.authenticate(authorization, body)
        trace = Trace(app_id=auth.app_id, scheme=auth.scheme, auth_reason=auth.reason,  # at most a header long
                      warnings=auth.warnings, request=body)
        subject = self._file(endpoint, request, trace)
        if content_type != "application/json":
            trace.warn(f"Content-Type is {content_type!r}; ChinaUMS clients send application/json")
        if auth.failure is not None:  # logged, with its reason, on the request's line
            return self.with_flags(self.gateway_reply(auth.failure, auth.reason, auth.diagnosis, trace))
        if isinstance(request, BodyError):
            return self.with_flags(self._said(endpoint, {}, "bad_request", trace, details=request))
        reply = self._answer(endpoint, request, subject, trace, request_base)
        if wrapped and reply.status == 200 and reply.fault is None and self.settings.app(trace.app_id).wrap_answers:
            # Unconfirmed: whether the gateway wraps answers to wrapped requests is not known (flat by default).
            reply = replace(reply, body={"data": dict(reply.body)})
        return self.with_flags(reply)

    @staticmethod
    def _file(endpoint: Endpoint, request: dict[str, object] | BodyError, trace: Trace) -> object:
        """The request's subject (its merOrderId, say), and its ids on the trace for the journal; also for a
        body read but refused."""
        read = request.parsed if isinstance(request, BodyError) else request
        if read is None:
            return None
        subject = endpoint.book.subject(endpoint.spec, read)
        trace.mer_order_id, trace.mid = shown_id(subject), shown_id(read.get(endpoint.spec.merchant_field))
        return subject

    def form(self, path: str, raw_query: str, base_url: str) -> Reply:
        """A GET to an H5 path: OPEN-FORM-PARAM in the query, the order in `content`; a created order is
        answered with HTTP 302 to the cashier page (no body), anything else as the POST paths answer."""
        endpoint = self.endpoints.get(path)
        if endpoint is None:
            return self.gateway_reply("not_found", f"no endpoint {path}", trace=Trace(request=raw_query.encode()))
        spec = endpoint.spec
        if spec.method != "GET":
            return self.gateway_reply("method_not_allowed", f"GET {path}: this path takes a POST",
                                      trace=Trace(request=raw_query.encode()))
        auth, params = self.authenticator.authenticate_form(raw_query)
        content = params.content.encode() if params is not None else raw_query.encode()
        try:
            request: dict[str, object] | BodyError = read_json_object(content)
        except BodyError as error:
            request = error
        trace = Trace(app_id=auth.app_id, scheme=auth.scheme, auth_reason=auth.reason, warnings=auth.warnings,
                      request=content)
        subject = self._file(endpoint, request, trace)
        if auth.failure is not None or auth.app_id is None:
            return self.with_flags(self.gateway_reply(auth.failure or "malformed_authorization", auth.reason,
                                                      auth.diagnosis, trace))
        if isinstance(request, BodyError):
            return self.with_flags(self._said(endpoint, {}, "bad_request", trace, details=request))
        reply = self._answer(endpoint, request, subject, trace, base_url)
        if reply.status == 200 and reply.fault is None:
            if reply.err_code == endpoint.vocabulary.success:
                location = endpoint.book.redirect(spec, request, auth.app_id, base_url)
            elif trace.forced is None:  # a scripted refusal stands
                location = endpoint.book.reopen(spec, request, auth.app_id, base_url, reply.err_code)
                if location is not None:
                    trace.warn(f"the create answered {reply.err_code}: this link made the order before, so the "
                               "browser goes to its cashier again")
            else:
                location = None
            if location is not None:
                reply = Reply(302, {}, trace, delay=reply.delay, headers={"Location": location})
        return self.with_flags(reply)

    def _answer(self, endpoint: Endpoint, request: dict[str, object], subject: object, trace: Trace,
                base_url: str = "") -> Reply:
        spec, vocabulary = endpoint.spec, endpoint.vocabulary
        # Scenarios match a line's subject (a bill's billNo…) as its merOrderId.
        matched = request if subject is request.get("merOrderId") else {**request, "merOrderId": subject}
        if spec.merchant_field != "mid":  # a sequence counts per mid and merOrderId, whatever the line calls them
            matched = {**matched, "mid": request.get(spec.merchant_field)}
        script = script_for(self.scenarios(), self.sequences, spec.path, matched)
        selection = script.selection
        trace.scenario_reason, trace.near_misses = selection.reason, selection.explain
        trace.scenario = script.scenario.name if script.scenario else None
        if script.gateway_error:
            # The signature was fine: the refusal is the scenario's, and the trace says so.
            error = self.gateway_errors[script.gateway_error]
            trace.forced = f"gateway error {error.err_code} ({script.gateway_error})"
            body = self._gateway_body(script.gateway_error, {"reason": f"forced by scenario {trace.scenario}"})
            return Reply(error.status, body, trace, delay=script.delay)
        if script.fault:
            trace.forced = f"fault {script.fault}"
            return Reply(200, {}, trace, delay=script.delay, fault=script.fault)
        checked = validate_body(request, spec.request, self.validation, self.clock, spec.one_of)
        trace.warn(*checked.warnings)
        violations = checked.violations
        if violations and not self.validation.strict:  # what published clients send, the tables do not list
            violations, deviations = accept_known(endpoint.deviations, spec.path, violations, request)
            trace.warn(*deviations)
        if checked.unreadable_time:  # the gateway could not read a time it parses itself (an H5 content's)
            return self.gateway_reply("content_timestamp", checked.unreadable_time,
                                      {"reason": checked.unreadable_time}, trace)
        if violations:
            notes = strict_notes(endpoint.deviations, spec.path, violations, request) if self.validation.strict else ()
            details = "; ".join((*(str(v) for v in violations), *notes))
            return self._said(endpoint, request, "bad_request", trace, script.delay, details=details)
        if checked.abnormal_time:
            return self._said(endpoint, request, "abnormal_time", trace, script.delay, details=checked.abnormal_time)
        now = self.clock.now()
        overrides = self._overrides(script, request, now)
        call = Call(spec, request, now, trace.app_id, self._implied_by(script, spec.path), script.order_status,
                    script.lifecycle, base_url, script.implied_order)
        forced_code = overrides.get(vocabulary.code_field)
        if forced_code not in (None, vocabulary.success):
            # A scripted failure: the operation did not happen, so the order is left as it was.
            forced_msg = overrides.get(vocabulary.message_field)
            trace.forced = f"{vocabulary.code_field} {forced_code}"
            code = str(forced_code)
            result = Outcome(code, vocabulary.message(code) if forced_msg is None else str(forced_msg))
            endpoint.book.refused(call, result)
        else:
            result = endpoint.book.perform(call)
            self.dispatch(result.events)
            lost = endpoint.book.lost_answer(call, result)
            if lost is not None:  # the operation happened; its answer never reaches the client
                trace.forced = f"fault {lost.fault} ({lost.why})"
                return Reply(200, {}, trace, delay=script.delay, fault=lost.fault)
            if forced_code == vocabulary.success and result.err_code != vocabulary.success:
                # `errCode: SUCCESS` lets the operation run; when the order's own rules refuse it,
                # their answer stands rather than a success the gateway would never send.
                trace.warn(f"scenario {trace.scenario} scripts a success, but the order's rules "
                                      f"answer {result.err_code}")
                overrides = {}
        answer = self._render(endpoint, request, result, now)  # leaves out fields without a value
        if overrides:  # a scenario's fields win; None removes one
            merged = {**answer, **overrides}
            answer = {key: value for key, value in merged.items() if value is not None}
        return Reply(200, answer, trace, delay=script.delay)

    def _implied_by(self, script: Script, path: str) -> str | None:
        """Why an order never created may be taken to exist; None when nothing speaks for it. A scenario narrowed
        to some endpoints speaks for its ids only on the endpoints of the same family of lines (netpay's stories
        make no POS-link payment exist)."""
        owner = script.selection.owner
        if owner is not None and (not owner.match.endpoints or self.family_of.get(path) in {
                self.family_of.get(named) for named in owner.match.endpoints}):
            return f"scenario {owner.name} speaks for this merOrderId"
        return "assume_orders is on" if self.settings.assume_orders else None

    def _overrides(self, script: Script, request: Mapping[str, object], now: float) -> dict[str, object]:
        if not script.wants_fields():
            return {}
        faker = self.generator.faker_for("template", request.get("mid"), request.get("merOrderId"), now)
        return script.overrides(request, faker, format_body_time(self.clock.beijing()))

    def _said(self, endpoint: Endpoint, request: Mapping[str, object], name: str, trace: Trace, delay: float = 0.0,
              **details: object) -> Reply:
        """The line's answer in one named situation (a bad request, a request time out of bounds)."""
        known = endpoint.vocabulary.situations[name]
        outcome = Outcome(known.err_code, known.text(**details))
        return Reply(200, self._render(endpoint, request, outcome, self.clock.now()), trace, delay=delay)

    @staticmethod
    def _render(endpoint: Endpoint, request: Mapping[str, object], result: Outcome, now: float) -> dict[str, object]:
        """The JSON answer for an outcome; without an order, an error answer carries only the echo fields."""
        full = result.err_code == endpoint.vocabulary.success or result.order is not None
        return render_answer(endpoint.spec, request, result.err_code, result.err_msg, result.values, full, now)

    # -- token endpoint -----------------------------------------------------------------------

    def token(self, raw: bytes) -> Reply:
        """POST /v1/token/access: a signed request for an access token."""
        return self.with_flags(self._token(raw))

    def _token(self, raw: bytes) -> Reply:
        try:
            request = read_json_object(raw)
        except BodyError as error:
            return self.gateway_reply("bad_token_request", str(error), {"reason": str(error)}, Trace(request=raw))
        auth = self.authenticator.check_token_request(request)
        # A refused appId is whatever the body said: clipped; an accepted one is a configured app's.
        trace = Trace(app_id=auth.app_id if auth.failure is None else clip_id(auth.app_id), scheme=auth.scheme,
                      auth_reason=auth.reason, warnings=auth.warnings, request=raw)
        if auth.failure is not None or auth.app_id is None:
            return self.gateway_reply(auth.failure or "bad_token_request", auth.reason, auth.diagnosis, trace)
        body = {"errCode": "0000", "errInfo": "正常", "accessToken": self.tokens.issue(auth.app_id),
                "expiresIn": self.tokens.lifetime}
        return Reply(200, body, trace)

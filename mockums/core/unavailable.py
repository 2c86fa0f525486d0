"""The answer to a request the store failed in the middle of (Redis lost while serving): the request's line's
`system_error` situation, its message saying why, or the gateway's `store_unavailable` where no line's words
answer (the token endpoint). Nothing was done, and nothing is journaled: the journal is in the store too."""

from __future__ import annotations

from mockums.core.answering import Answerer, BodyError, read_json_object
from mockums.core.trace import Reply, Trace
from mockums.ledger.calls import Outcome
from mockums.protocol.clipping import clip


def unavailable_reply(answerer: Answerer, path: str, body: bytes, reason: str, now: float) -> Reply:
    """The reply for `path` (with the request's `body`, b"" for a GET) when the store cannot be reached because of
    `reason`; `now` is the answer's time (the sandbox clock may be what cannot be read)."""
    trace = Trace(request=body)
    trace.warn(f"the store is unavailable: {reason}")
    endpoint = answerer.endpoints.get(path)
    known = endpoint.vocabulary.situations.get("system_error") if endpoint is not None else None
    if endpoint is None or known is None:
        return answerer.with_flags(answerer.gateway_reply("store_unavailable", reason, {"reason": reason}, trace))
    try:
        request = read_json_object(body) if endpoint.spec.method == "POST" else {}
    except BodyError:
        request = {}
    answerer._file(endpoint, request, trace)
    outcome = Outcome(known.err_code, known.text(details=clip(reason)))
    return answerer.with_flags(Reply(200, answerer._render(endpoint, request, outcome, now), trace))

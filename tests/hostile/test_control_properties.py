"""Generated hostile input on the control API: every route with any method, path parameters, query
strings and bodies (JSON of any shape, YAML text, bytes). Every answer is JSON, a problem is
`{"error": …}` with a 4xx status (never a 500), nothing is logged with a traceback, no key leaks."""

from __future__ import annotations

import json
import re
from urllib.parse import quote, unquote, urlencode, urlsplit

from hostile_kit import DEEP_TEXT, HOSTILE_VALUES, JSON_VALUES, Hostile, control_shape, hostile
from hypothesis import given
from hypothesis import strategies as st

from mockums.limits import CONTROL_PREFIX
from mockums.server.control import ROUTES

__all__ = ["hostile"]  # the fixture, imported for the tests below

# Paying or notifying sends a notification: left to the ordinary tests, so nothing here posts anywhere.
SAFE_ROUTES = [route for route in ROUTES if not route.path.endswith(("/pay", "/notify", "/redeliver"))]
PATH_TEXT = st.one_of(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1,
                              max_size=40), st.sampled_from(["..", "%2F", "898201612345678", "a" * 3000]))
YAML_TEXT = st.one_of(
    st.text(max_size=400),
    DEEP_TEXT.map(lambda text: "scenarios: " + text),
    st.sampled_from(["scenarios: [*a]", "a: &a [*a]", "scenarios:\n  - name: x\n    match: {merOrderId: 1}\n",
                     "!!python/object:os.system 'true'", "scenarios: !!set {a, b}", "- - - - -", "\t\tscenarios:",
                     "scenarios:\n" + "  - {name: n, match: {merOrderIdPrefix: P}, respond: {delay: 301}}\n" * 3]),
)
CLOCK_BODIES = st.fixed_dictionaries({}, optional={"freeze": HOSTILE_VALUES, "set": HOSTILE_VALUES,
                                                   "advance": st.one_of(HOSTILE_VALUES, st.floats())})


def fill(path: str, values: list[str]) -> str:
    """The route's path with each `{parameter}` replaced by a generated value (percent-encoded)."""
    parts = iter(values)
    return re.sub(r"\{\w+\}", lambda _: quote(next(parts, "x"), safe=""), path)


def pattern(path: str) -> re.Pattern[str]:
    """The control paths a route answers, as aiohttp matches them (a parameter is one path segment, without
    braces)."""
    return re.compile(re.escape(CONTROL_PREFIX) + re.sub(r"\\\{\w+\\\}", "[^{}/]+", re.escape(path)))


@st.composite
def control_calls(draw: st.DrawFn) -> tuple[str, str, bytes, str]:
    route = draw(st.sampled_from(SAFE_ROUTES))
    method = draw(st.one_of(st.just(route.method), st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH",
                                                                    "TRACE", "OPTIONS", "HEAD"])))
    target = CONTROL_PREFIX + fill(route.path, draw(st.lists(PATH_TEXT, min_size=3, max_size=3)))
    query = draw(st.dictionaries(st.sampled_from([*route.query, "since", "limit", "x"]), PATH_TEXT, max_size=3))
    if query:
        target += "?" + urlencode(query)
    kind = draw(st.sampled_from(["json", "yaml", "bytes", "clock", "none"]))
    content_type = "application/yaml" if kind == "yaml" else "application/json"
    body = {
        "json": lambda: json.dumps(draw(st.one_of(JSON_VALUES, st.dictionaries(st.text(max_size=10), HOSTILE_VALUES,
                                                                               max_size=4)))),
        "yaml": lambda: draw(YAML_TEXT),
        "bytes": lambda: draw(st.binary(max_size=300)).decode("latin-1"),
        "clock": lambda: json.dumps(draw(CLOCK_BODIES)),
        "none": lambda: "",
    }[kind]()
    return method, target, body.encode("utf-8", "surrogatepass"), content_type


@given(call=control_calls())
def test_any_control_call_gets_json_and_never_a_500(hostile: Hostile, call: tuple[str, str, bytes, str]) -> None:
    method, target, body, content_type = call
    start = len(hostile.sink.records)
    exchange = hostile.send(method, target, body, {"Content-Type": content_type})
    if method == "HEAD":  # no body comes back by definition; the status still may not be a 500
        assert exchange.status < 500
    else:
        control_shape(exchange)
    path = unquote(urlsplit(target).path)
    matching = [route for route in ROUTES if pattern(route.path).fullmatch(path)]
    if any("{" not in route.path for route in matching):  # a literal path is its own call, not a parameter value
        matching = [route for route in matching if "{" not in route.path]
    allowed = sorted({route.method for route in matching})
    if allowed and method not in allowed:
        assert (exchange.status, dict(exchange.headers).get("Allow")) == (405, ", ".join(allowed)), exchange.text
    hostile.check_logs(start)
    # Whatever the call did (a scenario added, the clock moved), the sandbox still answers.
    reset = hostile.send("POST", CONTROL_PREFIX + "/reset")
    assert reset.status == 200, reset.text
    clock = hostile.send("GET", CONTROL_PREFIX + "/clock")
    assert clock.status == 200, clock.text

"""The two OpenAPI documents are usable by tools: schemathesis (default checks) finds nothing wrong with the
control API, real answers match the documented shapes, and the gateway document describes what the
mocked endpoints really answer."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import chinaums_client
import jsonschema
import pytest

import mockums
from mockums import __version__
from mockums.config import DEMO_APP
from mockums.lines import DEFAULT_REGISTRY
from mockums.lines.openapi import gateway_openapi_document, request_schema
from mockums.server.control import ROUTES

ENDPOINTS = DEFAULT_REGISTRY.endpoints

HERE = Path(__file__).resolve().parent
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))
MID, TID = "898201612345678", "88880001"
SCHEMATHESIS_SECONDS = 120  # a bound on the run (it takes a few seconds); --max-time would fill it, so not that


@pytest.fixture(scope="module")
def sandbox() -> Iterator[mockums.Mockums]:
    with mockums.serving(watch=False) as handle:
        yield handle


def http(url: str, method: str = "GET", body: bytes | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], Any]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with NO_PROXY.open(request, timeout=10) as answer:
            return answer.status, dict(answer.headers), json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read() or b"null")


def plain(node: Any) -> Any:
    """An OpenAPI 3.0 schema as a plain JSON Schema (nullable as a null type), built anew: `node` is left alone."""
    if isinstance(node, list):
        return [plain(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: plain(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable"):
        out = {"anyOf": [out, {"type": "null"}]}
    return out


_PLAIN_COMPONENTS: dict[int, tuple[dict[str, Any], Any]] = {}


def json_schema(document: dict[str, Any], component: str) -> dict[str, Any]:
    """An OpenAPI 3.0 component as a plain JSON Schema (nullable as a null type), its refs resolvable. A document's
    components are converted once (a test asks for a dozen components of one document; converting the whole
    of them, after a deep copy, took 0.05 s each time); what the validators read is never changed."""
    held = _PLAIN_COMPONENTS.get(id(document))
    if held is None or held[0] is not document:  # the same id given to another document after the first was freed
        held = _PLAIN_COMPONENTS[id(document)] = (document, plain(document["components"]))
    return {"$ref": f"#/components/schemas/{component}", "components": held[1]}


def test_schemathesis_finds_nothing_wrong_with_the_control_api(sandbox: mockums.Mockums, tmp_path: Path) -> None:
    st = shutil.which("st") or str(Path(sys.executable).parent / "st")
    assert Path(st).exists(), "schemathesis is not installed; `pip install -e '.[test]'` installs it"
    result = subprocess.run(
        [st, "--config-file", str(HERE / "schemathesis.toml"), "run", f"{sandbox.url}/__mockums/openapi.json",
         "--max-examples", "2", "--seed", "1", "--workers", "1", "--generation-database", "none", "--no-color"],
        capture_output=True, text=True, timeout=SCHEMATHESIS_SECONDS, cwd=tmp_path, check=False)
    report = result.stdout + result.stderr
    assert result.returncode == 0, report[-6000:]
    # Every operation of the document is tested (schemathesis leaves out the one serving the document).
    selected = re.search(r"Selected: (\d+)/(\d+)\s+Tested: (\d+)", report)
    assert selected and len(set(selected.groups())) == 1 and int(selected[1]) >= len(ROUTES) - 1, report[-3000:]
    # Two generated examples per operation and phase (five took 1 s more, mostly in the fuzzing phase): the
    # coverage phase, which generates most of the cases, does not depend on that number. Each phase ran.
    for phase in ("Coverage", "Fuzzing", "Stateful"):
        assert re.search(rf"✅ +{phase} \(in ", report), f"the {phase} phase did not run and pass:\n{report[-3000:]}"
    assert "passed" in report and "failure" not in report.splitlines()[-1], report[-3000:]


def test_real_answers_match_the_documented_shapes(sandbox: mockums.Mockums) -> None:
    document = http(f"{sandbox.url}/__mockums/openapi.json")[2]
    body = chinaums_client.go_json(chinaums_client.close_request(
        "3194DOC0001", totalAmount=360, notifyUrl="http://127.0.0.1:9/notify"))
    sandbox.reset()
    status, _, _ = http(sandbox.url + "/v1/netpay/wx/app-pre-order", "POST", body, {
        "Content-Type": "application/json",
        "Authorization": chinaums_client.open_body_sig(DEMO_APP.app_id, DEMO_APP.app_key, body)})
    assert status == 200
    answers = {
        "Order": sandbox.pay(MID, "3194DOC0001"),
        "OrderList": http(f"{sandbox.url}/__mockums/orders")[2],
        "DeliveryList": sandbox.notifications("3194DOC0001"),
        "Journal": sandbox.journal(),
        "ScenarioList": http(f"{sandbox.url}/__mockums/scenarios")[2],
        "Health": sandbox.health(),
        "Clock": sandbox.clock(),
        "Reload": http(f"{sandbox.url}/__mockums/scenarios/reload")[2],
    }
    assert answers["DeliveryList"] and answers["Journal"]
    for component, answer in answers.items():
        jsonschema.validate(answer, json_schema(document, component))


def test_other_methods_answer_405_with_allow(sandbox: mockums.Mockums) -> None:
    status, headers, answer = http(f"{sandbox.url}/__mockums/clock", "TRACE")
    assert (status, headers["Allow"]) == (405, "GET, POST")
    assert answer == {"error": "TRACE /__mockums/clock: this control call takes GET, POST"}
    assert http(f"{sandbox.url}/__mockums/nothing-here", "GET")[0] == 404


@pytest.mark.parametrize(("method", "path", "body", "error"), [
    ("POST", "/__mockums/scenarios", b"\xff\xfe", "the body is not UTF-8 text (invalid start byte at byte 0)"),
    ("GET", "/__mockums/journal?limit=0", None, "limit must be at least 1, got 0"),
    ("GET", "/__mockums/journal?since=-1", None, "since must be at least 0, got -1"),
    ("GET", "/__mockums/journal?since=x", None, "since must be a whole number (at least 0), got 'x'"),
    ("POST", "/__mockums/seed", b'{"seed": 1, "extra": 2}', 'send {"seed": <integer>}'),
    ("POST", "/__mockums/clock", b'{"advance": null}', "advance: null is not a value here; leave the key out instead"),
    ("POST", "/__mockums/clock", b'{"freeze": 0}', "freeze: 0 is not true or false"),
])
def test_inputs_outside_the_document_are_refused(sandbox: mockums.Mockums, method: str, path: str,
                                                 body: bytes | None, error: str) -> None:
    status, _, answer = http(sandbox.url + path, method, body, {"Content-Type": "application/json"})
    assert (status, answer["error"]) == (400, error)


def test_the_served_documents_are_the_generated_ones(sandbox: mockums.Mockums) -> None:
    assert http(f"{sandbox.url}/__mockums/gateway-openapi.json")[2] == gateway_openapi_document(__version__, DEFAULT_REGISTRY)
    shipped = json.loads((HERE.parents[1] / "docs" / "gateway-openapi.json").read_text(encoding="utf-8"))
    assert shipped == gateway_openapi_document(__version__, DEFAULT_REGISTRY)


def test_the_gateway_document_describes_what_the_endpoints_answer(sandbox: mockums.Mockums) -> None:
    document = gateway_openapi_document(__version__, DEFAULT_REGISTRY)
    jsonschema.Draft7Validator.check_schema(request_schema(ENDPOINTS["/v1/netpay/refund"]))
    sandbox.reset()
    order = "3194GW0001"
    calls = [
        ("/v1/netpay/wx/app-pre-order", {"totalAmount": 360}),
        ("/v1/netpay/wx/app-pre-query", {}),
        ("/v1/netpay/query", {}),
        ("/v1/netpay/wx/app-pre-close", {}),
        ("/v1/netpay/trade/app-pre-order", {"merOrderId": order + "A", "totalAmount": 360}),
        ("/v1/netpay/wx/unified-order", {"merOrderId": order + "M", "totalAmount": 360, "instMid": "MINIDEFAULT",
                                         "tradeType": "MINI", "subOpenId": "o1a2b3c4"}),
        ("/v1/netpay/refund", {"merOrderId": "MKPAYNOW0001", "refundAmount": 1, "refundOrderId": "R3194GW0001"}),
        ("/v1/netpay/refund-query", {"merOrderId": "MKPAYNOW0001", "refundOrderId": "R3194GW0001"}),
    ]
    paid = chinaums_client.close_request("MKPAYNOW0001", totalAmount=360)  # paid at once (a bundled story)
    assert http(sandbox.url + "/v1/netpay/wx/app-pre-order", "POST", *signed(paid))[2]["errCode"] == "SUCCESS"
    for path, fields in calls:
        request = chinaums_client.close_request(fields.pop("merOrderId", order), **fields)
        operation = document["paths"][path]["post"]
        request_ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        jsonschema.validate(request, json_schema(document, request_ref))  # what the samples send is described
        status, _, answer = http(sandbox.url + path, "POST", *signed(request))
        assert status == 200, (path, answer)
        assert answer["errCode"] == "SUCCESS", (path, answer)
        answer_ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        jsonschema.validate(answer, json_schema(document, answer_ref))
        assert set(answer) <= set(document["components"]["schemas"][answer_ref]["properties"]), path
    status, _, refused = http(sandbox.url + "/v1/netpay/query", "POST", b"{}", {"Content-Type": "application/json"})
    assert status == 401
    jsonschema.validate(refused, json_schema(document, "GatewayError"))
    assert "401" in document["paths"]["/v1/netpay/query"]["post"]["responses"]


def signed(request: dict[str, object]) -> tuple[bytes, dict[str, str]]:
    body = chinaums_client.go_json(request)
    return body, {"Content-Type": "application/json",
                  "Authorization": chinaums_client.open_body_sig(DEMO_APP.app_id, DEMO_APP.app_key, body)}

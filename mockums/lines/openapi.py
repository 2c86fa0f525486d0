"""The mocked ChinaUMS endpoints as an OpenAPI 3.0 document, generated from the field tables (`endpoints`)
and the error catalogues, for Postman, Prism, code generators and anyone who reads OpenAPI.

It describes the gateway's contract as the tables state it (strict mode), with amounts as a number or a digit
string as the official examples send them: lenient mode accepts a little more (compact timestamps, bodies
wrapped as `{"data": …}`), and a scenario may answer anything at all.
"""

from __future__ import annotations

from typing import Any

from mockums.limits import TOKEN_LIFETIME, TOKEN_PATH
from mockums.lines.registry import Registry
from mockums.protocol.fields import AMOUNT_MAX, AMOUNT_MIN, FieldRule
from mockums.protocol.gateway_errors import DEFAULT_GATEWAY_ERRORS
from mockums.protocol.spec import EndpointSpec
from mockums.protocol.vocabulary import Vocabulary

BODY_TIME = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"
COMPACT_TIME = r"^\d{14}$"
DIGIT_AMOUNT = r"^[1-9][0-9]{0,8}$"  # an amount sent as a string, as the official examples send "totalAmount":"1"
SIGNING = (
    "`OPEN-BODY-SIG AppId=\"…\", Timestamp=\"yyyyMMddHHmmss\", Nonce=\"…\", Signature=\"…\"` where Signature = "
    "Base64(HMAC-SHA256(appKey, appId + Timestamp + Nonce + lowerhex(SHA256(body)))), over the exact bytes sent"
)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def field_schema(rule: FieldRule) -> dict[str, Any]:
    """One request field's rule as a JSON Schema."""
    schema: dict[str, Any]
    if rule.kind == "amount":
        schema = {"anyOf": [{"type": "integer", "minimum": AMOUNT_MIN, "maximum": AMOUNT_MAX},
                            {"type": "string", "pattern": DIGIT_AMOUNT}]}
    elif rule.kind == "body_time":
        schema = {"type": "string", "pattern": BODY_TIME}
    else:
        schema = {"type": "string"}
        if rule.min_length is not None:
            schema["minLength"] = rule.min_length
        if rule.max_length is not None:
            schema["maxLength"] = rule.max_length
    if rule.choices:
        schema["enum"] = list(rule.choices)
    schema["description"] = f"{rule.description} ({rule.rule_text()})"
    if rule.example:
        schema["example"] = int(rule.example) if rule.kind == "amount" else rule.example
    return schema


def request_schema(spec: EndpointSpec) -> dict[str, Any]:
    """An endpoint's request body: every field of its table, the required ones required."""
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {rule.name: field_schema(rule) for rule in spec.request},
        "required": [rule.name for rule in spec.request if rule.required],
        "additionalProperties": True,  # the gateway ignores fields its table does not list
    }
    if spec.one_of:
        schema["anyOf"] = [{"required": [name]} for name in spec.one_of]
    return schema


def response_schema(spec: EndpointSpec, vocabulary: Vocabulary) -> dict[str, Any]:
    """An endpoint's business answer (HTTP 200): its fields with their types; its code always present."""
    properties: dict[str, Any] = {}
    for field in spec.response:
        kinds: dict[str, dict[str, Any]] = {
            "string": {"type": "string"}, "number": {"type": "integer"}, "boolean": {"type": "boolean"},
            "object": {"type": "object"}, "array": {"type": "array", "items": {"type": "object"}}}
        kind = kinds[field.type]
        properties[field.name] = {**kind, "description": field.description}
        if field.example and field.example != "{…}" and field.type not in ("boolean", "array"):
            properties[field.name]["example"] = int(field.example) if field.type == "number" else field.example
    code = vocabulary.code_field
    properties[code] = {**properties.get(code, {"type": "string"}), "enum": list(vocabulary.catalogue)}
    return {"type": "object", "properties": properties, "required": [code], "additionalProperties": True}


def _operation(spec: EndpointSpec, vocabulary: Vocabulary) -> dict[str, Any]:
    name = spec.path.removeprefix("/v1/").lstrip("/").replace("/", "_").replace("-", "_")
    components = {f"{name}_request": request_schema(spec), f"{name}_answer": response_schema(spec, vocabulary)}
    operation = {
        "operationId": name,
        "summary": spec.title,
        "description": spec.summary,
        "security": [{"openBodySig": []}, {"openAccessToken": []}],
        "requestBody": {"required": True, "content": {"application/json": {"schema": _ref(f"{name}_request")}}},
        "responses": {
            "200": {"description": f"The business answer: {vocabulary.code_field} {vocabulary.success}, or an error of "
                                   f"the catalogue with {vocabulary.message_field}",
                    "content": {"application/json": {"schema": _ref(f"{name}_answer")}}},
            **_gateway_responses(),
        },
    }
    return {"operation": operation, "components": components}


def _gateway_responses() -> dict[str, Any]:
    """The gateway's own refusals, by HTTP status: `{"errCode", "errInfo"}` (see the README's table)."""
    by_status: dict[int, list[str]] = {}
    for row in DEFAULT_GATEWAY_ERRORS.values():
        by_status.setdefault(row.status, []).append(f"{row.err_code} {row.err_info} ({row.when})")
    return {str(status): {"description": "; ".join(rows), "content": {"application/json": {
        "schema": _ref("GatewayError")}}} for status, rows in sorted(by_status.items())}


def token_path() -> dict[str, Any]:
    """POST /v1/token/access: an access token for OPEN-ACCESS-TOKEN calls."""
    request = {"type": "object", "required": ["appId", "timestamp", "nonce", "signature"], "properties": {
        "appId": {"type": "string"},
        "timestamp": {"type": "string", "pattern": COMPACT_TIME, "description": "yyyyMMddHHmmss, Beijing time"},
        "nonce": {"type": "string"},
        "signMethod": {"type": "string", "enum": ["SHA256"]},
        "signature": {"type": "string", "description": "lowerhex(SHA256(appId + timestamp + nonce + appKey))"},
    }}
    answer = {"type": "object", "required": ["errCode"], "properties": {
        "errCode": {"type": "string", "example": "0000"}, "errInfo": {"type": "string", "example": "正常"},
        "accessToken": {"type": "string"}, "expiresIn": {"type": "integer", "example": TOKEN_LIFETIME}}}
    return {"post": {
        "operationId": "token_access", "summary": "获取AccessToken",
        "description": "Trade a signed request for an access token (then `Authorization: OPEN-ACCESS-TOKEN "
                       "AccessToken=<token>`).",
        "requestBody": {"required": True, "content": {"application/json": {"schema": request}}},
        "responses": {"200": {"description": "The token", "content": {"application/json": {"schema": answer}}},
                      **_gateway_responses()},
    }}


def gateway_openapi_document(version: str, registry: Registry, server: str = "http://127.0.0.1:8000") -> dict[str, Any]:
    """The OpenAPI 3.0 document of every endpoint the registry's lines serve, and of the token endpoint."""
    paths: dict[str, Any] = {TOKEN_PATH: token_path()}
    codes = sorted({row.err_code for row in DEFAULT_GATEWAY_ERRORS.values()})
    schemas: dict[str, Any] = {"GatewayError": {
        "type": "object", "required": ["errCode", "errInfo"], "additionalProperties": True,
        "properties": {"errCode": {"type": "string", "enum": codes}, "errInfo": {"type": "string"},
                       "diagnosis": {"type": "object", "description": "mockums only, outside --faithful: why"}}}}
    for path, spec in registry.endpoints.items():
        built = _operation(spec, registry.line_of[path].vocabulary)
        paths[spec.path] = {"post": built["operation"]}
        schemas.update(built["components"])
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "ChinaUMS open-platform payment API (as the mockums sandbox serves it)",
            "version": version,
            "description": "The netpay endpoints mockums mocks, generated from its field tables. Point the "
                           "server at the real gateway's host to compare. Bodies may also be wrapped as "
                           "{\"data\": {…}} (the SDKs' needDataTag).",
        },
        "servers": [{"url": server, "description": "a local mockums sandbox"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "openBodySig": {"type": "apiKey", "in": "header", "name": "Authorization", "description": SIGNING},
                "openAccessToken": {"type": "apiKey", "in": "header", "name": "Authorization",
                                    "description": "`OPEN-ACCESS-TOKEN AccessToken=<token>` (from POST "
                                                   f"{TOKEN_PATH})"},
            },
        },
    }

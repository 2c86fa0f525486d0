"""Values with a known domain in scenario files are checked at load, with file:line and "did you mean";
a deliberately custom value is allowed only where the step says so (`allow_unknown`)."""

from __future__ import annotations

import pytest
from scenario_terms import terms

from mockums.protocol.gateway_errors import DEFAULT_GATEWAY_ERRORS
from mockums.scenarios import load_mapping, load_text

CUSTOM = "needs `allow_unknown: [{field}]` in this step"


def errors(step: str, extra: str = "") -> list[str]:
    text = f"scenarios:\n  - name: s\n    match: {{merOrderId: ABC123}}\n    respond:\n{step}{extra}"
    result = load_text(text, "s.yaml", allowed=terms(DEFAULT_GATEWAY_ERRORS.keys(), None))
    return [str(error) for error in result.errors]


@pytest.mark.parametrize(("step", "message"), [
    ("      fields: {errCode: TARGET_FIAL}\n",
     "s.yaml:5: scenarios[0].respond.fields.errCode: unknown errCode 'TARGET_FIAL' (did you mean 'TARGET_FAIL'?); "
     "see the catalogue in the README. A deliberately custom value " + CUSTOM.format(field="errCode")),
    ("      fields:\n        errMsg: x\n        status: TRADE_SUCESS\n",
     "s.yaml:7: scenarios[0].respond.fields.status: unknown status 'TRADE_SUCESS' (did you mean 'TRADE_SUCCESS'?); "
     "known: NEW_ORDER, WAIT_BUYER_PAY, TRADE_SUCCESS, TRADE_REFUND, TRADE_CLOSED, UNKNOWN. A deliberately custom "
     "value " + CUSTOM.format(field="status")),
    ("      fields: {refundStatus: PROCESING}\n",
     "s.yaml:5: scenarios[0].respond.fields.refundStatus: unknown refundStatus 'PROCESING' (did you mean "
     "'PROCESSING'?); known: SUCCESS, PROCESSING, FAIL, UNKNOWN. A deliberately custom value "
     + CUSTOM.format(field="refundStatus")),
    ("      fields: {targetSys: Alipay}\n",
     "s.yaml:5: scenarios[0].respond.fields.targetSys: unknown targetSys 'Alipay' (did you mean 'Alipay 2.0'?); "
     "known: WXPay, Alipay 2.0, UAC, ACP, QMF, UnionPay, QmfWebPay, NetPayGtwy, BestPay. A deliberately custom "
     "value " + CUSTOM.format(field="targetSys")),
    ("      fields: {errCode: '1006'}\n",
     "s.yaml:5: scenarios[0].respond.fields.errCode: unknown errCode '1006' (did you mean '1001'?) (a gateway error is "
     "`gateway_error: <name>`, not an errCode); see the catalogue in the README. A deliberately custom value "
     + CUSTOM.format(field="errCode")),
    ("      fields: {errCode: [SUCCESS]}\n",
     "s.yaml:5: scenarios[0].respond.fields.errCode: expected one of the errCode values, got a list"),
    ("      fault: no_anwser\n",
     "s.yaml:5: scenarios[0].respond.fault: unknown fault 'no_anwser' (did you mean 'no_answer'?); allowed: "
     "connection_reset, truncated_body, non_json_body, html_502, no_answer"),
    ("      gateway_error: bad_signatur\n",
     "s.yaml:5: scenarios[0].respond.gateway_error: unknown gateway error 'bad_signatur' (did you mean "
     "'bad_signature'?); allowed: " + ", ".join(sorted(DEFAULT_GATEWAY_ERRORS))),
    ("      order_status: TRADE_CLOSD\n",
     "s.yaml:5: scenarios[0].respond.order_status: unknown order status 'TRADE_CLOSD' (did you mean "
     "'TRADE_CLOSED'?); allowed: NEW_ORDER, WAIT_BUYER_PAY, TRADE_SUCCESS, TRADE_REFUND, TRADE_CLOSED, UNKNOWN"),
    ("      fields: {errCode: MY_CODE}\n      allow_unknown: [errcode]\n",
     "s.yaml:6: scenarios[0].respond.allow_unknown: unknown field with a known domain 'errcode' (did you mean "
     "'errCode'?); allowed: errCode, status, refundStatus, targetSys, secureStatus, queryResCode"),
    ("      fields: {errMsg: x}\n      allow_unknown: [errCode]\n",
     "s.yaml:5: scenarios[0].respond.fields: allow_unknown names errCode, but these fields do not set errCode"),
    ("      delay: 1\n      allow_unknown: errCode\n",
     "s.yaml:6: scenarios[0].respond: 'allow_unknown' only applies to a step that sets fields"),
])
def test_a_typo_is_an_error_with_its_line_and_a_hint(step: str, message: str) -> None:
    assert message in errors(step)


def test_lifecycle_values_are_checked_too() -> None:
    text = ("scenarios:\n  - name: s\n    match: {merOrderIdPrefix: AB}\n    lifecycle:\n"
            "      refund: {status: PROCESING}\n")
    result = load_text(text, "s.yaml", allowed=terms(None, None))
    assert [str(e) for e in result.errors] == [
        "s.yaml:5: scenarios[0].lifecycle.refund.status: unknown refund status 'PROCESING' (did you mean "
        "'PROCESSING'?); allowed: SUCCESS, PROCESSING, FAIL"]


@pytest.mark.parametrize("step", [
    "      fields: {errCode: MY_CODE, targetSys: MyWallet}\n      allow_unknown: [errCode, targetSys]\n",
    "      fields: {errCode: MY_CODE}\n      allow_unknown: errCode\n",
    "      fields: {errCode: \"{{ request.code }}\", status: null, targetSys: WXPay, refundStatus: UNKNOWN}\n",
    "      fields: {errCode: INVLID_MERCHANT_CONFIG}\n",  # the catalogue's own (mis)spelling
])
def test_known_values_templates_null_and_declared_custom_values_load(step: str) -> None:
    assert errors(step) == []


def test_a_sequence_checks_each_step_and_json_scenarios_too() -> None:
    text = ("scenarios:\n  - name: s\n    match: {merOrderId: ABC123}\n    sequence:\n"
            "      - fields: {errCode: ORDER_PROCESING}\n      - fields: {errCode: SUCCES}\n")
    result = load_text(text, "s.yaml", allowed=terms(None, None))
    assert [e.line for e in result.errors] == [5, 6]
    assert "did you mean 'SUCCESS'?" in str(result.errors[1])
    data = {"scenarios": [{"name": "j", "match": {"merOrderId": "ABC123"}, "respond": {"fields": {"errCode": "NO_ODER"}}}]}
    [error] = load_mapping(data, "<control API>", allowed=terms(None, None)).errors
    assert str(error).startswith("<control API>: scenarios[0].respond.fields.errCode: unknown errCode 'NO_ODER' "
                                 "(did you mean 'NO_ORDER'?)")

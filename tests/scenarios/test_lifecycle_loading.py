"""The `lifecycle:` block of a scenario: what it accepts and how it reports mistakes."""

from __future__ import annotations

from textwrap import dedent

from scenario_terms import terms

from mockums.scenarios import Lifecycle, NotifyPlan, PayPlan, RefundPlan, load_text


def load(text: str) -> tuple[list[object], list[str]]:
    result = load_text(dedent(text), "s.yaml", allowed=terms(None, None))
    return [s.lifecycle for s in result.scenarios], [str(e) for e in result.errors]


def test_a_full_lifecycle_block() -> None:
    lifecycles, errors = load("""\
        scenarios:
          - name: story
            match: {merOrderIdPrefix: ST}
            lifecycle:
              pay: {after_queries: 2}
              expire_after: 60
              refund: {status: PROCESSING, settle_after_seconds: 1.5}
              notify: {delay: 2, duplicate: true, bad_signature: false, schedule: [0, 1, 2], sign_type: MD5}
        """)
    assert errors == []
    assert lifecycles == [Lifecycle(
        pay=PayPlan("after_queries", count=2), expire_after=60.0,
        refund=RefundPlan("PROCESSING", None, 1.5),
        notify=NotifyPlan(2.0, True, False, (0.0, 1.0, 2.0), "MD5"),
    )]


def test_short_forms_and_lifecycle_only_scenarios() -> None:
    lifecycles, errors = load("""\
        scenarios:
          - name: now
            match: {merOrderIdPrefix: NOW}
            lifecycle: {pay: immediately, refund: FAIL}
          - name: with-answer
            match: {merOrderIdPrefix: ANS}
            respond: {delay: 1}
            lifecycle: {pay: never}
        """)
    assert errors == []
    assert lifecycles == [Lifecycle(pay=PayPlan("immediately"), refund=RefundPlan("FAIL")),
                          Lifecycle(pay=PayPlan("never"))]


def test_mistakes_are_reported_with_lines() -> None:
    _, errors = load("""\
        scenarios:
          - name: bad
            match: {merOrderIdPrefix: BAD}
            lifecycle:
              pay: sometimes
              expire_after: -1
              refund: {status: SUCCESS, settle_after_queries: 1}
              notify: {schedule: [], duplicate: maybe}
              pays: never
        """)
    assert errors == [
        "s.yaml:5: scenarios[0].lifecycle.pay: unknown pay plan 'sometimes'; use never, immediately, twice, "
        "{after_queries: N} or {after_seconds: T}",
        "s.yaml:6: scenarios[0].lifecycle.expire_after: must be between 0 and 86400 seconds, got -1",
        "s.yaml:7: scenarios[0].lifecycle.refund: settle_after_* only applies to status PROCESSING",
        "s.yaml:8: scenarios[0].lifecycle.notify.duplicate: expected true or false, got the string 'maybe'",
        "s.yaml:8: scenarios[0].lifecycle.notify.schedule: expected a list of 1 to 100 waits in seconds",
        "s.yaml:9: scenarios[0].lifecycle: unknown key 'pays' (did you mean 'pay'?); allowed keys: pay, "
        "expire_after, refund, notify",
    ]


def test_values_of_the_wrong_kind_are_named() -> None:
    # Reached before only by schemathesis' random bodies for POST /scenarios (tests/http/test_control_openapi.py).
    _, errors = load("""\
        scenarios:
          - name: words
            match: {merOrderIdPrefix: WO}
            lifecycle: {expire_after: soon, notify: [1, 2]}
        """)
    assert errors == [
        "s.yaml:4: scenarios[0].lifecycle.expire_after: expected a number of seconds, got the string 'soon'",
        "s.yaml:4: scenarios[0].lifecycle.notify: expected a mapping, got a list",
    ]


def test_md5_notifications_are_signed_with_md5() -> None:
    import hashlib

    from mockums.notify import sign_notification

    form = sign_notification({"merOrderId": "31940001", "totalAmount": "1"}, "key", "MD5")
    text = "merOrderId=31940001&signType=MD5&totalAmount=1key"
    assert form["sign"] == hashlib.md5(text.encode()).hexdigest().upper()

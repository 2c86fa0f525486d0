from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest
import yaml
from scenario_terms import terms
from yaml.nodes import Node

from mockums.scenarios import (
    Fault,
    IdMatch,
    LoadError,
    LoadResult,
    MatchRule,
    Scenario,
    SourceRef,
    Step,
    Then,
    load_mapping,
    load_paths,
    load_text,
    walker,
)
from mockums.scenarios.composing import within_nesting
from mockums.scenarios.walker import YAML_PARSER

GATEWAY_ERRORS = frozenset({"bad_signature", "expired_token"})
ENDPOINTS = frozenset({"/v1/netpay/wx/app-pre-close", "/v1/netpay/close"})

FULL_EXAMPLE = """\
scenarios:
  - name: already-paid
    description: Close of an order the customer already paid
    magic_id: MKPAID0001
    match:
      merOrderId: MKPAID0001
      endpoint: /v1/netpay/wx/app-pre-close
      body: {instMid: APPDEFAULT, totalAmount: 100, paid: true}
    respond:
      fields: {errCode: TARGET_FAIL, errMsg: "订单已支付", status: TRADE_SUCCESS, settleDate: null}
      delay: 1.5
      gateway_error: bad_signature
      order_status: TRADE_CLOSED
  - name: processing-then-success
    match: {merOrderIdPrefix: MKPROC, endpoint: [/v1/netpay/close, /v1/netpay/wx/app-pre-close]}
    sequence:
      - fields: {errCode: ORDER_PROCESSING, errMsg: 订单处理中}
        repeat: 2
      - fields: {errCode: SUCCESS}
        fault: connection_reset
    then: cycle
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dedent(text), encoding="utf-8")
    return path


def load(*paths: Path) -> LoadResult:
    return load_paths(list(paths), allowed=terms(GATEWAY_ERRORS, ENDPOINTS))


def errors_of(text: str, path: str = "s.yaml") -> list[str]:
    result = load_text(dedent(text), path, allowed=terms(GATEWAY_ERRORS, ENDPOINTS))
    return [str(error) for error in result.errors]


def scenario_yaml(**parts: str) -> str:
    """One scenario with sensible defaults; each part is the YAML text after its key."""
    defaults = {"name": "s", "match": "{merOrderId: A}", "respond": "{delay: 1}"}
    defaults.update(parts)
    lines = [f"    {key}: {value}" for key, value in defaults.items() if value]
    return "scenarios:\n  - " + "\n".join(lines).lstrip() + "\n"


def test_full_example_loads_into_the_model(tmp_path: Path) -> None:
    path = write(tmp_path, "close.yaml", FULL_EXAMPLE)
    result = load(path)
    assert result.errors == ()
    assert result.ok
    assert result.files == (path,)
    paid, processing = result.scenarios
    assert paid.name == "already-paid"
    assert paid.description == "Close of an order the customer already paid"
    assert paid.magic_id == "MKPAID0001"
    assert paid.source == SourceRef(str(path), 2)
    assert paid.match == MatchRule.exact(
        "MKPAID0001",
        endpoints=["/v1/netpay/wx/app-pre-close"],
        body={"instMid": "APPDEFAULT", "totalAmount": "100", "paid": "true"},
    )
    (step,) = paid.steps
    assert dict(step.fields) == {
        "errCode": "TARGET_FAIL",
        "errMsg": "订单已支付",
        "status": "TRADE_SUCCESS",
        "settleDate": None,
    }
    assert (step.delay, step.gateway_error, step.fault, step.order_status, step.repeat) == (
        1.5,
        "bad_signature",
        None,
        "TRADE_CLOSED",
        1,
    )
    assert paid.then is Then.REPEAT_LAST
    assert processing.match.kind is IdMatch.PREFIX
    assert processing.match.endpoints == frozenset(ENDPOINTS)
    assert [step.repeat for step in processing.steps] == [2, 1]
    assert processing.steps[1].fault is Fault.CONNECTION_RESET
    assert processing.then is Then.CYCLE
    assert processing.calls_per_round == 3


@pytest.mark.parametrize("text", ["", "# nothing yet\n", "scenarios:\n", "scenarios: []\n"])
def test_files_without_scenarios_are_fine(tmp_path: Path, text: str) -> None:
    result = load(write(tmp_path, "empty.yaml", text))
    assert (result.scenarios, result.errors) == ((), ())


def test_error_str_is_path_line_message() -> None:
    assert str(LoadError("a.yaml", 3, "bad")) == "a.yaml:3: bad"
    assert str(LoadError("a.yaml", 0, "bad")) == "a.yaml: bad"


def test_every_error_of_a_file_is_reported_with_its_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "s.yaml",
        """\
        scenarios:
          - name: Bad Name
            respnd: {}
            match: {merOrderIdPrefix: MK}
          - name: fine
            match: {merOrderId: A}
            respond: {delay: 400}
        """,
    )
    assert [str(error) for error in load(path).errors] == [
        f"{path}:2: scenarios[0].name: 'Bad Name' is not a valid name: use lowercase letters, "
        "digits, '_', '.' and '-', starting with a letter or digit",
        f"{path}:2: scenarios[0]: missing 'respond' (one answer), 'sequence' (a list of answers) or 'lifecycle'",
        f"{path}:3: scenarios[0]: unknown key 'respnd' (did you mean 'respond'?); allowed keys: "
        "name, description, magic_id, match, respond, sequence, then, lifecycle",
        f"{path}:7: scenarios[1].respond.delay: must be between 0 and 300 seconds, got 400",
    ]
    assert load(path).scenarios == ()


def test_missing_required_keys_point_at_the_scenario() -> None:
    assert errors_of("scenarios:\n  - description: x\n    respond: {delay: 1}\n") == [
        "s.yaml:2: scenarios[0]: missing required key 'name'",
        "s.yaml:2: scenarios[0]: missing required key 'match'",
    ]


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        ({"name": "[a]"}, "s.yaml:2: scenarios[0].name: expected a string, got a list"),
        ({"description": "42"}, "s.yaml:5: scenarios[0].description: expected a string, got the number 42"),
        ({"match": "MKPAID"}, "s.yaml:3: scenarios[0].match: expected a mapping, got the string 'MKPAID'"),
        ({"respond": "{delay: slow}"}, "s.yaml:4: scenarios[0].respond.delay: expected a number of seconds, got the string 'slow'"),
        ({"respond": "{delay: -1}"}, "s.yaml:4: scenarios[0].respond.delay: must be between 0 and 300 seconds, got -1"),
        ({"respond": "{delay: .nan}"}, "s.yaml:4: scenarios[0].respond.delay: must be between 0 and 300 seconds, got .nan"),
        ({"respond": "{delay: yes}"}, "s.yaml:4: scenarios[0].respond.delay: expected a number of seconds, got the boolean yes"),
        ({"respond": "{fields: [a]}"}, "s.yaml:4: scenarios[0].respond.fields: expected a mapping of response fields, got a list"),
        ({"respond": "{}"}, "s.yaml:4: scenarios[0].respond: a step must set at least one of fields, delay, gateway_error, fault, order_status, order"),
        ({"respond": "{delay: 1, repeat: 2}"}, "s.yaml:4: scenarios[0].respond: 'repeat' only applies to the steps of a 'sequence'"),
        ({"respond": "{gateway_error: bad_signature, fault: no_answer}"}, "s.yaml:4: scenarios[0].respond: use either 'gateway_error' or 'fault', not both"),
        ({"respond": "{gateway_error: bad_sig}"}, "s.yaml:4: scenarios[0].respond.gateway_error: unknown gateway error 'bad_sig' (did you mean 'bad_signature'?); allowed: bad_signature, expired_token"),
        ({"respond": "{fault: reset}"}, "s.yaml:4: scenarios[0].respond.fault: unknown fault 'reset'; allowed: connection_reset, truncated_body, non_json_body, html_502, no_answer"),
        ({"respond": "{order_status: PAID}"}, "s.yaml:4: scenarios[0].respond.order_status: unknown order status 'PAID'; allowed: NEW_ORDER, WAIT_BUYER_PAY, TRADE_SUCCESS, TRADE_REFUND, TRADE_CLOSED, UNKNOWN"),
        ({"then": "cycle"}, "s.yaml:5: scenarios[0]: 'then' only applies to a 'sequence'"),
        ({"respond": "", "sequence": "[]"}, "s.yaml:4: scenarios[0].sequence: expected a list of at least one step, got an empty list"),
        ({"respond": "", "sequence": "{delay: 1}"}, "s.yaml:4: scenarios[0].sequence: expected a list of at least one step, got a mapping"),
        ({"sequence": "[{delay: 1}]"}, "s.yaml:5: scenarios[0]: use either 'respond' or 'sequence', not both"),
        ({"respond": "", "sequence": "[{delay: 1, repeat: 0}]"}, "s.yaml:4: scenarios[0].sequence[0].repeat: must be at least 1, got 0"),
        ({"respond": "", "sequence": "[{delay: 1, repeat: 1.5}]"}, "s.yaml:4: scenarios[0].sequence[0].repeat: expected a whole number of calls, got the number 1.5"),
        ({"respond": "", "sequence": "[{delay: 1}]", "then": "forever"}, "s.yaml:5: scenarios[0].then: unknown 'then' value 'forever'; allowed: repeat_last, cycle"),
        ({"magic_id": "MKX0001", "match": "{merOrderIdPrefix: MKPAID}"}, "s.yaml:5: scenarios[0].magic_id: MKX0001 is not matched by this scenario's own rule (merOrderIdPrefix MKPAID)"),
        ({"magic_id": "{a: 1}"}, "s.yaml:5: scenarios[0].magic_id: expected a string, got a mapping"),
    ],
)  # fmt: skip
def test_scenario_and_step_errors(parts: dict[str, str], expected: str) -> None:
    assert errors_of(scenario_yaml(**parts)) == [expected]


@pytest.mark.parametrize(
    ("match", "expected"),
    [
        ("{endpoint: /v1/netpay/close}", "s.yaml:3: scenarios[0].match: needs one of merOrderId, merOrderIdPrefix, merOrderIdPattern"),
        ("{merOrderId: A, merOrderIdPrefix: B}", "s.yaml:3: scenarios[0].match: use only one of merOrderId, merOrderIdPrefix"),
        ("{merOrderIdPrefix: ''}", "s.yaml:3: scenarios[0].match.merOrderIdPrefix: must not be empty (merOrderIdPattern: '.*' matches every id)"),
        ("{merOrderIdPattern: 'MK(\\d+'}", "s.yaml:3: scenarios[0].match.merOrderIdPattern: bad regular expression 'MK(\\\\d+': missing ), unterminated subpattern at position 2"),
        ("{merOrderIdPattern: 'a{99999999999}'}", "s.yaml:3: scenarios[0].match.merOrderIdPattern: bad regular expression 'a{99999999999}': the repetition number is too large"),
        ("{merOrderId: A, endpoint: /v1/nope}", "s.yaml:3: scenarios[0].match.endpoint: unknown endpoint '/v1/nope'; allowed: /v1/netpay/close, /v1/netpay/wx/app-pre-close"),
        ("{merOrderId: A, endpoint: [/v1/netpay/close, 3]}", "s.yaml:3: scenarios[0].match.endpoint[1]: expected a string, got the number 3"),
        ("{merOrderId: A, endpoint: []}", "s.yaml:3: scenarios[0].match.endpoint: must name at least one endpoint"),
        ("{merOrderId: A, body: {instMid: [x]}}", "s.yaml:3: scenarios[0].match.body.instMid: expected a string, number or boolean, got a list"),
        ("{merOrderId: A, body: [instMid]}", "s.yaml:3: scenarios[0].match.body: expected a mapping of body fields, got a list"),
        ("{merOrderId: A, headers: {}}", "s.yaml:3: scenarios[0].match: unknown key 'headers'; allowed keys: merOrderId, merOrderIdPrefix, merOrderIdPattern, endpoint, body"),
    ],
)  # fmt: skip
def test_match_errors(match: str, expected: str) -> None:
    assert errors_of(scenario_yaml(match=match)) == [expected]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("'{{ foo.bar }}'", "unknown template root 'foo' in '{{ foo.bar }}'; use {{ request.<field> }}, {{ faker.<provider> }} or {{ now }}"),
        ("'{{ faker.no_such_thing }}'", "unknown Faker provider 'no_such_thing' (locale zh_CN)"),
        ("'{{ faker.seed_instance }}'", "'seed_instance' is not a Faker provider"),
        ("'{{ faker.random_sample }}'", None),
        ("'{{ request.merOrderId'", "unclosed '{{' in '{{ request.merOrderId'"),
    ],
)  # fmt: skip
def test_template_errors_carry_the_line_of_the_string(value: str, expected: str | None) -> None:
    text = scenario_yaml(respond="") + f"    respond:\n      fields:\n        errCode: TARGET_FAIL\n        merName: {value}\n"
    prefix = "s.yaml:7: scenarios[0].respond.fields.merName: "
    assert errors_of(text) == ([] if expected is None else [prefix + expected])


def test_template_errors_in_nested_values_name_the_path() -> None:
    text = scenario_yaml(respond="{fields: {appPayRequest: {items: [ok, '{{ nope }}']}}}")
    assert errors_of(text) == [
        "s.yaml:4: scenarios[0].respond.fields.appPayRequest.items[1]: unknown template root "
        "'nope' in '{{ nope }}'; use {{ request.<field> }}, {{ faker.<provider> }} or {{ now }}"
    ]


def test_unsupported_tags_are_reported_not_constructed() -> None:
    text = scenario_yaml(
        match="!!python/object:x {merOrderId: A}",
        respond="{fields: {a: !!python/object:os.system {}, b: !!binary aGk=, c: !!omap [x: 1]}}",
    )
    assert errors_of(text) == [
        "s.yaml:3: scenarios[0].match: unsupported YAML tag tag:yaml.org,2002:python/object:x",
        "s.yaml:4: scenarios[0].respond.fields.a: unsupported YAML tag tag:yaml.org,2002:python/object:os.system",
        "s.yaml:4: scenarios[0].respond.fields.b: unsupported YAML tag tag:yaml.org,2002:binary",
        "s.yaml:4: scenarios[0].respond.fields.c: unsupported YAML tag tag:yaml.org,2002:omap",
    ]  # fmt: skip


def test_explicit_scalar_tags_with_bad_values_are_errors() -> None:
    text = scenario_yaml(respond="", sequence="[{delay: 1, repeat: !!int abc}]")
    assert errors_of(text) == ["s.yaml:4: scenarios[0].sequence[0].repeat: 'abc' is not a valid int"]


def test_duplicate_and_non_string_keys() -> None:
    text = scenario_yaml(respond="{fields: {b: 1, b: 2, 7: x}}")
    assert errors_of(text) == [
        "s.yaml:4: scenarios[0].respond.fields: duplicate key 'b' (first at line 4)",
        "s.yaml:4: scenarios[0].respond.fields: keys must be strings, got the number 7",
    ]


def test_values_keep_their_yaml_meaning_except_dates_and_ids() -> None:
    text = scenario_yaml(
        match="{merOrderId: 0012345}",
        respond="{fields: {settleDate: 2024-05-01, payTime: 2024-05-01 12:00:00, n: 12, f: 1.5, ok: true}}",
    )
    result = load_text(text, "s.yaml", allowed=terms(None, None))
    (scenario,) = result.scenarios
    # Unquoted ids keep their digits (YAML 1.1 would read 0012345 as octal).
    assert scenario.match.value == "0012345"
    assert dict(scenario.steps[0].fields) == {
        "settleDate": "2024-05-01",
        "payTime": "2024-05-01 12:00:00",
        "n": 12,
        "f": 1.5,
        "ok": True,
    }


def test_anchors_aliases_and_merge_keys() -> None:
    text = """\
    x-paid: &paid
      errCode: TARGET_FAIL
      errMsg: 订单已支付
    scenarios:
      - name: a
        match: {merOrderId: A}
        respond:
          fields:
            <<: *paid
            errMsg: overridden
      - name: b
        match: {merOrderId: B}
        respond: {fields: *paid}
    """
    result = load_text(dedent(text), "s.yaml", allowed=terms(None, None))
    assert result.errors == ()
    assert [dict(s.steps[0].fields) for s in result.scenarios] == [
        {"errCode": "TARGET_FAIL", "errMsg": "overridden"},
        {"errCode": "TARGET_FAIL", "errMsg": "订单已支付"},
    ]


def test_recursive_alias_is_an_error_not_a_crash() -> None:
    errors = errors_of(scenario_yaml(respond="{fields: {loop: &l [*l]}}"))
    assert len(errors) == 1
    assert errors[0].startswith("s.yaml:4: scenarios[0].respond.fields.loop[0][0]")
    assert errors[0].endswith("...: nested more than 64 levels deep (a recursive alias?)")


def test_alias_bomb_is_capped() -> None:
    lines = ["x-0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"x-{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 9)]
    text = "\n".join(lines) + "\n" + scenario_yaml(respond="{fields: {bomb: *a8}}")
    errors = errors_of(text)
    assert len(errors) == 1
    assert "more than 100000 values in this file (an alias bomb?)" in errors[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("scenarios:\n  - name: a\n   match: 1\n", {
            "libyaml": "s.yaml:3: YAML syntax error: did not find expected '-' indicator (while parsing a block collection at line 2)",
            "pyyaml": "s.yaml:3: YAML syntax error: expected <block end>, but found '<block mapping start>' (while parsing a block collection at line 2)"}),
        ("scenarios: [a, b\n", {
            "libyaml": "s.yaml:2: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence at line 1)",
            "pyyaml": "s.yaml:2: YAML syntax error: expected ',' or ']', but got '<stream end>' (while parsing a flow sequence at line 1)"}),
        ("scenarios: []\n---\nscenarios: []\n", "s.yaml:2: YAML syntax error: expected a single document in the stream, but found another document"),
        ("scenarios: *nowhere\n", "s.yaml:1: YAML syntax error: found undefined alias 'nowhere'"),
        ("a: 1\nb: \x01\n", "s.yaml:2: character '\\x01' is not allowed in YAML"),
        ("- a\n- b\n", "s.yaml:1: expected a mapping with a top-level 'scenarios' list, got a list"),
        ("just text\n", "s.yaml:1: expected a mapping with a top-level 'scenarios' list, got the string 'just text'"),
        ("version: 1\n", "s.yaml:1: unknown key 'version'; allowed keys: scenarios (or x-… for anchors)"),
        ("scenarios: {a: 1}\n", "s.yaml:1: scenarios: expected a list of scenarios, got a mapping"),
        ("scenarios:\n  - 5\n", "s.yaml:2: scenarios[0]: expected a mapping, got the number 5"),
    ],
)  # fmt: skip
def test_file_level_errors(text: str, expected: str | dict[str, str]) -> None:
    """Each error names its line; a syntax error in the words of the parser PyYAML uses (libyaml in its wheels)."""
    assert errors_of(text)[0] == (expected if isinstance(expected, str) else expected[YAML_PARSER])


def test_missing_scenarios_key_is_reported() -> None:
    assert errors_of("x-notes: hello\n") == [
        "s.yaml:1: expected a mapping with a top-level 'scenarios' list, but there is no 'scenarios' key"
    ]


def test_non_utf8_file_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("scenarios:\n  - name: café\n".encode("latin-1"))
    assert [str(error) for error in load(path).errors] == [f"{path}:2: file is not UTF-8 text (byte 0xe9 at offset 24)"]


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + scenario_yaml().encode())
    assert load(path).ok


def test_duplicate_names_across_files_name_both_places(tmp_path: Path) -> None:
    first = write(tmp_path, "a.yaml", scenario_yaml(name="paid", match="{merOrderId: A}"))
    second = write(tmp_path, "b.yaml", "# header\n" + scenario_yaml(name="paid", match="{merOrderId: B}"))
    result = load(tmp_path)
    assert [s.match.value for s in result.scenarios] == ["A"]
    assert [str(error) for error in result.errors] == [
        f"{second}:3: scenarios[0]: duplicate scenario name 'paid'; also defined at {first}:2"
    ]


def test_identical_rules_are_ambiguous(tmp_path: Path) -> None:
    text = """\
    scenarios:
      - name: first
        match: {merOrderIdPrefix: MK, body: {instMid: APPDEFAULT}}
        respond: {delay: 1}
      - name: second
        match: {body: {instMid: APPDEFAULT}, merOrderIdPrefix: MK}
        respond: {delay: 2}
      - name: narrower
        match: {merOrderIdPrefix: MK, body: {instMid: APPDEFAULT}, endpoint: /v1/netpay/close}
        respond: {delay: 3}
    """
    path = write(tmp_path, "s.yaml", text)
    result = load(path)
    assert [s.name for s in result.scenarios] == ["first", "narrower"]
    assert [str(error) for error in result.errors] == [
        f"{path}:5: scenarios[1]: scenario 'second' has the same match rule as 'first' "
        f"({path}:2), so it could never be chosen"
    ]


def test_folders_load_recursively_in_sorted_order(tmp_path: Path) -> None:
    write(tmp_path, "b.yaml", scenario_yaml(name="b", match="{merOrderId: B}"))
    write(tmp_path, "a/z.yml", scenario_yaml(name="az", match="{merOrderId: AZ}"))
    write(tmp_path, "a.yaml", scenario_yaml(name="a", match="{merOrderId: A}"))
    write(tmp_path, "notes.txt", "not yaml")
    write(tmp_path, ".hidden/x.yaml", "broken: [")
    write(tmp_path, ".#lock.yaml", "broken: [")
    result = load(tmp_path, tmp_path / "a.yaml")  # named twice, loaded once
    assert result.errors == ()
    assert [s.name for s in result.scenarios] == ["az", "a", "b"]
    assert result.files == (tmp_path / "a" / "z.yml", tmp_path / "a.yaml", tmp_path / "b.yaml")


def test_bad_paths_are_errors(tmp_path: Path) -> None:
    text_file = write(tmp_path, "notes.txt", "hello")
    result = load(tmp_path / "missing", text_file)
    assert [str(error) for error in result.errors] == [
        f"{tmp_path / 'missing'}: no such file or folder (or not readable)",
        f"{text_file}: not a scenario file: the name must end in .yaml or .yml",
    ]


def test_symlink_loops_are_reported_not_raised(tmp_path: Path) -> None:
    (tmp_path / "loop.yaml").symlink_to(tmp_path / "loop.yaml")
    result = load(tmp_path)
    assert [str(error) for error in result.errors] == [
        f"{tmp_path / 'loop.yaml'}: cannot read file: Too many levels of symbolic links"
    ]


def test_unchecked_vocabularies_accept_any_value() -> None:
    text = scenario_yaml(match="{merOrderId: A, endpoint: /anything}", respond="{gateway_error: whatever}")
    result = load_text(text, "s.yaml", allowed=terms(None, None))
    assert result.ok
    assert result.scenarios[0].steps[0].gateway_error == "whatever"


def existing_scenario() -> Scenario:
    return Scenario(
        name="paid",
        source=SourceRef("bundled.yaml", 4),
        match=MatchRule.exact("A"),
        steps=(Step(delay=1.0),),
    )


def test_existing_scenarios_take_part_in_cross_checks() -> None:
    text = scenario_yaml(name="paid", match="{merOrderId: B}") + scenario_yaml(
        name="other", match="{merOrderId: A}"
    ).removeprefix("scenarios:\n")
    result = load_text(text, "<control>", allowed=terms(None, None), existing=[existing_scenario()])
    assert result.scenarios == ()
    assert [str(error) for error in result.errors] == [
        "<control>:2: scenarios[0]: duplicate scenario name 'paid'; also defined at bundled.yaml:4",
        "<control>:5: scenarios[1]: scenario 'other' has the same match rule as 'paid' "
        "(bundled.yaml:4), so it could never be chosen",
    ]


def test_load_mapping_reports_key_paths_without_lines() -> None:
    data = {
        "scenarios": [
            {"name": "a", "match": {"merOrderId": "A"}, "respond": {"delay": "slow"}},
            {"name": "b", "match": {"merOrderIdPrefix": "B"}, "sequence": [{"fields": {"n": 1.5}}]},
            {"name": "b", "match": {"merOrderId": "C"}, "respond": {"fields": {"x": {1, 2}}}},
        ]
    }
    result = load_mapping(data, "<control>", allowed=terms(GATEWAY_ERRORS, ENDPOINTS))
    assert [s.name for s in result.scenarios] == ["b"]
    assert dict(result.scenarios[0].steps[0].fields) == {"n": 1.5}
    assert result.scenarios[0].source == SourceRef("<control>", 0)
    assert [str(error) for error in result.errors] == [
        "<control>: scenarios[0].respond.delay: expected a number of seconds, got the string 'slow'",
        "<control>: scenarios[2].respond.fields.x: unsupported YAML tag !python/set",
        "<control>: scenarios[2]: duplicate scenario name 'b'; also defined at <control> (scenarios[1])",
    ]


def test_load_mapping_handles_odd_numbers_and_shapes() -> None:
    data = {"scenarios": [{"name": "a", "match": {"merOrderId": "A"}, "respond": {"delay": float("inf")}}]}
    result = load_mapping(data, allowed=terms(None, None))
    assert [str(error) for error in result.errors] == [
        "<mapping>: scenarios[0].respond.delay: must be between 0 and 300 seconds, got .inf"
    ]
    assert [str(e) for e in load_mapping([1], allowed=terms(None, None)).errors] == [
        "<mapping>: expected a mapping with a top-level 'scenarios' list, got a list"
    ]


@pytest.mark.parametrize("text", [
    dedent("""\
        x-base: &base {respond: {fields: {errCode: SUCCESS}}}
        scenarios:
          - name: a
            match: {merOrderIdPattern: '[A-Z]{2}0+'}
            <<: *base
          - {name: "b", match: {merOrderId: X1}, respond: {delay: 1.5, fields: {totalAmount: 0x10}}}
        """),
    "scenarios: [a, b\n",
    "a: 1\nb: \x01\n",
    "[" * 150 + "]" * 150 + "\n",
    "a: " + "[" * 5000 + "]" * 5000 + "\n",  # beyond libyaml's own limit
])
def test_libyaml_and_pyyaml_compose_the_same_tree_or_refuse_on_the_same_line(
        text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Scenario files compose with libyaml's parser where PyYAML has it, else with PyYAML's own: the node tree,
    its lines and columns, and the line of a refusal are the same either way (only syntax errors' words differ)."""
    fast = walker.compose_yaml(text)

    class PythonLoader(walker._PythonEvents, yaml.composer.Composer, yaml.resolver.Resolver):  # type: ignore[misc]
        __init__ = walker._NestingLimitedLoader.__init__
        compose_node = walker._NestingLimitedLoader.compose_node

    monkeypatch.setattr(walker, "_Events", walker._PythonEvents)
    monkeypatch.setattr(walker, "_NestingLimitedLoader", PythonLoader)
    slow = walker.compose_yaml(text)
    assert (fast.problem is None) == (slow.problem is None)
    if fast.problem is not None and slow.problem is not None:
        assert fast.problem[0] == slow.problem[0]
        if "nested" in slow.problem[1]:
            assert fast.problem == slow.problem
        return

    def shape(node: Node | None) -> object:
        if node is None:
            return None
        mark = (node.tag, node.start_mark.line, node.start_mark.column)
        if isinstance(node.value, list):
            return mark, [tuple(map(shape, item)) if isinstance(item, tuple) else shape(item) for item in node.value]
        return mark, node.value

    assert shape(fast.root) == shape(slow.root)


def _deep(levels: int, alias_at: int | None = None) -> str:
    """A document `levels` levels deep (the root mapping is level 1), an alias of a shallow anchor at `alias_at`."""
    inner = "*shallow" if alias_at is not None else "x"
    text = "[" * (levels - 2) + inner + "]" * (levels - 2)
    return f"anchor: &shallow [1]\ndeep: {text}\n"


@pytest.mark.parametrize("text", [
    FULL_EXAMPLE,
    _deep(100), _deep(101), _deep(100, alias_at=100), _deep(101, alias_at=101),
    "a: &deep " + "[" * 98 + "]" * 98 + "\nb: [*deep]\n",  # the anchored node fits; its alias one level down too
    "a: " + "{k: " * 99 + "x" + "}" * 99 + "\n", "a: " + "{k: " * 98 + "x" + "}" * 98 + "\n",
    "x-a: &l [*l]\nscenarios: []\n",  # a recursive alias
    "a: &x 1\nb: &x 2\n",  # a duplicate anchor
    "scenarios: *nowhere\n", "scenarios: [a, b\n", "a: 1\nb: \x01\n", "scenarios: []\n---\nscenarios: []\n",
    "", "# only a comment\n", "just text\n",
])
def test_libyamls_composer_gives_what_the_counting_composer_gives(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """libyaml's composer is tried first (it is twice as fast); the tree, or the refusal with its line and words,
    is the same as the composer that counts levels gives, at and just beyond MAX_NESTING too."""
    fast = walker.compose_yaml(text)
    monkeypatch.setattr(walker, "_LIBYAML", None)
    slow = walker.compose_yaml(text)
    assert fast.problem == slow.problem

    def shape(node: Node | None, seen: set[int]) -> object:
        if node is None or id(node) in seen:
            return None if node is None else ("again", node.start_mark.line, node.start_mark.column)
        seen.add(id(node))
        marks = (type(node).__name__, node.tag, node.start_mark.line, node.start_mark.column, node.end_mark.line,
                 node.end_mark.column, getattr(node, "style", None), getattr(node, "flow_style", None))
        if isinstance(node.value, list):
            return marks, [tuple(shape(part, seen) for part in item) if isinstance(item, tuple) else shape(item, seen)
                           for item in node.value]
        return marks, node.value

    assert shape(fast.root, set()) == shape(slow.root, set())
    assert within_nesting(fast.root, walker.MAX_NESTING) if fast.root is not None else True


def test_a_deep_document_is_refused_where_the_counting_composer_refuses_it() -> None:
    assert walker.compose_yaml(_deep(101)).problem == (2, "YAML syntax error: nested more than 100 levels deep")
    assert walker.compose_yaml(_deep(101, alias_at=101)).problem == (
        2, "YAML syntax error: nested more than 100 levels deep")
    assert walker.compose_yaml(_deep(100, alias_at=100)).problem is None


@pytest.mark.skipif(walker.YAML_PARSER != "libyaml", reason="PyYAML without libyaml")
def test_a_file_that_fits_is_composed_once_by_libyaml(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(walker, "_NestingLimitedLoader", None)  # composing again would fail
    assert walker.compose_yaml(FULL_EXAMPLE).problem is None


def test_scenarios_narrowed_for_the_same_reason_draw_one_warning(caplog: pytest.LogCaptureFixture) -> None:
    """Each scenario that names no endpoint and answers in one line's words is narrowed to that line; a file of
    many such scenarios gets one warning per reason, naming the first three and counting the rest."""
    from mockums.lines import DEFAULT_REGISTRY

    allowed = DEFAULT_REGISTRY.allowed(None)
    many = "scenarios:\n" + "".join(
        f"  - name: ok-{index}\n    match: {{merOrderId: OK{index}}}\n    respond: {{fields: {{errCode: SUCCESS}}}}\n"
        for index in range(5))
    with caplog.at_level("WARNING", logger="mockums.scenarios"):
        result = load_text(many, "many.yaml", allowed=allowed)
    assert [str(error) for error in result.errors] == []
    assert len(result.scenarios) == 5
    netpay = next(family for family in allowed.families if family.name == "netpay").endpoints
    assert {scenario.match.endpoints for scenario in result.scenarios} == {netpay}
    # Narrowed alike, they share one set of endpoints (10,000 copies of it took 21.6 MiB).
    assert len({id(scenario.match.endpoints) for scenario in result.scenarios}) == 1
    assert "/v1/netpay/wx/app-pre-close" in netpay and "/v2/poslink/transaction/pay" not in netpay
    assert [record.getMessage() for record in caplog.records] == [
        "many.yaml: 5 scenarios (scenarios[0] (line 2), scenarios[1] (line 5), scenarios[2] (line 8) and 2 more) "
        "name no endpoint, so they apply only where their answer fields mean something: errCode 'SUCCESS' is "
        "netpay's, not poslink's; name `match.endpoint` to say so and silence this warning"]
    caplog.clear()
    with caplog.at_level("WARNING", logger="mockums.scenarios"):
        load_text("scenarios:\n" + many.split("\n", 1)[1].split("  - name: ok-1")[0], "one.yaml", allowed=allowed)
    assert [record.getMessage() for record in caplog.records] == [
        "one.yaml: scenarios[0] (line 2) names no endpoint, so it applies only where its answer fields mean "
        "something: errCode 'SUCCESS' is netpay's, not poslink's; name `match.endpoint` to say so and silence this "
        "warning"]

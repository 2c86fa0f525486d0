from __future__ import annotations

from collections.abc import Mapping

import pytest
from faker import Faker

from mockums.scenarios import (
    CompiledFields,
    TemplateError,
    compile_fields,
    compile_value,
    render_fields,
    template_problems,
)

NOW = "2024-05-01 12:30:00"
REQUEST: dict[str, object] = {
    "merOrderId": "MKPAID0001",
    "totalAmount": 100,
    "paid": True,
    "srcReserve": None,
    "goods": {"name": "茶叶", "price": 5},
    "tags": ["a", "b"],
}


@pytest.fixture
def faker() -> Faker:
    fake = Faker("zh_CN")
    fake.seed_instance(7)
    return fake


def render(fields: Mapping[str, object], faker: Faker) -> dict[str, object]:
    return render_fields(fields, REQUEST, faker, NOW)


def test_whole_string_template_keeps_the_request_type(faker: Faker) -> None:
    fields = {
        "totalAmount": "{{ request.totalAmount }}",
        "paid": "{{request.paid}}",
        "goods": "{{ request.goods }}",
        "price": "{{ request.goods.price }}",
    }
    assert render(fields, faker) == {
        "totalAmount": 100,
        "paid": True,
        "goods": {"name": "茶叶", "price": 5},
        "price": 5,
    }


def test_templates_inside_text_render_as_text(faker: Faker) -> None:
    fields = {
        "errMsg": "order {{ request.merOrderId }} costs {{ request.totalAmount }}",
        "flags": "paid={{ request.paid }} tags={{ request.tags }}",
        "goods": "[{{ request.goods }}]",
        "stamp": "at {{ now }}",
    }
    assert render(fields, faker) == {
        "errMsg": "order MKPAID0001 costs 100",
        "flags": 'paid=true tags=["a","b"]',
        "goods": '[{"name":"茶叶","price":5}]',
        "stamp": f"at {NOW}",
    }


def test_missing_request_fields(faker: Faker) -> None:
    fields = {
        "whole": "{{ request.nothing }}",
        "null": "{{ request.srcReserve }}",
        "deep": "{{ request.merOrderId.inner }}",
        "text": "<{{ request.nothing }}|{{ request.srcReserve }}>",
    }
    assert render(fields, faker) == {"whole": None, "null": None, "deep": None, "text": "<|>"}


def test_null_removes_at_the_top_level_and_inside_mappings_but_not_in_lists(faker: Faker) -> None:
    fields = {
        "settleDate": None,
        "appPayRequest": {"qrCode": None, "gone": "{{ request.nothing }}", "kept": 1},
        "list": [None, "{{ request.nothing }}", 2],
    }
    assert render(fields, faker) == {
        "settleDate": None,  # the caller removes top-level None fields from its answer
        "appPayRequest": {"kept": 1},
        "list": [None, None, 2],
    }


def test_faker_and_now(faker: Faker) -> None:
    fields = {"merName": "{{ faker.company }}", "n": "{{ faker.random_int }}", "t": "{{ now }}"}
    expected_faker = Faker("zh_CN")
    expected_faker.seed_instance(7)
    assert render(fields, faker) == {
        "merName": expected_faker.company(),
        "n": expected_faker.random_int(),
        "t": NOW,
    }


def test_faker_values_that_are_not_json_become_text(faker: Faker) -> None:
    rendered = render({"day": "{{ faker.date_object }}"}, faker)
    assert isinstance(rendered["day"], str)
    assert len(rendered["day"]) == len("2024-05-01")


def test_each_render_builds_fresh_containers(faker: Faker) -> None:
    compiled = compile_fields({"nested": {"list": [1, 2]}})
    first = compiled.render(REQUEST, faker, NOW)
    first["nested"]["list"].append(3)  # type: ignore[index]
    assert compiled.render(REQUEST, faker, NOW) == {"nested": {"list": [1, 2]}}
    assert dict(compiled) == {"nested": {"list": [1, 2]}}


def test_compiled_fields_read_as_the_raw_mapping() -> None:
    compiled = compile_fields({"errCode": "SUCCESS", "amount": "{{ request.totalAmount }}"})
    assert isinstance(compiled, CompiledFields)
    assert compiled == {"errCode": "SUCCESS", "amount": "{{ request.totalAmount }}"}
    assert compiled["amount"] == "{{ request.totalAmount }}"
    assert list(compiled) == ["errCode", "amount"]
    assert len(compiled) == 2
    assert compile_fields(compiled) is compiled


@pytest.mark.parametrize(
    ("text", "problems"),
    [
        ("plain text, {single braces}", []),
        ("{{ request.a.b_c }} and {{now}} and {{ faker.uuid4 }}", []),
        ("{{ foo.bar }}", ["unknown template root 'foo' in '{{ foo.bar }}'; use {{ request.<field> }}, {{ faker.<provider> }} or {{ now }}"]),
        ("{{ request }}", ["{{ request }} needs a field, e.g. {{ request.merOrderId }}"]),
        ("{{ now.date }}", ["{{ now }} takes no field, got '{{ now.date }}'"]),
        ("{{ faker }}", ["'{{ faker }}' must name exactly one provider, e.g. {{ faker.company }}"]),
        ("{{ faker.company.name }}", ["'{{ faker.company.name }}' must name exactly one provider, e.g. {{ faker.company }}"]),
        ("{{ faker.nope }}", ["unknown Faker provider 'nope' (locale zh_CN)"]),
        ("{{ faker.random_choices }}", []),
        ("{{ faker.pystr_format }}", []),
        ("{{ faker.date_between_dates }}", []),
        ("{{ faker.seed_instance }}", ["'seed_instance' is not a Faker provider"]),
        ("{{ faker.__class__ }}", ["'__class__' is not a Faker provider"]),
        ("{{ faker.company() }}", ["cannot read template '{{ faker.company() }}'; write {{ request.<field> }}, {{ faker.<provider> }} or {{ now }}"]),
        ("{{ }}", ["cannot read template '{{  }}'; write {{ request.<field> }}, {{ faker.<provider> }} or {{ now }}"]),
        ("{{ a }} {{ b", ["unknown template root 'a' in '{{ a }}'; use {{ request.<field> }}, {{ faker.<provider> }} or {{ now }}", "unclosed '{{' in '{{ a }} {{ b'"]),
    ],
)  # fmt: skip
def test_template_problems(text: str, problems: list[str]) -> None:
    assert template_problems(text) == problems


def test_providers_that_need_arguments_are_rejected() -> None:
    assert template_problems("{{ faker.enum }}") == [
        "Faker provider 'enum' needs arguments (enum_cls); only argument-free ones work"
    ]


def test_a_failing_provider_renders_a_marker_instead_of_raising(faker: Faker) -> None:
    def broken() -> str:
        raise RuntimeError("no data")

    faker.company = broken  # type: ignore[method-assign]
    assert render({"merName": "{{ faker.company }}"}, faker) == {"merName": "<faker.company failed: RuntimeError>"}


def test_compile_value_raises_on_bad_templates() -> None:
    with pytest.raises(TemplateError, match=r"unknown template root 'x'"):
        compile_value({"a": ["{{ x.y }}"]})
    with pytest.raises(TemplateError):
        render_fields({"a": "{{ faker.nope }}"}, {}, Faker(), NOW)

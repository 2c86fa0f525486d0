"""Templates inside scenario `fields`, compiled at load time and rendered per request.

Three shapes exist, nothing else (no eval, no filters):

* ``{{ request.<field> }}``: a request body field; dotted paths reach into nested objects.
* ``{{ faker.<provider> }}``: a zero-argument provider of a ``Faker("zh_CN")`` instance.
* ``{{ now }}``: the response time, as passed by the caller (``yyyy-MM-dd HH:mm:ss``).

A string that is exactly one template keeps the value's own type (an int stays an int); a
template inside longer text is rendered as text. A request field that is missing (or JSON null)
renders as ``""`` inside text, and as ``None`` for a whole-string template, which removes the field.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from mockums.protocol import wire

if TYPE_CHECKING:
    from faker import Faker

_TEMPLATE = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_EXPRESSION = re.compile(rf"{_NAME}(?:\.{_NAME})*")
_SHAPES = "{{ request.<field> }}, {{ faker.<provider> }} or {{ now }}"
_MISSING = object()


class TemplateError(ValueError):
    """A template that cannot be compiled; the message says which and why."""


class _Context(NamedTuple):
    request: Mapping[str, object]
    faker: Faker
    now: str


@functools.cache
def _reference_faker() -> Faker:
    # Providers depend on the locale, so validate against the locale the server uses. Faker is imported here,
    # when a template first names a provider: loading scenarios without one (`mockums check`, `mockums sign`)
    # does not pay its import (a third of a second).
    from faker import Faker  # noqa: PLC0415 - see above

    return Faker("zh_CN")


@functools.lru_cache(maxsize=1024)  # names come from uploaded scenarios: bounded, whatever is sent
def _faker_problem(name: str) -> str | None:
    from faker.providers import BaseProvider  # noqa: PLC0415 - imported with Faker, when first needed (above)

    try:
        attribute = getattr(_reference_faker(), name)
    except AttributeError:
        return f"unknown Faker provider '{name}' (locale zh_CN)"
    # Only provider methods: proxy methods such as seed_instance would change shared state.
    if name.startswith("_") or not (inspect.ismethod(attribute) and isinstance(attribute.__self__, BaseProvider)):
        return f"'{name}' is not a Faker provider"
    try:
        parameters = inspect.signature(attribute).parameters.values()
    except (TypeError, ValueError):  # no introspectable signature: cannot prove it takes none
        return f"Faker provider '{name}' cannot be checked for arguments"
    required = [
        parameter.name
        for parameter in parameters
        if parameter.default is inspect.Parameter.empty
        and parameter.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    ]
    if required:
        needs = ", ".join(required)
        return f"Faker provider '{name}' needs arguments ({needs}); only argument-free ones work"
    return None


@dataclass(frozen=True)
class _Expression:
    root: str
    path: tuple[str, ...]

    def evaluate(self, context: _Context) -> object:
        if self.root == "now":
            return context.now
        if self.root == "faker":
            try:
                value = getattr(context.faker, self.path[0])()
            except Exception as problem:  # a provider bug must not fail the whole answer
                return f"<faker.{self.path[0]} failed: {type(problem).__name__}>"
            # Only JSON-native values survive as such; dates, Decimals and the like become text.
            return value if isinstance(value, (str, int, float, bool)) else str(value)
        current: object = context.request
        for part in self.path:
            if not isinstance(current, Mapping) or part not in current:
                return _MISSING
            current = current[part]
        return current


def _parse_expression(source: str) -> tuple[_Expression | None, str | None]:
    text = source.strip()
    shown = f"'{{{{ {text} }}}}'"
    if not _EXPRESSION.fullmatch(text):
        return None, f"cannot read template {shown}; write {_SHAPES}"
    root, *path = text.split(".")
    if root == "now":
        return (None, f"{{{{ now }}}} takes no field, got {shown}") if path else (_Expression(root, ()), None)
    if root == "request":
        if not path:
            return None, "{{ request }} needs a field, e.g. {{ request.merOrderId }}"
        return _Expression(root, tuple(path)), None
    if root == "faker":
        if len(path) != 1:
            return None, f"{shown} must name exactly one provider, e.g. {{{{ faker.company }}}}"
        problem = _faker_problem(path[0])
        return (None, problem) if problem else (_Expression(root, tuple(path)), None)
    return None, f"unknown template root '{root}' in {shown}; use {_SHAPES}"


def _split(text: str) -> tuple[list[str | _Expression], list[str]]:
    parts: list[str | _Expression] = []
    problems: list[str] = []
    position = 0
    for found in _TEMPLATE.finditer(text):
        parts.append(text[position : found.start()])
        expression, problem = _parse_expression(found.group(1))
        if expression is not None:
            parts.append(expression)
        if problem is not None:
            problems.append(problem)
        position = found.end()
    rest = text[position:]
    if "{{" in rest:
        problems.append(f"unclosed '{{{{' in {text!r}")
    parts.append(rest)
    return [part for part in parts if part != ""], problems


def template_problems(text: str) -> list[str]:
    """Everything wrong with the templates in one string (empty when it is fine)."""
    return _split(text)[1]


def _as_text(value: object) -> str:
    return "" if value is _MISSING or value is None else wire.as_text(value)


class CompiledValue:
    """A field value ready to render; subclasses cover constants, text, lists and mappings."""

    def render(self, context: _Context) -> object:
        raise NotImplementedError


@dataclass(frozen=True)
class _Constant(CompiledValue):
    value: object

    def render(self, context: _Context) -> object:
        return self.value


@dataclass(frozen=True)
class _Whole(CompiledValue):
    expression: _Expression

    def render(self, context: _Context) -> object:
        value = self.expression.evaluate(context)
        return None if value is _MISSING else value


@dataclass(frozen=True)
class _Text(CompiledValue):
    parts: tuple[str | _Expression, ...]

    def render(self, context: _Context) -> object:
        return "".join(part if isinstance(part, str) else _as_text(part.evaluate(context)) for part in self.parts)


@dataclass(frozen=True)
class _List(CompiledValue):
    items: tuple[CompiledValue, ...]

    def render(self, context: _Context) -> object:
        # Positions matter in a list, so a null item stays null.
        return [item.render(context) for item in self.items]


@dataclass(frozen=True)
class _Mapping(CompiledValue):
    items: tuple[tuple[str, CompiledValue], ...]

    def render(self, context: _Context) -> object:
        # Below the top level nobody merges, so "null removes the key" is applied here.
        rendered = ((key, value.render(context)) for key, value in self.items)
        return {key: value for key, value in rendered if value is not None}


def compile_value(value: object) -> CompiledValue:
    """Compile one field value (any JSON-like shape); raises `TemplateError` on a bad template."""
    if isinstance(value, str):
        parts, problems = _split(value)
        if problems:
            raise TemplateError("; ".join(problems))
        if len(parts) == 1 and isinstance(parts[0], _Expression):
            return _Whole(parts[0])
        if any(isinstance(part, _Expression) for part in parts):
            return _Text(tuple(parts))
        return _Constant(value)
    if isinstance(value, Mapping):
        return _Mapping(tuple((str(key), compile_value(item)) for key, item in value.items()))
    if isinstance(value, (list, tuple)):
        return _List(tuple(compile_value(item) for item in value))
    return _Constant(value)


class CompiledFields(Mapping[str, object]):
    """Response fields as written (reading it gives the raw values) plus their compiled form."""

    def __init__(self, fields: Mapping[str, object]) -> None:
        self._raw = dict(fields)
        self._compiled = tuple((key, compile_value(value)) for key, value in self._raw.items())

    def __getitem__(self, key: str) -> object:
        return self._raw[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)

    def __repr__(self) -> str:
        return f"CompiledFields({self._raw!r})"

    def render(self, request: Mapping[str, object], faker: Faker, now: str) -> dict[str, object]:
        context = _Context(request, faker, now)
        return {key: value.render(context) for key, value in self._compiled}


def compile_fields(fields: Mapping[str, object]) -> CompiledFields:
    """Compile a `fields` mapping; raises `TemplateError` on the first bad template."""
    return fields if isinstance(fields, CompiledFields) else CompiledFields(fields)


def render_fields(
    fields: Mapping[str, object], request: Mapping[str, object], faker: Faker, now: str
) -> dict[str, object]:
    """Render `fields` for one request. A `None` value in the result means "remove this field"."""
    return compile_fields(fields).render(request, faker, now)

"""The public API is declared: `mockums.__all__` lists it, each name imports and has a docstring, and
importing mockums alone stays cheap."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest

import mockums


@pytest.mark.parametrize("name", [name for name in mockums.__all__ if name != "__version__"])
def test_every_public_name_is_documented(name: str) -> None:
    value = getattr(mockums, name)
    documented = inspect.getdoc(value) if inspect.isclass(value) or callable(value) else inspect.getdoc(type(value))
    assert documented, f"mockums.{name} has no docstring"
    if inspect.isclass(value):
        missing = [attribute for attribute, member in vars(value).items()
                   if not attribute.startswith("_") and callable(member) and not inspect.getdoc(member)]
        assert not missing, f"mockums.{name} methods without a docstring: {missing}"


def test_all_and_the_lazy_table_agree() -> None:
    assert sorted(mockums.__all__) == sorted([*mockums._WHERE, "__version__"])


def test_unknown_names_are_attribute_errors() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _ = mockums.nothing  # type: ignore[attr-defined]


def test_old_names_keep_working() -> None:
    assert mockums.MockumsServer is mockums.Mockums


def test_import_mockums_is_cheap() -> None:
    code = "import sys, mockums; print(sorted(m for m in sys.modules if m.split('.')[0] in ('aiohttp', 'faker')))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert result.stdout.strip() == "[]"

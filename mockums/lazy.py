"""A package's public names imported when first asked for (a module `__getattr__`, PEP 562): importing the
package, or one module of it, does not import everything its names come from."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_names(package: str, where: Mapping[str, str], namespace: dict[str, Any]) -> Callable[[str], Any]:
    """The `__getattr__` for `package`: a name of `where` (name -> module) is imported from its module when first
    asked for and kept in `namespace` (the package's globals), so the next lookup does not come here."""

    def __getattr__(name: str) -> Any:
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(where[name]), name)
        namespace[name] = value
        return value

    return __getattr__

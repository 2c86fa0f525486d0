"""Values as bytes and back, for a store outside the process: tagged JSON that rebuilds only the classes
registered with it (named tuples, dataclasses, enums), never arbitrary objects, so whoever can write to the
store cannot make mockums run code (as unpickling would).

    {"~": "Order", "f": [...]}          a registered named tuple, its fields in order
    {"~": "Delivery", "k": {...}}       a registered dataclass, its init fields by name
    {"~e": "Fault", "v": "timeout"}     a registered enum member
    {"~t": [...]}  a tuple   {"~s": [...]}  a frozenset   {"~m": [[k, v], ...]}  a mapping (read-only)
    {"~d": [[k, v], ...]}  a dict   {"~r": "a+", "fl": 32}  a compiled pattern   {"~b": "…"}  bytes (base64)

Lists, strings, numbers, true/false and null are themselves.
"""

from __future__ import annotations

import base64
import dataclasses
import enum
import json
import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from mockums.errors import StoreUnavailable


class CodecError(StoreUnavailable):
    """A stored value this codec cannot read (written by another version of mockums, or by hand): answered as a
    store that cannot be used, saying which value and why."""


class Codec:
    """Encodes the values of the sandbox's state; `types` are the classes it may rebuild. A dataclass's
    fields named in `derived` are left out and made again by its `__post_init__`."""

    def __init__(self, types: Iterable[type], derived: Mapping[Any, tuple[str, ...]] | None = None) -> None:
        self._types: dict[str, type] = {}
        for kind in types:
            name = kind.__name__
            if name in self._types and self._types[name] is not kind:
                raise ValueError(f"two registered classes are named {name}")
            self._types[name] = kind
        derived = derived or {}
        self._fields: dict[type, tuple[str, ...]] = {
            kind: tuple(f.name for f in dataclasses.fields(kind) if f.init and f.name not in derived.get(kind, ()))
            for kind in self._types.values() if dataclasses.is_dataclass(kind)
        }

    def dumps(self, value: object) -> bytes:
        return json.dumps(self._encode(value), ensure_ascii=False, separators=(",", ":")).encode()

    def loads(self, data: bytes | str) -> Any:
        try:
            return self._decode(json.loads(data))
        except (ValueError, TypeError, KeyError, re.error) as error:
            raise CodecError(f"a stored value mockums cannot read: {error}") from error

    def _encode(self, value: object) -> object:
        if value is None or (isinstance(value, (bool, int, float, str)) and not isinstance(value, enum.Enum)):
            return value
        kind = type(value)
        name = kind.__name__
        if isinstance(value, enum.Enum):
            self._known(kind)
            return {"~e": name, "v": value.value}
        if isinstance(value, tuple):
            if hasattr(value, "_fields"):
                self._known(kind)
                return {"~": name, "f": [self._encode(item) for item in value]}
            return {"~t": [self._encode(item) for item in value]}
        if dataclasses.is_dataclass(value):
            self._known(kind)
            return {"~": name, "k": {field: self._encode(getattr(value, field)) for field in self._fields[kind]}}
        if isinstance(value, list):
            return [self._encode(item) for item in value]
        if isinstance(value, frozenset):
            return {"~s": [self._encode(item) for item in value]}
        if isinstance(value, dict):
            return {"~d": [[self._encode(k), self._encode(v)] for k, v in value.items()]}
        if isinstance(value, Mapping):
            return {"~m": [[self._encode(k), self._encode(v)] for k, v in value.items()]}
        if isinstance(value, re.Pattern):
            return {"~r": value.pattern, "fl": value.flags}
        if isinstance(value, bytes):
            return {"~b": base64.b64encode(value).decode()}
        raise TypeError(f"cannot store a {name}: not a value this store knows")

    def _known(self, kind: type) -> None:
        if self._types.get(kind.__name__) is not kind:
            raise TypeError(f"cannot store a {kind.__name__}: not registered with the store's codec")

    def _decode(self, data: Any) -> Any:
        if isinstance(data, list):
            return [self._decode(item) for item in data]
        if not isinstance(data, dict):
            return data
        if "~" in data:
            kind = self._types[data["~"]]
            if "f" in data:
                return kind(*(self._decode(item) for item in data["f"]))
            return kind(**{key: self._decode(item) for key, item in data["k"].items()})
        if "~t" in data:
            return tuple(self._decode(item) for item in data["~t"])
        if "~s" in data:
            return frozenset(self._decode(item) for item in data["~s"])
        if "~d" in data:
            return {_hashable(self._decode(k)): self._decode(v) for k, v in data["~d"]}
        if "~m" in data:
            return MappingProxyType({_hashable(self._decode(k)): self._decode(v) for k, v in data["~m"]})
        if "~e" in data:
            return self._types[data["~e"]](data["v"])
        if "~r" in data:
            return re.compile(data["~r"], data["fl"])
        if "~b" in data:
            return base64.b64decode(data["~b"])
        raise CodecError(f"an object without a tag: {sorted(data)[:5]}")


def _hashable(key: Any) -> Any:
    return tuple(key) if isinstance(key, list) else key

"""A line-aware reader of composed YAML: generic node readers that report problems as path:line.

The YAML is only *composed* (safe node tree, no object construction) and the tree is walked node
by node, so each error can name the line of the node at fault and every error of a file is
collected rather than the first one raised. Nothing here knows what a scenario is: `schema` builds
the scenario format on top of `Walker`.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, overload

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .composing import collector_paused, within_nesting

TAG = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL = (f"{TAG}{kind}" for kind in ("str", "int", "float", "bool", "null"))
TIMESTAMP, MERGE = f"{TAG}timestamp", f"{TAG}merge"
MAP, SEQ = f"{TAG}map", f"{TAG}seq"
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
SCALARS: dict[str, Callable[[ScalarNode], object]] = {
    STR: lambda node: node.value,
    NULL: lambda node: None,
    BOOL: _CONSTRUCTOR.construct_yaml_bool,
    INT: _CONSTRUCTOR.construct_yaml_int,
    FLOAT: _CONSTRUCTOR.construct_yaml_float,
    # An unquoted `settleDate: 2024-05-01` is meant as the text the API sends, not a date object.
    TIMESTAMP: lambda node: node.value,
}
# Guards against recursive aliases and alias bombs in free-form values.
MAX_DEPTH = 64
MAX_VALUES = 100_000
# Deeper than any scenario file needs: a document nested thousands deep is refused as soon as this many
# levels are open, instead of after a long composition ending in a RecursionError.
MAX_NESTING = 100
TOO_DEEP = f"nested more than {MAX_NESTING} levels deep"
# libyaml's own limit (1,000 levels), met by its scanner before the composer counts to MAX_NESTING.
_LIBYAML_TOO_DEEP = "exceeded maximum nesting depth"

Pair = tuple[Node, Node]
"""A mapping entry as written: (key node, value node)."""

_T = TypeVar("_T")
_D = TypeVar("_D")


@dataclass(frozen=True)
class LoadError:
    """One problem in one place; line 0 means the whole file (or an in-memory value)."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


def line_of(node: Node) -> int:
    """The 1-based line a node starts on, or 0 when it has none (built in memory)."""
    return node.start_mark.line + 1 if node.start_mark is not None else 0


def kind_of(node: Node) -> str:
    """How an error names what it found: 'a list', "the string 'abc'", 'the number 3'..."""
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    names = {STR: "the string", INT: "the number", FLOAT: "the number", BOOL: "the boolean"}
    if node.tag == NULL:
        return "null"
    if node.tag in names:
        return f"{names[node.tag]} {_preview(node.value) if node.tag == STR else node.value}"
    return f"a value tagged {node.tag}"


def _preview(text: str) -> str:
    return repr(text if len(text) <= 40 else f"{text[:37]}...")


def _explain(problem: yaml.MarkedYAMLError) -> str:
    # PyYAML splits its sentence in two: "while parsing X" + "expected Y", or
    # "expected a single document" + "but found another document".
    if problem.context and problem.problem:
        if problem.problem.startswith("but "):
            return f"{problem.context}, {problem.problem}"
        if problem.context_mark is not None:
            return f"{problem.problem} ({problem.context} at line {problem.context_mark.line + 1})"
    return str(problem.problem or problem.context)


def did_you_mean(value: str, allowed: Sequence[str]) -> str:
    """` (did you mean 'X'?)` for the closest allowed value, or "" when none is close."""
    close = difflib.get_close_matches(value, allowed, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def unknown_key(key: str, allowed: Sequence[str]) -> str:
    """The message for a key that is not allowed, with the closest allowed one as a hint."""
    return f"unknown key '{key}'{did_you_mean(key, allowed)}; allowed keys: {', '.join(allowed)}"


@overload
def optional(entries: Mapping[str, Pair], key: str, reader: Callable[[Node, str], _T], where: str) -> _T | None: ...


@overload
def optional(
    entries: Mapping[str, Pair], key: str, reader: Callable[[Node, str], _T], where: str, default: _D
) -> _T | _D: ...


def optional(
    entries: Mapping[str, Pair], key: str, reader: Callable[[Node, str], object], where: str, default: object = None
) -> object:
    """`reader` applied to the value of an optional `key` (at `where.key`), or `default` when absent."""
    return reader(entries[key][1], f"{where}.{key}") if key in entries else default


def node_of(value: object) -> Node:
    """Already-parsed data (e.g. from JSON) as a node tree, so it is read like a file (no lines)."""
    if isinstance(value, Mapping):
        return MappingNode(MAP, [(node_of(key), node_of(item)) for key, item in value.items()])
    if isinstance(value, (list, tuple)):
        return SequenceNode(SEQ, [node_of(item) for item in value])
    if value is None:
        return ScalarNode(NULL, "null")
    if isinstance(value, bool):
        return ScalarNode(BOOL, "true" if value else "false")
    if isinstance(value, int):
        return ScalarNode(INT, str(value))
    if isinstance(value, float):
        text = ".nan" if math.isnan(value) else {math.inf: ".inf", -math.inf: "-.inf"}.get(value, repr(value))
        return ScalarNode(FLOAT, text)
    if isinstance(value, str):
        return ScalarNode(STR, value)
    return ScalarNode(f"!python/{type(value).__name__}", repr(value))


class _PythonEvents(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):
    """PyYAML's own scanner and parser, in Python: where PyYAML was built without libyaml."""

    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)


def _event_source() -> type:
    """The YAML events' source: libyaml's scanner and parser (in PyYAML's wheels), else PyYAML's in Python.
    libyaml composed 10,000 scenarios (1 MB) about six times faster: 1.4 s against 8.9 s, the same tree and marks."""
    try:
        from yaml.cyaml import CParser  # type: ignore[attr-defined]  # noqa: PLC0415
    except ImportError:
        return _PythonEvents
    return CParser


_Events: Any = _event_source()
_LIBYAML: Any = None if _Events is _PythonEvents else _Events


class _LibyamlComposer(_LIBYAML or object, yaml.resolver.Resolver):  # type: ignore[misc]
    """libyaml's own composer (PyYAML's CParser), with no nesting limit of ours: tried first, see `_compose`."""

    def __init__(self, stream: str) -> None:
        _LIBYAML.__init__(self, stream)
        yaml.resolver.Resolver.__init__(self)


# Which parser reads scenario files: "libyaml" or "pyyaml" (their syntax errors are worded differently).
YAML_PARSER = "pyyaml" if _Events is _PythonEvents else "libyaml"


class _NestingLimitedLoader(_Events, yaml.composer.Composer, yaml.resolver.Resolver):  # type: ignore[misc]
    """Composes safe nodes from the events, refusing more than MAX_NESTING levels. The composer is PyYAML's
    own in Python (libyaml's would take precedence, and knows no limit): it counts the levels it opens."""

    get_single_node = yaml.composer.Composer.get_single_node
    get_node = yaml.composer.Composer.get_node
    check_node = yaml.composer.Composer.check_node
    compose_document = yaml.composer.Composer.compose_document

    def __init__(self, stream: str) -> None:
        _Events.__init__(self, stream)
        yaml.composer.Composer.__init__(self)
        yaml.resolver.Resolver.__init__(self)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_NESTING:
                event = self.peek_event()
                raise yaml.composer.ComposerError(None, None, TOO_DEEP, event.start_mark)
            return yaml.composer.Composer.compose_node(self, parent, index)
        finally:
            self._depth -= 1


@dataclass(frozen=True)
class Composed:
    """YAML text composed ahead of reading it (in a worker thread, say): its root, or the problem met.

    `root` is None for an empty document and for a broken one; `problem` is (line, message) then.
    """

    root: Node | None
    problem: tuple[int, str] | None = None


def compose_yaml(text: str) -> Composed:
    """Compose `text` (safe nodes only, at most MAX_NESTING deep); never raises on bad input."""
    with collector_paused():
        return _compose(text)


def _compose(text: str) -> Composed:
    """libyaml's composer first, where PyYAML has it: the same tree as PyYAML's composer in Python (a test
    compares them), composed in C (10,000 scenarios: 0.5 s of CPU against 1.0 s). Anything it refuses, or a
    tree deeper than MAX_NESTING, is composed again below, so a refusal is worded and placed as it always was."""
    if _LIBYAML is not None:
        try:
            root = yaml.compose(text, Loader=_LibyamlComposer)
        except Exception:  # composed again below, which says what is wrong
            pass
        else:
            if root is None or within_nesting(root, MAX_NESTING):
                return Composed(root)
    try:
        return Composed(yaml.compose(text, Loader=_NestingLimitedLoader))
    except yaml.MarkedYAMLError as problem:
        mark = problem.problem_mark or problem.context_mark
        explained = TOO_DEEP if problem.problem == _LIBYAML_TOO_DEEP else _explain(problem)
        return Composed(None, (mark.line + 1 if mark is not None else 0, f"YAML syntax error: {explained}"))
    except yaml.reader.ReaderError as problem:
        character = problem.character
        shown = repr(chr(character) if isinstance(character, int) else character)
        return Composed(None, (text.count("\n", 0, problem.position) + 1, f"character {shown} is not allowed in YAML"))
    except (yaml.YAMLError, RecursionError) as problem:
        reason = "nested too deeply" if isinstance(problem, RecursionError) else str(problem)
        return Composed(None, (0, f"YAML error: {reason}"))


def _no_problems(text: str) -> Iterable[str]:
    return ()


class Walker:
    """Reads the nodes of one document (labelled `path`), collecting every problem in `errors`.

    `string_problems` says what is wrong with a string met by `value` (e.g. a broken template).
    Readers never raise on bad input: they record an error and answer None (or a fallback).
    """

    def __init__(self, path: str, string_problems: Callable[[str], Iterable[str]] = _no_problems) -> None:
        self.path = path
        self.string_problems = string_problems
        self.errors: list[LoadError] = []
        self.values_left = MAX_VALUES

    def error(self, node: Node | None, where: str, message: str) -> None:
        """Record `message` about `node` (at key path `where`)."""
        line = line_of(node) if node is not None else 0
        if len(where) > 80:  # a recursive alias makes endless paths
            where = f"{where[:77]}..."
        self.errors.append(LoadError(self.path, line, f"{where}: {message}" if where else message))

    def compose(self, text: str | Composed) -> Node | None:
        """The node tree of `text` (or of text composed already), or None for an empty document or
        (with an error) a broken one."""
        composed = text if isinstance(text, Composed) else compose_yaml(text)
        if composed.problem is not None:
            line, message = composed.problem
            self.errors.append(LoadError(self.path, line, message))
        return composed.root

    def entries(self, node: MappingNode, where: str, merging: frozenset[int] = frozenset()) -> dict[str, Pair]:
        """The string-keyed entries of a mapping, `<<` merge keys applied; other keys are errors."""
        if node.tag != MAP:  # e.g. !!set or !!python/object: nothing we would construct
            self.error(node, where, f"unsupported YAML tag {node.tag}")
        found: dict[str, Pair] = {}
        merged: list[MappingNode] = []
        for key_node, value_node in node.value:
            if key_node.tag == MERGE:
                sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
                for source in sources:
                    if isinstance(source, MappingNode):
                        merged.append(source)
                    else:
                        self.error(source, where, f"'<<' merges mappings, got {kind_of(source)}")
                continue
            if not (isinstance(key_node, ScalarNode) and key_node.tag == STR):
                self.error(key_node, where, f"keys must be strings, got {kind_of(key_node)}")
            elif key_node.value in found:
                first = line_of(found[key_node.value][0])
                self.error(key_node, where, f"duplicate key '{key_node.value}' (first at line {first})")
            else:
                found[key_node.value] = (key_node, value_node)
        for source in merged:  # explicit keys win over merged ones, earlier merges over later
            if id(source) in merging or source is node:
                self.error(source, where, "'<<' merges a mapping into itself")
                continue
            for key, pair in self.entries(source, where, merging | {id(node)}).items():
                found.setdefault(key, pair)
        return found

    def mapping(
        self, node: Node, where: str, allowed: Sequence[str], required: Sequence[str] = ()
    ) -> dict[str, Pair] | None:
        """The allowed entries of a mapping; unknown keys and missing required ones are errors."""
        if not isinstance(node, MappingNode):
            self.error(node, where, f"expected a mapping, got {kind_of(node)}")
            return None
        entries = self.entries(node, where)
        for key, (key_node, _) in entries.items():
            if key not in allowed:
                self.error(key_node, where, unknown_key(key, allowed))
        for key in required:
            if key not in entries:
                self.error(node, where, f"missing required key '{key}'")
        return {key: pair for key, pair in entries.items() if key in allowed}

    def text(self, node: Node, where: str, *, id_like: bool = False) -> str | None:
        """A string; with `id_like`, an unquoted number is taken as its text too."""
        # Ids may be written unquoted (`merOrderId: 31940001`); the raw text is what counts.
        if isinstance(node, ScalarNode) and node.tag in ((STR, INT) if id_like else (STR,)):
            return str(node.value)
        self.error(node, where, f"expected a string, got {kind_of(node)}")
        return None

    def choice(self, node: Node, where: str, allowed: Sequence[str] | None, what: str) -> str | None:
        """A string from `allowed` (None allows any string); `what` names it in the error."""
        value = self.text(node, where)
        if value is None or allowed is None or value in allowed:
            return value
        hint = did_you_mean(value, allowed)
        self.error(node, where, f"unknown {what} '{value}'{hint}; allowed: {', '.join(allowed)}")
        return None

    def scalar(self, node: Node, where: str, tags: Collection[str], expected: str) -> tuple[bool, object]:
        """(True, value) for a scalar with one of `tags`, else (False, None) and an error."""
        if not (isinstance(node, ScalarNode) and node.tag in tags):
            self.error(node, where, f"expected {expected}, got {kind_of(node)}")
            return False, None
        try:
            return True, SCALARS[node.tag](node)
        except (ValueError, KeyError, TypeError):  # explicit tags skip YAML's checks: `!!int abc`
            kind = node.tag.removeprefix(TAG)
            self.error(node, where, f"{_preview(node.value)} is not a valid {kind}")
            return False, None

    def value(self, node: Node, where: str, depth: int = 0) -> object:
        """Any YAML value, its strings checked with `string_problems`; alias bombs are cut short."""
        self.values_left -= 1
        if self.values_left == -1:
            self.error(node, where, f"more than {MAX_VALUES} values in this file (an alias bomb?)")
        if self.values_left < 0:
            return None
        if depth > MAX_DEPTH:
            self.error(node, where, f"nested more than {MAX_DEPTH} levels deep (a recursive alias?)")
            return None
        if isinstance(node, SequenceNode):
            if node.tag != SEQ:  # e.g. !!omap or !!pairs
                self.error(node, where, f"unsupported YAML tag {node.tag}")
            return [self.value(item, f"{where}[{index}]", depth + 1) for index, item in enumerate(node.value)]
        if isinstance(node, MappingNode):
            entries = self.entries(node, where)
            return {key: self.value(pair[1], f"{where}.{key}", depth + 1) for key, pair in entries.items()}
        if node.tag not in SCALARS:
            self.error(node, where, f"unsupported YAML tag {node.tag}")
            return None
        _, value = self.scalar(node, where, SCALARS, "a value")
        if isinstance(value, str):
            for problem in self.string_problems(value):
                self.error(node, where, problem)
        return value

"""What scenario files may name (`Allowed`), from the product lines a sandbox serves, and the words each family of
lines answers in (`Family`): a bundled scenario that names no endpoint speaks for its own family only, and a
scenario's answer fields must be in the words of the families it reaches (`LineWords`)."""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from yaml.nodes import MappingNode, Node, ScalarNode

from .model import MatchRule
from .walker import INT, STR, Walker, line_of

log = logging.getLogger("mockums.scenarios")
_NAMED_IN_WARNING = 3  # scenarios a grouped warning names before "and N more"


@dataclass(frozen=True)
class Family:
    """Product lines that answer in the same words: their endpoints, the values their answer fields take, and the
    folders of their bundled scenarios. A bundled scenario that names no endpoint applies to its family's
    endpoints only; a scenario's answer fields must be in the words of the families it reaches."""

    name: str
    endpoints: frozenset[str]
    answer_domains: Mapping[str, tuple[str, ...]]
    folders: tuple[Path, ...] = ()

    def holds(self, path: str) -> bool:
        """Whether the file at `path` is one of this family's bundled scenario files."""
        where = Path(path).resolve()
        return any(where.is_relative_to(folder.resolve()) for folder in self.folders)


@dataclass(frozen=True)
class Allowed:
    """What scenario files may name, from the product lines a sandbox serves: gateway error names, endpoints
    and order statuses (None accepts any), and the values of answer fields with a known domain (a field not
    listed takes any value)."""

    gateway_errors: tuple[str, ...] | None = None
    endpoints: tuple[str, ...] | None = None
    answer_domains: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    order_statuses: tuple[str, ...] | None = None
    families: tuple[Family, ...] = ()  # none: no check of which line's words a scenario speaks

    @classmethod
    def of(cls, gateway_errors: Collection[str] | None, endpoints: Collection[str] | None,
           answer_domains: Mapping[str, tuple[str, ...]] | None = None,
           order_statuses: Collection[str] | None = None, families: tuple[Family, ...] = ()) -> Allowed:
        """Allowed names from any collections, sorted so error messages list them in a stable order."""
        return cls(
            gateway_errors=None if gateway_errors is None else tuple(sorted(gateway_errors)),
            endpoints=None if endpoints is None else tuple(sorted(endpoints)),
            answer_domains=dict(answer_domains or {}),
            order_statuses=None if order_statuses is None else tuple(order_statuses),
            families=families,
        )


class LineWords:
    """The check of one document's scenarios against the families of lines: `start` with a scenario's rule (a
    bundled one naming no endpoint is scoped to its family), `check` each step's fields, `finish` with the rule
    narrowed to where its words mean something (or an error when nowhere)."""

    def __init__(self, walker: Walker, families: tuple[Family, ...]) -> None:
        self.walker = walker
        self.families = families
        self.home = next((family for family in families if family.holds(walker.path)), None)
        self.named: frozenset[str] = frozenset()
        self.narrowed: frozenset[str] | None = None
        self.why: list[str] = []
        self.unnamed: dict[str, list[str]] = {}  # why a scenario naming no endpoint was narrowed -> which ones
        self._kept: dict[frozenset[str], frozenset[str]] = {}  # each distinct narrowed set, one object (`finish`)

    def start(self, rule: MatchRule | None) -> MatchRule | None:
        """The scenario's rule, scoped to its family's endpoints when it is a bundled one that names none."""
        if rule is not None and not rule.endpoints and self.home is not None:
            rule = replace(rule, endpoints=self.home.endpoints, scoped=True)
        self.named, self.narrowed, self.why = rule.endpoints if rule else frozenset(), None, []
        return rule

    def finish(self, node: Node, where: str, rule: MatchRule | None) -> MatchRule | None:
        """The rule narrowed to the lines whose words its answer fields use (with a warning), if they needed it."""
        if self.narrowed is None or rule is None:
            return rule
        if not self.narrowed:
            self.walker.error(node, where, "its answer fields are in the words of different product lines ("
                              f"{'; '.join(self.why)}), so no endpoint could answer them: split it in two")
            return rule
        self.unnamed.setdefault("; ".join(self.why), []).append(f"{where} (line {line_of(node)})")
        # Rules narrowed alike share one set: 10,000 scenarios answering errCode SUCCESS held 10,000 copies of
        # netpay's endpoints (21.6 MiB).
        return replace(rule, endpoints=self._kept.setdefault(self.narrowed, self.narrowed))

    def warn(self) -> None:
        """One warning per reason for the scenarios `finish` narrowed (a file of 10,000 scenarios that all answer
        errCode SUCCESS without naming an endpoint gets one line, not 10,000), naming the first few."""
        for why, which in self.unnamed.items():
            shown = ", ".join(which[:_NAMED_IN_WARNING]) + (
                f" and {len(which) - _NAMED_IN_WARNING:,} more" if len(which) > _NAMED_IN_WARNING else "")
            subject = (f"{shown} names no endpoint, so it applies only where its answer fields mean something"
                       if len(which) == 1 else f"{len(which):,} scenarios ({shown}) name no endpoint, so they apply "
                       "only where their answer fields mean something")
            log.warning("%s: %s: %s; name `match.endpoint` to say so and silence this warning", self.walker.path,
                        subject, why)
        self.unnamed = {}

    def check(self, node: Node, where: str, allowed: frozenset[str]) -> None:
        """Answer fields in the words of another product line than the one the scenario reaches: refused when the
        scenario names its endpoints; otherwise the scenario is narrowed to the lines whose words they are (the
        errCode SUCCESS of netpay never lands in a POS-link answer, whose success is 00). `allowed`: the step's
        allow_unknown, not checked."""
        if not self.families or not isinstance(node, MappingNode):
            return
        for key, (_, value_node) in self.walker.entries(node, where).items():
            if key in allowed or not isinstance(value_node, ScalarNode) or value_node.tag not in (STR, INT):
                continue
            value = value_node.value
            if "{{" in value:
                continue
            knowing = [family for family in self.families if key in family.answer_domains]
            reached = [family for family in knowing if not self.named or family.endpoints & self.named]
            strangers = [family.name for family in reached if value not in family.answer_domains[key]]
            speakers = [family for family in knowing if value in family.answer_domains[key]]
            if not strangers or not speakers:  # no line's word at all: answer_fields said so already
                continue
            owners = ", ".join(family.name for family in speakers)
            if self.named:
                self.walker.error(value_node, f"{where}.{key}", f"{key} '{value}' is not a {key} of "
                                  f"{', '.join(strangers)} (an endpoint this scenario names is {strangers[0]}'s); it "
                                  f"is {owners}'s. Name only {owners}'s endpoints, or use {strangers[0]}'s values")
                continue
            reach = frozenset[str]().union(*(family.endpoints for family in speakers))
            self.narrowed = reach if self.narrowed is None else self.narrowed & reach
            self.why.append(f"{key} '{value}' is {owners}'s, not {', '.join(strangers)}'s")

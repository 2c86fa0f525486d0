"""The registry: which product lines a sandbox serves. It alone tells the core, the routes, the endpoint
reference, both OpenAPI documents, the scenario schema and the dashboard which endpoints exist and which
line each belongs to."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from functools import cached_property
from pathlib import Path

from mockums.limits import TOKEN_PATH
from mockums.lines.line import ProductLine
from mockums.protocol.deviations import Deviation
from mockums.protocol.spec import EndpointSpec
from mockums.scenarios.allowed import Allowed, Family


class Registry:
    """A set of product lines, their endpoints by path, and the facts derived from them."""

    def __init__(self, lines: Sequence[ProductLine]) -> None:
        names = [line.name for line in lines]
        if len(set(names)) != len(names):
            raise ValueError(f"product line names must differ: {names}")
        self.lines: tuple[ProductLine, ...] = tuple(lines)
        self.endpoints: dict[str, EndpointSpec] = {}
        self.line_of: dict[str, ProductLine] = {}
        for line in self.lines:
            for spec in line.endpoints:
                if spec.path in self.endpoints or spec.path == TOKEN_PATH:
                    raise ValueError(f"{spec.path} is declared twice (by {line.name} and another line)")
                self.endpoints[spec.path] = spec
                self.line_of[spec.path] = line

    def with_lines(self, *lines: ProductLine) -> Registry:
        """This registry with more lines."""
        return Registry((*self.lines, *lines))

    @cached_property
    def prefixes(self) -> tuple[str, ...]:
        """The version prefixes the endpoints live under (`/v1`, `/v2`…), the token endpoint's included."""
        found = {"/" + path.split("/")[1] for path in (*self.endpoints, TOKEN_PATH)}
        return tuple(sorted(found))

    @cached_property
    def answer_domains(self) -> Mapping[str, tuple[str, ...]]:
        """Each answer field with a known domain, and every value any line allows for it."""
        domains: dict[str, tuple[str, ...]] = {}
        for line in self.lines:
            for name, values in line.answer_domains.items():
                domains[name] = (*domains.get(name, ()), *(v for v in values if v not in domains.get(name, ())))
        return domains

    @cached_property
    def order_statuses(self) -> tuple[str, ...]:
        """What a scenario's `order_status` may say."""
        found: list[str] = []
        for line in self.lines:
            found += [status for status in line.order_statuses if status not in found]
        return tuple(found)

    @cached_property
    def deviations(self) -> tuple[Deviation, ...]:
        """Every line's accepted client deviations."""
        return tuple(deviation for line in self.lines for deviation in line.deviations)

    @cached_property
    def scenario_folders(self) -> tuple[Path, ...]:
        """The bundled scenario folders of the lines, in their order."""
        return tuple(line.scenarios for line in self.lines if line.scenarios is not None)

    @cached_property
    def families(self) -> tuple[Family, ...]:
        """The lines grouped by the words they answer in (`ProductLine.family`): each group's endpoints, answer
        domains and bundled scenario folders."""
        grouped: dict[str, list[ProductLine]] = {}
        for line in self.lines:
            grouped.setdefault(line.family or line.name, []).append(line)
        families = []
        for name, group in grouped.items():
            domains: dict[str, tuple[str, ...]] = {}
            for line in group:
                for field, values in line.answer_domains.items():  # each value once, in the lines' order
                    domains[field] = tuple(dict.fromkeys((*domains.get(field, ()), *values)))
            families.append(Family(name, frozenset(spec.path for line in group for spec in line.endpoints), domains,
                                   tuple(line.scenarios for line in group if line.scenarios is not None)))
        return tuple(families)

    def allowed(self, gateway_errors: Collection[str] | None) -> Allowed:
        """What scenario files may name when these lines are served (and these gateway errors configured)."""
        return Allowed.of(gateway_errors, self.endpoints, self.answer_domains, self.order_statuses, self.families)

    def line(self, name: str) -> ProductLine:
        """A line by its name (KeyError when there is none)."""
        return {line.name: line for line in self.lines}[name]

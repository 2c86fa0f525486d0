"""Answer fields with a known domain (`errCode`, `status`, `refundStatus`, `targetSys`) in scenario
files: each value is checked against the catalogue when the file loads, with a "did you mean", unless
the step declares it deliberately custom with `allow_unknown: [field, …]`."""

from __future__ import annotations

from collections.abc import Mapping

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .walker import INT, NULL, STR, Walker, did_you_mean, kind_of


def answer_fields(walker: Walker, node: Node, where: str, allowed: frozenset[str],
                  domains: Mapping[str, tuple[str, ...]]) -> dict[str, object] | None:
    """A step's `fields`: answer fields to override, those with a known domain (`domains`) checked against
    it unless `allowed` (the step's `allow_unknown`) lists them."""
    if not isinstance(node, MappingNode):
        walker.error(node, where, f"expected a mapping of response fields, got {kind_of(node)}")
        return None
    values = {}
    for key, (_, value_node) in walker.entries(node, where).items():
        values[key] = walker.value(value_node, f"{where}.{key}", 1)
        if key in domains and key not in allowed:
            check_known_value(walker, value_node, f"{where}.{key}", key, domains[key])
    for name in sorted(allowed - set(values)):
        walker.error(node, where, f"allow_unknown names {name}, but these fields do not set {name}")
    return values


def check_known_value(walker: Walker, node: Node, where: str, name: str, domain: tuple[str, ...]) -> None:
    """A value of field `name`: one of its known values (`domain`), a template, or null (which removes the field)."""
    if isinstance(node, ScalarNode) and (node.tag == NULL or (node.tag == STR and "{{" in node.value)):
        return
    if not (isinstance(node, ScalarNode) and node.tag in (STR, INT)):
        walker.error(node, where, f"expected one of the {name} values, got {kind_of(node)}")
        return
    if node.value in domain:
        return
    known = f"known: {', '.join(domain)}" if len(domain) <= 10 else "see the catalogue in the README"
    hint = did_you_mean(node.value, domain)
    if name == "errCode" and node.value.isdigit():
        hint += " (a gateway error is `gateway_error: <name>`, not an errCode)"
    walker.error(node, where, f"unknown {name} '{node.value}'{hint}; {known}. A deliberately custom value "
                 f"needs `allow_unknown: [{name}]` in this step")


def allow_unknown(walker: Walker, node: Node, where: str, domains: Mapping[str, tuple[str, ...]]) -> frozenset[str]:
    """A step's `allow_unknown`: the fields whose values it deliberately takes from outside their domain."""
    items = node.value if isinstance(node, SequenceNode) else [node]
    names = [walker.choice(item, where, tuple(domains), "field with a known domain") for item in items]
    return frozenset(name for name in names if name is not None)

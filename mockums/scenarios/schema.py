"""The scenario file format: which keys exist, what each one means, and what makes a value invalid.

`ScenarioDocument` reads one document's node tree (see `walker`) into `Scenario`s. Bad input never
raises: it becomes a `LoadError` with its line, and the scenario it touches is left out.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from mockums.ledger.plans import Lifecycle, NotifyPlan, PayPlan, RefundPlan
from mockums.limits import MAX_NOTIFY_ATTEMPTS
from mockums.protocol.statuses import REFUND_STATUSES

from .allowed import Allowed, LineWords
from .implied import implied_order
from .known_values import allow_unknown, answer_fields
from .model import NO_CONDITIONS, Fault, IdMatch, MatchRule, Scenario, SourceRef, Step, Then, condition_text
from .regexes import compile_pattern
from .templating import CompiledFields, template_problems
from .walker import BOOL, FLOAT, INT, NULL, STR, Composed, Pair, Walker, kind_of, line_of, optional, unknown_key

NAME_PATTERN = r"[a-z0-9][a-z0-9_.-]*"  # what a scenario's name looks like
_NAME = re.compile(NAME_PATTERN)
_SCENARIO_KEYS = ("name", "description", "magic_id", "match", "respond", "sequence", "then", "lifecycle")
_LIFECYCLE_KEYS = ("pay", "expire_after", "refund", "notify")
_PAY_MODES = ("never", "immediately", "twice")  # twice: a QR bill paid by two buyers (else as immediately)
_PAY_KEYS = ("after_queries", "after_seconds")
_REFUND_KEYS = ("status", "settle_after_queries", "settle_after_seconds")
_NOTIFY_KEYS = ("delay", "duplicate", "bad_signature", "schedule", "sign_type")
_SIGN_TYPES = ("SHA256", "MD5")
MAX_LIFECYCLE_SECONDS = 86_400
_ID_KEYS = tuple(kind.value for kind in IdMatch)
_MATCH_KEYS = (*_ID_KEYS, "endpoint", "body")
_ANY_ENDPOINT: frozenset[str] = frozenset()  # also: no field allowed an unknown value
_STEP_ACTIONS = ("fields", "delay", "gateway_error", "fault", "order_status", "order")
_STEP_KEYS = (*_STEP_ACTIONS, "repeat", "allow_unknown")
_FAULTS = tuple(fault.value for fault in Fault)
_THENS = tuple(then.value for then in Then)
_CONDITION_TAGS = (STR, INT, FLOAT, BOOL)
MAX_DELAY_SECONDS = 300


class ScenarioDocument(Walker):
    """Reads one document into scenarios, the names it defines, and its errors.

    Each reader below is named after the key it reads and answers None (or a harmless fallback),
    with the problem recorded, when the value is invalid; a part holding any error is left out.
    Scenarios are paired with their index in `names`, which identifies them across files (the
    checks that span files, in `loader`, need every name, even of a scenario that did not load).
    """

    def __init__(self, path: str, allowed: Allowed) -> None:
        super().__init__(path, string_problems=template_problems)
        self.allowed = allowed
        self.scenarios: list[tuple[int, Scenario]] = []
        self.names: list[tuple[str, SourceRef, str]] = []
        # The family whose bundled scenarios this file is, if any; the endpoints the scenario being read names
        # (its family's, for a bundled one that names none); the endpoints its answer fields' words narrow it to.
        self.words = LineWords(self, allowed.families)

    def load_text(self, text: str | Composed) -> None:
        """Read YAML text (or YAML text already composed)."""
        self.load_root(self.compose(text))

    def load_root(self, root: Node | None) -> None:
        """Read a document's root: a mapping with a `scenarios` list (and `x-…` anchor keys)."""
        if root is None:  # an empty file (or only comments) holds zero scenarios
            return
        shape = "a mapping with a top-level 'scenarios' list"
        if not isinstance(root, MappingNode):
            self.error(root, "", f"expected {shape}, got {kind_of(root)}")
            return
        entries = self.entries(root, "")
        for key, (key_node, _) in entries.items():
            # `x-…` keys hold YAML anchors for reuse, as in docker-compose files.
            if key != "scenarios" and not key.startswith("x-"):
                self.error(key_node, "", unknown_key(key, ["scenarios"]) + " (or x-… for anchors)")
        if "scenarios" not in entries:
            self.error(root, "", f"expected {shape}, but there is no 'scenarios' key")
            return
        node = entries["scenarios"][1]
        if isinstance(node, ScalarNode) and node.tag == NULL:
            return
        if not isinstance(node, SequenceNode):
            self.error(node, "scenarios", f"expected a list of scenarios, got {kind_of(node)}")
            return
        for index, item in enumerate(node.value):
            self.scenario(item, f"scenarios[{index}]")
        self.words.warn()

    # -- scenario parts ------------------------------------------------------------------------

    def scenario(self, node: Node, where: str) -> None:
        """One scenario; it is kept only when every part of it is valid."""
        errors_before = len(self.errors)
        entries = self.mapping(node, where, _SCENARIO_KEYS, required=("name", "match"))
        if entries is None:
            return
        name = optional(entries, "name", self.name, where)
        description = optional(entries, "description", self.text, where, "")
        magic_id = optional(entries, "magic_id", lambda n, w: self.text(n, w, id_like=True), where)
        rule = optional(entries, "match", self.match, where)
        rule = self.words.start(rule)
        lifecycle = optional(entries, "lifecycle", self.lifecycle, where)
        steps: tuple[Step, ...] | None = ()
        if "lifecycle" not in entries or "respond" in entries or "sequence" in entries:
            steps = self.steps(node, entries, where)
        rule = self.words.finish(node, where, rule)
        then = self.then(entries, where)
        if magic_id is not None and rule is not None and not rule.matches_order_id(magic_id):
            self.error(
                entries["magic_id"][1],
                f"{where}.magic_id",
                f"{magic_id} is not matched by this scenario's own rule ({rule.describe()})",
            )
        source = SourceRef(self.path, line_of(node))
        if name is not None:
            self.names.append((name, source, where))
        if len(self.errors) > errors_before or name is None or rule is None or steps is None:
            return
        scenario = Scenario(
            name=name,
            description=description or "",
            magic_id=magic_id,
            source=source,
            match=rule,
            steps=steps,
            then=then,
            lifecycle=lifecycle,
        )
        self.scenarios.append((len(self.names) - 1, scenario))

    def name(self, node: Node, where: str) -> str | None:
        name = self.text(node, where)
        if name is not None and not _NAME.fullmatch(name):
            rule = "lowercase letters, digits, '_', '.' and '-', starting with a letter or digit"
            self.error(node, where, f"'{name}' is not a valid name: use {rule}")
            return None
        return name

    def match(self, node: Node, where: str) -> MatchRule | None:
        entries = self.mapping(node, where, _MATCH_KEYS)
        if entries is None:
            return None
        id_keys = [key for key in _ID_KEYS if key in entries]
        if len(id_keys) != 1:
            if id_keys:
                self.error(entries[id_keys[1]][0], where, f"use only one of {', '.join(id_keys)}")
            else:
                self.error(node, where, f"needs one of {', '.join(_ID_KEYS)}")
            return None
        kind = IdMatch(id_keys[0])
        value_node = entries[kind.value][1]
        value = self.text(value_node, f"{where}.{kind.value}", id_like=True)
        pattern, literal = None, None
        if value == "":
            hint = " (merOrderIdPattern: '.*' matches every id)" if kind is IdMatch.PREFIX else ""
            self.error(value_node, f"{where}.{kind.value}", f"must not be empty{hint}")
            value = None
        elif value is not None and kind is IdMatch.PATTERN:
            try:
                pattern, literal = compile_pattern(value)
            except (re.error, OverflowError, RecursionError) as problem:
                self.error(value_node, f"{where}.{kind.value}", f"bad regular expression {value!r}: {problem}")
                value = None
        endpoints = optional(entries, "endpoint", self.endpoints, where, _ANY_ENDPOINT)
        body = optional(entries, "body", self.body, where, NO_CONDITIONS)
        if value is None or endpoints is None or body is None:
            return None
        return MatchRule(kind=kind, value=value, endpoints=endpoints, body=body, pattern=pattern, literal=literal)

    def endpoints(self, node: Node, where: str) -> frozenset[str] | None:
        if isinstance(node, SequenceNode) and not node.value:
            self.error(node, where, "must name at least one endpoint")
            return None
        labelled = (
            [(item, f"{where}[{index}]") for index, item in enumerate(node.value)]
            if isinstance(node, SequenceNode)
            else [(node, where)]
        )
        chosen = [self.choice(item, label, self.allowed.endpoints, "endpoint") for item, label in labelled]
        valid = [endpoint for endpoint in chosen if endpoint is not None]
        return frozenset(valid) if len(valid) == len(chosen) else None

    def body(self, node: Node, where: str) -> dict[str, str] | None:
        if not isinstance(node, MappingNode):
            self.error(node, where, f"expected a mapping of body fields, got {kind_of(node)}")
            return None
        conditions: dict[str, str] = {}
        entries = self.entries(node, where)
        for key, (_, value_node) in entries.items():
            expected = "a string, number or boolean"
            valid, value = self.scalar(value_node, f"{where}.{key}", _CONDITION_TAGS, expected)
            if valid:
                conditions[key] = condition_text(value)
        return conditions if len(conditions) == len(entries) else None

    def steps(self, node: Node, entries: Mapping[str, Pair], where: str) -> tuple[Step, ...] | None:
        respond, sequence = entries.get("respond"), entries.get("sequence")
        if respond is not None and sequence is not None:
            self.error(sequence[0], where, "use either 'respond' or 'sequence', not both")
            return None
        if respond is not None:
            step = self.step(respond[1], f"{where}.respond", in_sequence=False)
            return None if step is None else (step,)
        if sequence is None:
            self.error(node, where, "missing 'respond' (one answer), 'sequence' (a list of answers) or 'lifecycle'")
            return None
        items = sequence[1]
        if not isinstance(items, SequenceNode) or not items.value:
            got = "an empty list" if isinstance(items, SequenceNode) else kind_of(items)
            self.error(items, f"{where}.sequence", f"expected a list of at least one step, got {got}")
            return None
        steps = [
            self.step(item, f"{where}.sequence[{index}]", in_sequence=True) for index, item in enumerate(items.value)
        ]
        valid = tuple(step for step in steps if step is not None)
        return valid if len(valid) == len(steps) else None

    def then(self, entries: Mapping[str, Pair], where: str) -> Then:
        if "then" not in entries:
            return Then.REPEAT_LAST
        key_node, value_node = entries["then"]
        if "sequence" not in entries:
            self.error(key_node, where, "'then' only applies to a 'sequence'")
        value = self.choice(value_node, f"{where}.then", _THENS, "'then' value")
        return Then(value) if value is not None else Then.REPEAT_LAST

    def step(self, node: Node, where: str, *, in_sequence: bool) -> Step | None:
        errors_before = len(self.errors)
        entries = self.mapping(node, where, _STEP_KEYS)
        if entries is None:
            return None
        if not any(key in entries for key in _STEP_ACTIONS):
            self.error(node, where, f"a step must set at least one of {', '.join(_STEP_ACTIONS)}")
        if "gateway_error" in entries and "fault" in entries:
            self.error(entries["fault"][0], where, "use either 'gateway_error' or 'fault', not both")
        if "repeat" in entries and not in_sequence:
            self.error(entries["repeat"][0], where, "'repeat' only applies to the steps of a 'sequence'")
        domains = self.allowed.answer_domains
        allowed = optional(entries, "allow_unknown", lambda n, w: allow_unknown(self, n, w, domains), where,
                           _ANY_ENDPOINT)
        fields = optional(entries, "fields", lambda n, w: answer_fields(self, n, w, allowed, domains), where)
        if fields is None and allowed:
            self.error(entries["allow_unknown"][0], where, "'allow_unknown' only applies to a step that sets fields")
        if fields is not None:
            self.words.check(entries["fields"][1], f"{where}.fields", allowed)
        delay = optional(entries, "delay", self.delay, where)
        gateway_errors = self.allowed.gateway_errors
        gateway_error = optional(
            entries, "gateway_error", lambda n, w: self.choice(n, w, gateway_errors, "gateway error"), where
        )
        fault = optional(entries, "fault", lambda n, w: self.choice(n, w, _FAULTS, "fault"), where)
        order_status = optional(
            entries, "order_status", lambda n, w: self.choice(n, w, self.allowed.order_statuses, "order status"), where
        )
        repeat = optional(entries, "repeat", self.repeat, where)
        order = optional(entries, "order", lambda n, w: implied_order(self, n, w), where)
        if len(self.errors) > errors_before:
            return None
        return Step(
            fields=CompiledFields(fields if fields is not None else {}),
            delay=delay if delay is not None else 0.0,
            gateway_error=gateway_error,
            fault=Fault(fault) if fault is not None else None,
            order_status=order_status,
            order=order,
            repeat=repeat if repeat is not None else 1,
        )

    def delay(self, node: Node, where: str) -> float | None:
        valid, value = self.scalar(node, where, (INT, FLOAT), "a number of seconds")
        if not valid:
            return None
        seconds = float(value) if isinstance(value, (int, float)) else math.nan
        if not (math.isfinite(seconds) and 0 <= seconds <= MAX_DELAY_SECONDS):
            self.error(node, where, f"must be between 0 and {MAX_DELAY_SECONDS} seconds, got {node.value}")
            return None
        return seconds

    # -- lifecycle ---------------------------------------------------------------------------

    def lifecycle(self, node: Node, where: str) -> Lifecycle | None:
        errors_before = len(self.errors)
        entries = self.mapping(node, where, _LIFECYCLE_KEYS)
        if entries is None:
            return None
        if not entries:
            self.error(node, where, f"set at least one of {', '.join(_LIFECYCLE_KEYS)}")
        pay = optional(entries, "pay", self.pay_plan, where)
        expire = optional(entries, "expire_after", self.seconds, where)
        refund = optional(entries, "refund", self.refund_plan, where)
        notify = optional(entries, "notify", self.notify_plan, where)
        if len(self.errors) > errors_before:
            return None
        return Lifecycle(pay=pay, expire_after=expire, refund=refund, notify=notify)

    def seconds(self, node: Node, where: str, limit: float = MAX_LIFECYCLE_SECONDS) -> float | None:
        valid, value = self.scalar(node, where, (INT, FLOAT), "a number of seconds")
        if not valid or not isinstance(value, (int, float)) or isinstance(value, bool):
            return None
        if not (math.isfinite(value) and 0 <= value <= limit):
            self.error(node, where, f"must be between 0 and {limit:g} seconds, got {node.value}")
            return None
        return float(value)

    def pay_plan(self, node: Node, where: str) -> PayPlan | None:
        if isinstance(node, ScalarNode):
            mode = self.text(node, where)
            if mode is not None and mode not in _PAY_MODES:
                self.error(node, where, f"unknown pay plan '{mode}'; use never, immediately, twice, "
                           "{after_queries: N} or {after_seconds: T}")
                return None
            return PayPlan(mode) if mode is not None else None
        entries = self.mapping(node, where, _PAY_KEYS)
        if entries is None:
            return None
        if len(entries) != 1:
            self.error(node, where, f"use exactly one of {', '.join(_PAY_KEYS)}")
            return None
        # Exactly one key is present, so exactly one of these reads (and may report an error).
        count = optional(entries, "after_queries", self.repeat, where)
        seconds = optional(entries, "after_seconds", self.seconds, where)
        if count is not None:
            return PayPlan("after_queries", count=count)
        return PayPlan("after_seconds", seconds=seconds) if seconds is not None else None

    def refund_plan(self, node: Node, where: str) -> RefundPlan | None:
        if isinstance(node, ScalarNode):
            status = self.choice(node, where, REFUND_STATUSES, "refund status")
            return RefundPlan(status) if status is not None else None
        entries = self.mapping(node, where, _REFUND_KEYS, required=("status",))
        if entries is None or "status" not in entries:
            return None
        status = optional(entries, "status", lambda n, w: self.choice(n, w, REFUND_STATUSES, "refund status"), where)
        queries = optional(entries, "settle_after_queries", self.repeat, where)
        seconds = optional(entries, "settle_after_seconds", self.seconds, where)
        if (queries is not None or seconds is not None) and status != "PROCESSING":
            self.error(node, where, "settle_after_* only applies to status PROCESSING")
            return None
        if status is None:
            return None
        return RefundPlan(status, queries, seconds)

    def notify_plan(self, node: Node, where: str) -> NotifyPlan | None:
        errors_before = len(self.errors)
        entries = self.mapping(node, where, _NOTIFY_KEYS)
        if entries is None:
            return None
        delay = optional(entries, "delay", lambda n, w: self.seconds(n, w, MAX_DELAY_SECONDS), where)
        duplicate = optional(entries, "duplicate", self.flag, where, False)
        bad_signature = optional(entries, "bad_signature", self.flag, where, False)
        schedule = optional(entries, "schedule", self.schedule, where)
        sign_type = optional(entries, "sign_type", lambda n, w: self.choice(n, w, _SIGN_TYPES, "sign type"), where)
        if len(self.errors) > errors_before:
            return None
        return NotifyPlan(delay, duplicate, bad_signature, schedule, sign_type)

    def flag(self, node: Node, where: str) -> bool:
        valid, value = self.scalar(node, where, (BOOL,), "true or false")
        return bool(value) if valid else False

    def schedule(self, node: Node, where: str) -> tuple[float, ...] | None:
        if not isinstance(node, SequenceNode) or not node.value or len(node.value) > MAX_NOTIFY_ATTEMPTS:
            self.error(node, where, f"expected a list of 1 to {MAX_NOTIFY_ATTEMPTS} waits in seconds")
            return None
        waits = [self.seconds(item, f"{where}[{i}]") for i, item in enumerate(node.value)]
        return tuple(w for w in waits if w is not None)

    def repeat(self, node: Node, where: str) -> int | None:
        valid, count = self.scalar(node, where, (INT,), "a whole number of calls")
        if not valid or not isinstance(count, int):
            return None
        if count < 1:
            self.error(node, where, f"must be at least 1, got {count}")
            return None
        return count

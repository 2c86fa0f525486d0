"""Protocol facts every product line builds on, each stated once as data: the shape of an endpoint table,
field rules and the validator they drive, answers rendered from tables, vocabularies, the gateway's
error table, statuses, wallet values, accepted client deviations, paths and limits. Everything else reads
them; they read nothing above them. The product lines' own tables are in `mockums.lines`."""

from mockums.protocol.fields import FieldRule, ValidationPolicy, Violation, validate_body
from mockums.protocol.spec import EndpointSpec, ResponseField

__all__ = [
    "EndpointSpec",
    "FieldRule",
    "ResponseField",
    "ValidationPolicy",
    "Violation",
    "validate_body",
]

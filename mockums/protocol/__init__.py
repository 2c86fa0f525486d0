"""Protocol facts, each stated once as data: endpoint tables and field rules, both error catalogues,
statuses, wallet values, accepted client deviations, paths and limits. Everything else reads them;
they read nothing above them."""

from mockums.protocol.endpoints import ENDPOINTS, EndpointSpec, ResponseField
from mockums.protocol.fields import FieldRule, ValidationPolicy, Violation, validate_body

__all__ = [
    "ENDPOINTS",
    "EndpointSpec",
    "FieldRule",
    "ResponseField",
    "ValidationPolicy",
    "Violation",
    "validate_body",
]

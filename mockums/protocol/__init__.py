"""The netpay endpoints, described once as data: request field rules and response fields."""

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

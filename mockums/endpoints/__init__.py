"""The netpay endpoints, described once as data: request field rules and response fields."""

from mockums.endpoints.catalog import ENDPOINTS, EndpointSpec, ResponseField
from mockums.endpoints.fields import FieldRule, ValidationPolicy, Violation, validate_body

__all__ = [
    "ENDPOINTS",
    "EndpointSpec",
    "FieldRule",
    "ResponseField",
    "ValidationPolicy",
    "Violation",
    "validate_body",
]

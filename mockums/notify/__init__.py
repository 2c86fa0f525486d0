"""Payment and refund notifications: the key-append signature and the retrying sender."""

from mockums.notify.sender import Attempt, Delivery, Notifier, NotifyPolicy, is_accepted
from mockums.notify.signing import (
    notification_sign,
    redacted_sign_string,
    sign_notification,
    sign_string,
    verify_notification,
)

__all__ = [
    "Attempt",
    "Delivery",
    "Notifier",
    "NotifyPolicy",
    "is_accepted",
    "notification_sign",
    "redacted_sign_string",
    "sign_notification",
    "sign_string",
    "verify_notification",
]

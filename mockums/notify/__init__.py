"""Payment and refund notifications: the key-append signature (`signing`, pure) and the retrying sender
(`sender`, over aiohttp). Importing this package loads only the signature."""

from mockums.notify.signing import (
    notification_sign,
    redacted_sign_string,
    sign_notification,
    sign_string,
    verify_notification,
)

__all__ = [
    "notification_sign",
    "redacted_sign_string",
    "sign_notification",
    "sign_string",
    "verify_notification",
]

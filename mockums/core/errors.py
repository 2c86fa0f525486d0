"""The facade's errors (`mockums.errors`), under the name the shell has always imported them by."""

from mockums.errors import Conflict, ControlError, Invalid, NotFound

__all__ = ["Conflict", "ControlError", "Invalid", "NotFound"]

"""Expected failures. Each carries the short message the user sees."""

from __future__ import annotations


class MusterError(Exception):
    """An expected failure whose message is safe and useful to show the user."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip()


class BadInput(MusterError):
    """The command could not be understood."""


class NotFound(MusterError):
    """The thing named does not exist, or the caller may not see it."""


class PermissionDenied(MusterError):
    """The caller's role does not allow this."""


class Conflict(MusterError):
    """The change is not possible in the current state."""

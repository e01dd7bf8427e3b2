"""Expected failures. Each carries the short message the user sees."""

from __future__ import annotations


class MusterError(Exception):
    """An expected failure whose message is safe and useful to show the user.

    ``field`` names the form field at fault, when the input came from a form."""

    def __init__(self, message: str, hint: str = "", *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.field = field

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


class AlreadyApplied(MusterError):
    """A retried delivery of a request whose change was already made."""

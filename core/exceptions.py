"""Errors a user can cause, each with a plain Dutch message."""

from django.core.exceptions import PermissionDenied, ValidationError

__all__ = ["ConflictError", "PermissionDenied", "ValidationError"]


class ConflictError(Exception):
    """The object was changed by someone else since the user opened it (a stale edit)."""

    def __init__(self, message, *, current=None):
        super().__init__(message)
        self.message = message
        self.current = current

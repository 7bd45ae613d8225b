"""Domain errors raised by services; ``web.errors`` maps them to HTTP answers."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error a user can cause; carries a machine code and an HTTP status."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details or {}


class InvalidInput(DomainError):
    """Input that is well-formed but has bad values."""

    status = 400
    code = "invalid"


class NotFound(DomainError):
    """The thing does not exist, or the caller may not know that it does."""

    status = 404
    code = "not_found"


class Forbidden(DomainError):
    """The caller is known but may not do this."""

    status = 403
    code = "forbidden"


class Unauthorized(DomainError):
    """No or a wrong credential."""

    status = 401
    code = "unauthorized"


class Conflict(DomainError):
    """The request clashes with the current state."""

    status = 409
    code = "conflict"


class Duplicate(Conflict):
    """The same content is already stored."""

    code = "duplicate"


class PreconditionFailed(DomainError):
    """The caller's ``If-Match`` names a version the thing has moved on from (someone else changed it)."""

    status = 412
    code = "precondition_failed"


class TooLarge(DomainError):
    """The upload is over the limit."""

    status = 413
    code = "too_large"


class UnsupportedMedia(DomainError):
    """The upload is not decodable audio."""

    status = 415
    code = "unsupported_media"


class StorageFull(DomainError):
    """The media store has no room left."""

    status = 507
    code = "storage_full"

"""Domain errors. Logic and data access raise these; ``patientportal.http`` maps them to HTTP."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error the API reports on purpose."""

    code = "error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class BadRequestError(DomainError):
    code = "bad_request"


class UnauthorizedError(DomainError):
    code = "unauthorized"


class ForbiddenError(DomainError):
    code = "forbidden"


class NotFoundError(DomainError):
    code = "not_found"


class ConflictError(DomainError):
    """The item changed since the caller read it, or a unique value is taken."""

    code = "conflict"

    def __init__(self, message: str, *, field: str | None = None, current: object = None) -> None:
        super().__init__(message, field=field)
        self.current = current


class GoneError(DomainError):
    code = "gone"


class ValidationFailedError(DomainError):
    code = "validation_error"


class PayloadTooLargeError(DomainError):
    code = "too_large"


class TooManyRequestsError(DomainError):
    code = "too_many_requests"


class UnavailableError(DomainError):
    """AWS answered that it is busy or briefly unavailable (throttling, an internal error)
    after botocore's own retries: nothing of the request was written, and trying again in a
    moment can succeed (docs/api.md "Status codes")."""

    code = "unavailable"

    def __init__(self, aws_code: str = "") -> None:
        super().__init__("The portal is busy right now and changed nothing. Try again in a moment.")
        self.aws_code = aws_code  # AWS's error code, for the log: never anything of the request

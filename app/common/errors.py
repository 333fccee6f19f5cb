"""Domain errors: raised by services, mapped to error frames and HTTP statuses at the edge."""

from __future__ import annotations

from typing import ClassVar, Literal

# Every error code a client can receive, in an error frame or a REST error body.
ErrorCode = Literal[
    "bad_request",
    "unauthorized",
    "forbidden",
    "not_found",
    "rate_limited",
    "too_large",
    "conflict",
    "idempotency_key_reused",
    "unavailable",
    "internal",
]


class DomainError(Exception):
    code: ClassVar[ErrorCode] = "bad_request"
    http_status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequest(DomainError):
    pass


class Unauthorized(DomainError):
    code = "unauthorized"
    http_status = 401


class Forbidden(DomainError):
    code = "forbidden"
    http_status = 403


class NotFound(DomainError):
    code = "not_found"
    http_status = 404


class Conflict(DomainError):
    code = "conflict"
    http_status = 409


class IdempotencyKeyReused(DomainError):
    """An ``Idempotency-Key`` sent again with another request (method, path or body)."""

    code = "idempotency_key_reused"
    http_status = 422


class TooLarge(DomainError):
    code = "too_large"
    http_status = 413


class RateLimited(DomainError):
    """Refused for now; ``retry_after_s`` tells the client when trying again can succeed."""

    code = "rate_limited"
    http_status = 429

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = max(1, retry_after_s)


class Unavailable(DomainError):
    code = "unavailable"
    http_status = 503

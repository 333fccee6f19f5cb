"""The error body every REST route answers with, documented once for the OpenAPI schema."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from app.common.errors import ErrorCode


class ErrorDetail(BaseModel):
    code: ErrorCode
    message: str


class ErrorBody(BaseModel):
    """``{"error": {"code", "message"}}`` with the matching HTTP status (docs/protocol.md)."""

    error: ErrorDetail


def _answer(description: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description}


# Declared on every router: the answers its routes give besides success, all with the same
# body. 422 is declared here so that FastAPI does not document its own validation-error shape,
# which Parley never sends.
ERRORS: dict[int | str, dict[str, Any]] = {
    400: _answer("bad_request: the request cannot be carried out as sent"),
    401: _answer("unauthorized: no token, or an invalid, expired or revoked one"),
    403: _answer("forbidden: the caller's role or relation to the object does not allow it"),
    404: _answer("not_found: no such object on the caller's site"),
    409: _answer(
        "conflict: the object's state does not allow it now (or a request with the same "
        "Idempotency-Key is still running)"
    ),
    422: _answer(
        "bad_request: a body field or parameter does not validate (the message names it, e.g. "
        "`events: List should have at least 1 item`); idempotency_key_reused: the "
        "Idempotency-Key came with another request"
    ),
    429: _answer("rate_limited: too many requests; retry after the Retry-After header"),
}


# A route whose success is not JSON (a download) would document its errors in its own media
# type; its errors are JSON all the same. (ErrorBody is in the schema: every router uses ERRORS.)
ERRORS_BESIDE_A_FILE: dict[int | str, dict[str, Any]] = {
    code: {
        "description": answer["description"],
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
    }
    for code, answer in ERRORS.items()
}

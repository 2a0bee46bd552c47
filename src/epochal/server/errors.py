"""Errors the API shows to its callers, and the one place that turns failures into responses.

Every error leaves the server as ``{"error": {"code", "message"}}`` (plus ``acked_seq`` for
a sequence conflict)::

    PublicError                  500 internal (never raised for bad input)
    ├── BadRequestError               400 a body or frame that cannot be parsed
    ├── NotFoundError            404 unknown project, run, file, blob or route
    ├── MethodNotAllowedError         405
    ├── SequenceConflictError         409 carries the stream's acked_seq
    ├── PayloadTooLargeError          413 over a size limit
    ├── UnprocessableError            422 a value breaks a rule
    └── InsufficientStorageError      507 disk or quota full; nothing was stored

Store errors map onto these one to one (see :func:`from_store_error`).
"""

from __future__ import annotations

import logging

import msgspec
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from epochal.store.base import Conflict, InvalidRecord, NotFound, StorageFull, StoreError
from epochal.wire.api import ErrorBody, ErrorDetail

logger = logging.getLogger(__name__)


class PublicError(Exception):
    """An error whose message is safe to show the caller."""

    http_code = 500
    code = "internal"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class BadRequestError(PublicError):
    http_code = 400
    code = "bad_request"


class NotFoundError(PublicError):
    http_code = 404
    code = "not_found"


class MethodNotAllowedError(PublicError):
    http_code = 405
    code = "method_not_allowed"


class SequenceConflictError(PublicError):
    http_code = 409
    code = "sequence_conflict"

    def __init__(self, message: str, *, acked_seq: int | None) -> None:
        super().__init__(message)
        self.acked_seq = acked_seq


class PayloadTooLargeError(PublicError):
    http_code = 413
    code = "too_large"


class UnprocessableError(PublicError):
    http_code = 422
    code = "invalid"


class InsufficientStorageError(PublicError):
    http_code = 507
    code = "storage_full"


class _ConflictBody(msgspec.Struct, frozen=True):
    error: ErrorDetail
    acked_seq: int | None


def from_store_error(exc: StoreError) -> PublicError:
    """The public face of a store error; its message is written for users already."""
    message = str(exc) or type(exc).__name__
    if isinstance(exc, NotFound):
        return NotFoundError(message)
    if isinstance(exc, Conflict):
        return SequenceConflictError(message, acked_seq=exc.acked_seq)
    if isinstance(exc, InvalidRecord):
        # The store names a missing blob by prefix; the API promises it its own code.
        code = "blob_missing" if message.startswith("blob_missing:") else "invalid_record"
        return UnprocessableError(message, code=code)
    if isinstance(exc, StorageFull):
        return InsufficientStorageError(message)
    return PublicError("the store failed; see the server log")


def error_response(error: PublicError) -> Response:
    """Errors are always JSON, whatever the request's Accept header asked for."""
    detail = ErrorDetail(code=error.code, message=error.message)
    body: msgspec.Struct
    if isinstance(error, SequenceConflictError):
        body = _ConflictBody(error=detail, acked_seq=error.acked_seq)
    else:
        body = ErrorBody(error=detail)
    return Response(msgspec.json.encode(body), status_code=error.http_code, media_type="application/json")


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for problem in exc.errors():
        where = ".".join(str(part) for part in problem.get("loc", ()))
        parts.append(f"{where}: {problem.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


async def _public_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PublicError)
    if exc.http_code >= 500:
        logger.error("%s %s failed: %s", request.method, request.url.path, exc.message)
    return error_response(exc)


async def _store_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StoreError)
    public = from_store_error(exc)
    if public.http_code == 500:
        logger.exception("store error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(public)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return error_response(UnprocessableError(_validation_message(exc), code="invalid_parameter"))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return error_response(NotFoundError(f"no route for {request.method} {request.url.path}"))
    if exc.status_code == 405:
        return error_response(MethodNotAllowedError(f"{request.method} is not allowed on {request.url.path}"))
    error = PublicError(str(exc.detail))
    error.http_code = exc.status_code
    error.code = "http_error"
    return error_response(error)


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    logger.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(PublicError("internal error; see the server log"))


def install_error_handlers(app: FastAPI) -> None:
    """Route every failure through the one error shape."""
    app.add_exception_handler(PublicError, _public_error)
    app.add_exception_handler(StoreError, _store_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)

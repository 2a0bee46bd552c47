"""Errors of the access layer, in the API's one error shape (see ``epochal.server.errors``)::

    PublicError
    ├── UnauthenticatedError   401 no (valid) credentials where some are needed
    ├── ForbiddenError         403 signed in, may read, may not do this
    ├── AuthDisabledError      409 an accounts route while the server runs in local mode
    ├── NameTakenError         409 a user or team name already in use
    └── TooManyRequestsError   429 sign-in or key attempts locked out; carries Retry-After

A caller who may not even read a thing gets ``NotFoundError`` (404), never 403: no existence leak.
"""

from __future__ import annotations

import math

from fastapi import FastAPI, Request
from starlette.responses import Response

from epochal.server.errors import PublicError, error_response


class UnauthenticatedError(PublicError):
    http_code = 401
    code = "unauthenticated"


class ForbiddenError(PublicError):
    http_code = 403
    code = "forbidden"


class AuthDisabledError(PublicError):
    http_code = 409
    code = "auth_disabled"


class NameTakenError(PublicError):
    http_code = 409
    code = "name_taken"


class TooManyRequestsError(PublicError):
    http_code = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after_s: float) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


def retry_after_header(seconds: float) -> dict[str, str]:
    return {"Retry-After": str(max(1, math.ceil(seconds)))}


async def _too_many(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, TooManyRequestsError)
    response = error_response(exc)
    response.headers.update(retry_after_header(exc.retry_after_s))
    return response


def install_auth_error_handlers(app: FastAPI) -> None:
    """429 needs its Retry-After header; the other errors use the shared handler."""
    app.add_exception_handler(TooManyRequestsError, _too_many)

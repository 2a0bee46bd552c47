"""Encoding of responses and decoding of request bodies: the server's one codec module.

Responses are JSON unless the request accepts ``application/msgpack``. msgpack carries
floats bit for bit; JSON has no literal for NaN or infinities, so they travel as the
strings ``"NaN"``, ``"Infinity"`` and ``"-Infinity"`` (docs/api.md).
"""

from __future__ import annotations

import math
from typing import Any, TypeVar

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from epochal.server.errors import BadRequestError, UnprocessableError

MSGPACK = "application/msgpack"
JSON = "application/json"

T = TypeVar("T")

_NON_FINITE = {math.inf: "Infinity", -math.inf: "-Infinity"}


def wants_msgpack(request: Request) -> bool:
    return MSGPACK in request.headers.get("accept", "")


def json_safe(value: Any) -> Any:
    """``value`` as builtins with non-finite floats replaced by their string names."""
    return _replace_non_finite(msgspec.to_builtins(value))


def _replace_non_finite(value: Any) -> Any:
    if type(value) is float:
        if math.isfinite(value):
            return value
        return "NaN" if math.isnan(value) else _NON_FINITE[value]
    if type(value) is list:
        return [_replace_non_finite(item) for item in value]
    if type(value) is dict:
        return {key: _replace_non_finite(item) for key, item in value.items()}
    return value


def encode_json(value: Any) -> bytes:
    return msgspec.json.encode(json_safe(value))


def respond(request: Request, value: Any, *, status_code: int = 200) -> Response:
    """Encode ``value`` (a wire struct, or a list of them) as the caller asked."""
    if wants_msgpack(request):
        return Response(msgspec.msgpack.encode(value), status_code=status_code, media_type=MSGPACK)
    return Response(encode_json(value), status_code=status_code, media_type=JSON)


def decode_json_body(body: bytes, type_: type[T]) -> T:
    """Parse a JSON request body: 400 when it is not JSON, 422 when it breaks the shape."""
    try:
        return msgspec.json.decode(body, type=type_)
    except msgspec.ValidationError as exc:
        raise UnprocessableError(f"invalid body: {exc}", code="invalid_body") from exc
    except msgspec.DecodeError as exc:
        raise BadRequestError(f"body is not valid JSON: {exc}", code="malformed_body") from exc

"""msgpack for structured column values: exact floats (NaN, Inf), ints stay ints."""

from __future__ import annotations

from typing import Any

import msgspec

from epochal.store.base import InvalidRecord

_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder()


def pack(value: Any) -> bytes:
    """The value as msgpack; InvalidRecord for what msgpack cannot hold (ints beyond
    -2**63..2**64-1, objects of other types), which only in-process callers can send."""
    try:
        return _encoder.encode(value)
    except (OverflowError, TypeError) as exc:
        raise InvalidRecord(f"value {str(value)[:80]!r} cannot be stored: {exc}") from exc


def unpack(blob: bytes) -> Any:
    return _decoder.decode(blob)

"""msgpack for structured column values: exact floats (NaN, Inf), ints stay ints."""

from __future__ import annotations

from typing import Any

import msgspec

_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder()


def pack(value: Any) -> bytes:
    return _encoder.encode(value)


def unpack(blob: bytes) -> Any:
    return _decoder.decode(blob)

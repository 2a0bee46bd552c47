"""Bit-exact compression of a chunk's steps and values.

Codec 1: steps are delta-encoded int64 (wrapping arithmetic, so any int64 sequence,
out of order or repeated, round-trips); int64 values likewise; float64 values are
XORed with their predecessor's bit pattern (slowly changing curves share sign, exponent
and high mantissa bits, leaving mostly zero bytes); then the 8 bytes of each word are
shuffled into 8 planes and the result is zlib-compressed. Bool values are one byte each.
Every float bit pattern (NaN payloads, signed zeros, subnormals) survives.

A chunk row stores its codec id, so a better codec can be added as id 2 while old
chunks stay readable.
"""

from __future__ import annotations

import zlib
from typing import Final, Literal

import numpy as np
import numpy.typing as npt

CODEC_ZLIB_SHUFFLE: Final = 1
CURRENT_CODEC: Final = CODEC_ZLIB_SHUFFLE

Kind = Literal["f", "i", "b"]
"""A chunk's value type: float64, int64 or bool."""

Values = npt.NDArray[np.float64] | npt.NDArray[np.int64] | npt.NDArray[np.bool_]

_ZLIB_LEVEL: Final = 6


class CodecError(ValueError):
    """A stored chunk cannot be decoded (unknown codec or corrupt bytes)."""


def _shuffle(words: npt.NDArray[np.uint64]) -> bytes:
    return np.ascontiguousarray(words.view(np.uint8).reshape(-1, 8).T).tobytes()


def _unshuffle(raw: bytes, count: int) -> npt.NDArray[np.uint64]:
    planes = np.frombuffer(raw, dtype=np.uint8)
    if planes.size != count * 8:
        raise CodecError(f"chunk holds {planes.size} bytes, expected {count * 8}")
    return np.ascontiguousarray(planes.reshape(8, count).T).view(np.uint64).reshape(count)


def _delta(words: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    out = words.copy()
    out[1:] -= words[:-1]  # uint64 arithmetic wraps: exact for every int64 sequence
    return out


def _undelta(words: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    return np.cumsum(words, dtype=np.uint64)


def _xor(words: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    out = words.copy()
    out[1:] ^= words[:-1]
    return out


def _unxor(words: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    return np.bitwise_xor.accumulate(words)


def encode_steps(steps: npt.NDArray[np.int64]) -> bytes:
    words = np.ascontiguousarray(steps, dtype=np.int64).view(np.uint64)
    return zlib.compress(_shuffle(_delta(words)), _ZLIB_LEVEL)


def decode_steps(blob: bytes, count: int, codec: int = CURRENT_CODEC) -> npt.NDArray[np.int64]:
    _check_codec(codec)
    return _undelta(_unshuffle(_inflate(blob), count)).view(np.int64)


def encode_values(values: Values, kind: Kind) -> bytes:
    if kind == "b":
        return zlib.compress(np.ascontiguousarray(values, dtype=np.bool_).view(np.uint8).tobytes(), _ZLIB_LEVEL)
    if kind == "i":
        words = _delta(np.ascontiguousarray(values, dtype=np.int64).view(np.uint64))
    else:
        words = _xor(np.ascontiguousarray(values, dtype=np.float64).view(np.uint64))
    return zlib.compress(_shuffle(words), _ZLIB_LEVEL)


def decode_values(blob: bytes, kind: Kind, count: int, codec: int = CURRENT_CODEC) -> Values:
    _check_codec(codec)
    raw = _inflate(blob)
    if kind == "b":
        flags = np.frombuffer(raw, dtype=np.uint8)
        if flags.size != count:
            raise CodecError(f"bool chunk holds {flags.size} bytes, expected {count}")
        return flags.astype(np.bool_)
    words = _unshuffle(raw, count)
    if kind == "i":
        return _undelta(words).view(np.int64)
    return _unxor(words).view(np.float64)


def _inflate(blob: bytes) -> bytes:
    try:
        return zlib.decompress(blob)
    except zlib.error as exc:
        raise CodecError(f"corrupt chunk: {exc}") from exc


def _check_codec(codec: int) -> None:
    if codec != CODEC_ZLIB_SHUFFLE:
        raise CodecError(f"unknown series codec {codec}")

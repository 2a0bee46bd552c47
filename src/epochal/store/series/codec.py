"""Bit-exact compression of a chunk's steps and values.

Both codecs first turn words into mostly-zero bytes, then compress:

- steps are delta-encoded int64 (wrapping arithmetic, so any int64 sequence, out of order
  or repeated, round-trips); int64 values likewise;
- float64 values are XORed with their predecessor's bit pattern (slowly changing curves
  share sign, exponent and high mantissa bits, leaving mostly zero bytes);
- the 8 bytes of each word are shuffled into 8 planes; bool values are one byte each.

Codec 1 compresses with zlib. Codec 2 (the current one) compresses with zstd, which
inflates about four times faster at the same size (the full read of a long series is
mostly decompression), and stores steps that form an arithmetic progression (the usual
``0, 1, 2, ...``) as just their start and stride. Every float bit pattern (NaN payloads,
signed zeros, subnormals) survives both. A chunk row stores its codec id, so chunks
written by codec 1 stay readable.
"""

from __future__ import annotations

import struct
import threading
import zlib
from typing import Final, Literal

import numpy as np
import numpy.typing as npt
import zstandard

CODEC_ZLIB_SHUFFLE: Final = 1
CODEC_ZSTD_SHUFFLE: Final = 2
CURRENT_CODEC: Final = CODEC_ZSTD_SHUFFLE

Kind = Literal["f", "i", "b"]
"""A chunk's value type: float64, int64 or bool."""

Values = npt.NDArray[np.float64] | npt.NDArray[np.int64] | npt.NDArray[np.bool_]

_ZLIB_LEVEL: Final = 6
_ZSTD_LEVEL: Final = 3
_STEPS_ARITHMETIC: Final = b"A"
"""Codec 2 steps tag: ``start`` and ``stride`` follow as two little-endian 64-bit words."""
_STEPS_DELTAS: Final = b"Z"
"""Codec 2 steps tag: zstd of the shuffled deltas follows."""
_PROGRESSION = struct.Struct("<qQ")


class CodecError(ValueError):
    """A stored chunk cannot be decoded (unknown codec or corrupt bytes)."""


class _Zstd(threading.local):
    """zstd contexts are not thread-safe; each thread keeps its own (creating one costs more than a chunk)."""

    def __init__(self) -> None:
        self.compressor = zstandard.ZstdCompressor(level=_ZSTD_LEVEL)
        self.decompressor = zstandard.ZstdDecompressor()


_zstd = _Zstd()


def _shuffle(words: npt.NDArray[np.uint64]) -> bytes:
    return words.view(np.uint8).reshape(-1, 8).T.tobytes()


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


def _compress(raw: bytes, codec: int) -> bytes:
    if codec == CODEC_ZLIB_SHUFFLE:
        return zlib.compress(raw, _ZLIB_LEVEL)
    return _zstd.compressor.compress(raw)


def _inflate(blob: bytes, codec: int, size: int) -> bytes:
    try:
        if codec == CODEC_ZLIB_SHUFFLE:
            return zlib.decompress(blob)
        if codec == CODEC_ZSTD_SHUFFLE:
            return _zstd.decompressor.decompress(blob, max_output_size=size)
    except (zlib.error, zstandard.ZstdError) as exc:
        raise CodecError(f"corrupt chunk: {exc}") from exc
    raise CodecError(f"unknown series codec {codec}")


def encode_steps(steps: npt.NDArray[np.int64], codec: int = CURRENT_CODEC) -> bytes:
    _check_codec(codec)
    words = np.ascontiguousarray(steps, dtype=np.int64).view(np.uint64)
    deltas = _delta(words)
    if codec == CODEC_ZSTD_SHUFFLE:
        stride = int(deltas[1]) if len(words) > 1 else 0
        if len(words) and bool(np.all(deltas[2:] == stride)):
            return _STEPS_ARITHMETIC + _PROGRESSION.pack(int(words[0].view(np.int64)), stride)
        return _STEPS_DELTAS + _compress(_shuffle(deltas), codec)
    return _compress(_shuffle(deltas), codec)


def decode_steps(blob: bytes, count: int, codec: int = CURRENT_CODEC) -> npt.NDArray[np.int64]:
    _check_codec(codec)
    if codec == CODEC_ZSTD_SHUFFLE:
        tag, blob = blob[:1], blob[1:]
        if tag == _STEPS_ARITHMETIC:
            if len(blob) != _PROGRESSION.size:
                raise CodecError(f"corrupt chunk: a step progression takes {_PROGRESSION.size} bytes, got {len(blob)}")
            start, stride = _PROGRESSION.unpack(blob)
            positions = np.arange(count, dtype=np.uint64)
            return (positions * np.uint64(stride) + np.int64(start).view(np.uint64)).view(np.int64)
        if tag != _STEPS_DELTAS:
            raise CodecError(f"corrupt chunk: unknown steps tag {tag!r}")
    return _undelta(_unshuffle(_inflate(blob, codec, count * 8), count)).view(np.int64)


def encode_values(values: Values, kind: Kind, codec: int = CURRENT_CODEC) -> bytes:
    _check_codec(codec)
    if kind == "b":
        return _compress(np.ascontiguousarray(values, dtype=np.bool_).view(np.uint8).tobytes(), codec)
    if kind == "i":
        words = _delta(np.ascontiguousarray(values, dtype=np.int64).view(np.uint64))
    else:
        words = _xor(np.ascontiguousarray(values, dtype=np.float64).view(np.uint64))
    return _compress(_shuffle(words), codec)


def decode_values(blob: bytes, kind: Kind, count: int, codec: int = CURRENT_CODEC) -> Values:
    _check_codec(codec)
    if kind == "b":
        flags = np.frombuffer(_inflate(blob, codec, count), dtype=np.uint8)
        if flags.size != count:
            raise CodecError(f"bool chunk holds {flags.size} bytes, expected {count}")
        return flags.astype(np.bool_)
    words = _unshuffle(_inflate(blob, codec, count * 8), count)
    if kind == "i":
        return _undelta(words).view(np.int64)
    return _unxor(words).view(np.float64)


def compress(raw: bytes, codec: int = CURRENT_CODEC) -> bytes:
    """Compress bytes that need no transform (level-of-detail records)."""
    _check_codec(codec)
    return _compress(raw, codec)


def decompress(blob: bytes, size: int, codec: int = CURRENT_CODEC) -> bytes:
    """Inverse of ``compress``; ``size`` is the expected length (a guard against corrupt blobs)."""
    _check_codec(codec)
    raw = _inflate(blob, codec, size)
    if len(raw) != size:
        raise CodecError(f"blob holds {len(raw)} bytes, expected {size}")
    return raw


def _check_codec(codec: int) -> None:
    if codec not in (CODEC_ZLIB_SHUFFLE, CODEC_ZSTD_SHUFFLE):
        raise CodecError(f"unknown series codec {codec}")

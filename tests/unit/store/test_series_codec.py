"""The chunk codec is bit-exact for every int64 step sequence and every float64 pattern."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from epochal.store.series import codec

int64s = st.integers(min_value=-(2**63), max_value=2**63 - 1)
any_float_bits = st.integers(min_value=0, max_value=2**64 - 1)  # every pattern: NaN payloads, subnormals, -0.0


@given(st.lists(int64s, max_size=600))
def test_steps_round_trip_in_any_order(steps: list[int]) -> None:
    array = np.array(steps, dtype=np.int64)
    assert codec.decode_steps(codec.encode_steps(array), len(steps)).tolist() == steps


@given(st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=300))
def test_repeated_and_backward_steps_round_trip(steps: list[int]) -> None:
    array = np.array(steps, dtype=np.int64)
    assert codec.decode_steps(codec.encode_steps(array), len(steps)).tolist() == steps


@given(st.lists(any_float_bits, max_size=600))
def test_float_bit_patterns_round_trip(bits: list[int]) -> None:
    values = np.array(bits, dtype=np.uint64).view(np.float64)
    decoded = codec.decode_values(codec.encode_values(values, "f"), "f", len(bits))
    assert decoded.dtype == np.float64
    assert decoded.view(np.uint64).tolist() == bits


@given(hnp.arrays(np.float64, st.integers(0, 400), elements=st.floats(allow_nan=True, allow_subnormal=True)))
def test_ordinary_and_special_floats_round_trip(values: np.ndarray) -> None:
    decoded = codec.decode_values(codec.encode_values(values, "f"), "f", len(values))
    assert decoded.view(np.uint64).tolist() == values.view(np.uint64).tolist()


@given(st.lists(int64s, max_size=400))
def test_int_values_round_trip(ints: list[int]) -> None:
    decoded = codec.decode_values(codec.encode_values(np.array(ints, dtype=np.int64), "i"), "i", len(ints))
    assert decoded.dtype == np.int64
    assert decoded.tolist() == ints


@given(st.lists(st.booleans(), max_size=400))
def test_bool_values_round_trip(flags: list[bool]) -> None:
    decoded = codec.decode_values(codec.encode_values(np.array(flags, dtype=np.bool_), "b"), "b", len(flags))
    assert decoded.dtype == np.bool_
    assert decoded.tolist() == flags


def test_smooth_curves_compress() -> None:
    steps = np.arange(4096, dtype=np.int64)
    values = np.exp(-steps / 1000.0)
    assert len(codec.encode_steps(steps)) < 200
    assert len(codec.encode_values(values, "f")) < 4096 * 8 * 0.8


def test_corrupt_or_unknown_chunks_raise() -> None:
    blob = codec.encode_steps(np.array([3, 1, 4, 1, 5, 9, 2, 6, 5, 3], dtype=np.int64))
    with pytest.raises(codec.CodecError):
        codec.decode_steps(blob, 11)
    with pytest.raises(codec.CodecError):
        codec.decode_steps(b"not zlib", 10)
    with pytest.raises(codec.CodecError):
        codec.decode_steps(b"not zlib", 10, codec=codec.CODEC_ZLIB_SHUFFLE)
    with pytest.raises(codec.CodecError):
        codec.decode_values(b"Zjunk", "f", 10)
    with pytest.raises(codec.CodecError):
        codec.decode_steps(blob, 10, codec=99)


@pytest.mark.parametrize("codec_id", [codec.CODEC_ZLIB_SHUFFLE, codec.CODEC_ZSTD_SHUFFLE])
@given(steps=st.lists(int64s, max_size=300), bits=st.lists(any_float_bits, max_size=300))
def test_every_codec_stays_readable(codec_id: int, steps: list[int], bits: list[int]) -> None:
    """Chunks written by an older codec decode after the current one changed."""
    step_array = np.array(steps, dtype=np.int64)
    assert codec.decode_steps(codec.encode_steps(step_array, codec_id), len(steps), codec_id).tolist() == steps
    values = np.array(bits, dtype=np.uint64).view(np.float64)
    decoded = codec.decode_values(codec.encode_values(values, "f", codec_id), "f", len(bits), codec_id)
    assert decoded.view(np.uint64).tolist() == bits


@given(
    start=int64s,
    stride=st.integers(min_value=-(2**63), max_value=2**63 - 1),
    count=st.integers(min_value=0, max_value=50),
)
def test_arithmetic_steps_round_trip_with_wrapping(start: int, stride: int, count: int) -> None:
    steps = (np.arange(count, dtype=np.uint64) * np.uint64(stride % 2**64) + np.uint64(start % 2**64)).view(np.int64)
    blob = codec.encode_steps(steps)
    assert codec.decode_steps(blob, count).tolist() == steps.tolist()


def test_regular_steps_take_a_few_bytes() -> None:
    assert len(codec.encode_steps(np.arange(5, 5 + 3 * 4096, 3, dtype=np.int64))) <= 17

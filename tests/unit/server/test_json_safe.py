"""JSON answers name non-finite floats ("NaN", "Infinity", "-Infinity") wherever they are, and
leave every other value as it was, whether a list takes the bulk check or the element-wise walk."""

from __future__ import annotations

import math
from typing import Any

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from epochal.server.encoding import encode_json, json_ready, json_safe

LONG = 64
"""At least the length from which lists are checked in bulk (``encoding._LONG_LIST``)."""


def _named(value: Any) -> Any:
    """The rule of docs/api.md, element by element: the oracle."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, list):
        return [_named(item) for item in value]
    if isinstance(value, dict):
        return {key: _named(item) for key, item in value.items()}
    return value


def _same(a: Any, b: Any) -> bool:
    """Equality that also checks types (1 == 1.0 == True would hide a changed value)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[key], b[key]) for key in a)
    return bool(a == b)


scalars = st.one_of(
    st.floats(width=64),  # NaN and infinities included
    st.integers(min_value=-(2**70), max_value=2**70),  # beyond float64 and int64 too
    st.booleans(),
    st.none(),
    st.sampled_from(["1.5", "NaN", "inf", "-Infinity", "text", "", " 7 "]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=LONG + 8),
        st.lists(inner, min_size=LONG, max_size=LONG + 8),
        st.dictionaries(st.text(max_size=4), inner, max_size=4),
    ),
    max_leaves=200,
)


@given(values)
@settings(max_examples=150, deadline=None)
def test_every_non_finite_float_is_named_and_nothing_else_changes(value: Any) -> None:
    assert _same(json_safe(value), _named(value))


@given(values)
@settings(max_examples=150, deadline=None)
def test_json_ready_values_encode_exactly_as_the_walked_ones(value: Any) -> None:
    """The runs list encodes each run with ``json_ready``: its bytes must be the walked ones."""
    assert msgspec.json.encode(json_ready({"summary": value})) == encode_json({"summary": value})


def test_long_lists_of_numbers_keep_their_values_and_types() -> None:
    floats = [i / 7 for i in range(1000)]
    mixed = [1, 2.5, True, "1.5", *range(LONG)]
    nested = [[0.5, 1.5]] * LONG

    assert _same(json_safe([floats, mixed, nested]), [floats, mixed, nested])


def test_a_long_list_with_one_nan_names_only_that_value() -> None:
    line = [float(i) for i in range(1000)]
    line[500], line[501], line[502] = math.nan, math.inf, -math.inf

    decoded = msgspec.json.decode(encode_json({"mean": line}))["mean"]

    assert decoded[500:503] == ["NaN", "Infinity", "-Infinity"]
    assert decoded[:500] == line[:500] and decoded[503:] == line[503:]

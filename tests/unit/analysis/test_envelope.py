"""The envelope promise: at any width every point lies inside its bucket's band, the band's
edges are real values, and nothing non-finite disappears silently."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from epochal.analysis.envelope import Envelope, Points, envelope

values_with_specials = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.sampled_from([math.inf, -math.inf, math.nan]),
)


@st.composite
def series(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    steps = sorted(draw(st.sets(st.integers(min_value=-(2**40), max_value=2**40), min_size=1, max_size=300)))
    values = draw(st.lists(values_with_specials, min_size=len(steps), max_size=len(steps)))
    return np.array(steps, dtype=np.int64), np.array(values, dtype=np.float64)


def bucket_of(env: Envelope, step: int) -> int:
    return int(np.searchsorted(env.steps, step, side="right")) - 1


@settings(max_examples=300, deadline=None)
@given(data=series(), width=st.integers(min_value=1, max_value=400))
def test_every_point_lies_inside_its_bucket(data: tuple[np.ndarray, np.ndarray], width: int) -> None:
    steps, values = data
    env = envelope(Points.raw(steps, values), width)
    assert len(env.steps) <= 2 * width
    assert np.all(np.diff(env.steps) > 0)
    for step, value in zip(steps.tolist(), values.tolist(), strict=True):
        i = bucket_of(env, step)
        assert i >= 0
        if math.isnan(value):
            continue
        assert env.min[i] <= value <= env.max[i]


@settings(max_examples=300, deadline=None)
@given(data=series(), width=st.integers(min_value=1, max_value=400))
def test_band_edges_are_attained_by_real_points(data: tuple[np.ndarray, np.ndarray], width: int) -> None:
    steps, values = data
    env = envelope(Points.raw(steps, values), width)
    bounds = [*env.steps.tolist(), math.inf]
    for i in range(len(env.steps)):
        inside = values[(steps >= bounds[i]) & (steps < bounds[i + 1])]
        assert len(inside) > 0
        numbers = inside[~np.isnan(inside)]
        if len(numbers) == 0:
            assert math.isnan(env.min[i]) and math.isnan(env.max[i]) and math.isnan(env.mean[i])
            continue
        assert env.min[i] == numbers.min()
        assert env.max[i] == numbers.max()
        if not math.isnan(env.mean[i]):
            assert env.min[i] <= env.mean[i] <= env.max[i]


@settings(max_examples=100, deadline=None)
@given(data=series(), width=st.integers(min_value=1, max_value=50), chunk=st.integers(min_value=2, max_value=20))
def test_pre_aggregated_input_gives_the_same_extremes(
    data: tuple[np.ndarray, np.ndarray], width: int, chunk: int
) -> None:
    """A store's coarse level (entries covering several points) keeps the extremes exact."""
    steps, values = data
    starts = np.arange(0, len(steps), chunk)
    with np.errstate(invalid="ignore", over="ignore"):  # inf + -inf sums to NaN, huge values to inf
        sums = np.add.reduceat(values, starts)
    aggregated = Points(
        steps=steps[starts],
        step_ends=steps[np.minimum(starts + chunk, len(steps)) - 1],
        min=np.fmin.reduceat(values, starts),
        max=np.fmax.reduceat(values, starts),
        sum=sums,
        count=np.diff(np.append(starts, len(steps))).astype(np.int64),
    )
    env = envelope(aggregated, width)
    numbers = values[~np.isnan(values)]
    if len(numbers):
        assert np.nanmax(env.max) == numbers.max()
        assert np.nanmin(env.min) == numbers.min()


def test_points_that_fit_are_returned_exactly() -> None:
    steps = np.array([0, 5, 9], dtype=np.int64)
    values = np.array([1.5, math.nan, -math.inf])
    env = envelope(Points.raw(steps, values), width=2)
    assert env.exact
    assert env.steps.tolist() == [0, 5, 9]
    np.testing.assert_array_equal(env.min, values)
    np.testing.assert_array_equal(env.max, values)
    np.testing.assert_array_equal(env.mean, values)


def test_a_single_spike_among_a_million_points_is_kept() -> None:
    rng = np.random.default_rng(7)
    steps = np.arange(1_000_000, dtype=np.int64)
    values = rng.normal(0.0, 1.0, size=steps.size)
    values[123_457] = 1e6
    env = envelope(Points.raw(steps, values), width=1000)
    assert not env.exact
    assert len(env.steps) == 1000
    spike_bucket = bucket_of(env, 123_457)
    assert env.max[spike_bucket] == 1e6
    assert np.count_nonzero(env.max == 1e6) == 1
    assert env.max.max() == 1e6


def test_buckets_of_only_nan_stay_nan_and_infinities_stay_extremes() -> None:
    steps = np.arange(100, dtype=np.int64)
    values = np.zeros(100)
    values[:10] = math.nan
    values[50] = math.inf
    values[51] = math.nan
    env = envelope(Points.raw(steps, values), width=10)
    assert math.isnan(env.min[0]) and math.isnan(env.max[0]) and math.isnan(env.mean[0])
    assert env.max[5] == math.inf and env.mean[5] == math.inf
    assert env.min[5] == 0.0


def test_a_shared_step_range_aligns_buckets_across_runs() -> None:
    short = Points.raw(np.arange(0, 50), np.ones(50))
    env = envelope(short, width=10, first_step=0, last_step=999)
    # 50 points over the first 5% of a 1000-step grid of 10 buckets fall in one bucket.
    assert env.steps.tolist() == [0]


def test_width_must_be_positive() -> None:
    with pytest.raises(ValueError, match="width"):
        envelope(Points.raw([1], [1.0]), width=0)

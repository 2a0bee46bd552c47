"""History and charts: a run's keys and rows, a project's keys, chart-ready series."""

from __future__ import annotations

from typing import Annotated

import numpy as np
import numpy.typing as npt
from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from epochal.analysis.envelope import Envelope, Points, envelope
from epochal.server.context import Context, StoreDep
from epochal.server.encoding import respond
from epochal.server.errors import UnprocessableError
from epochal.server.openapi import responses
from epochal.store.base import SeriesBlock
from epochal.wire import limits
from epochal.wire.api import HistoryPage, SeriesKey, SeriesLine, SeriesPoints, SeriesResponse

router = APIRouter(prefix="/api/v1/projects/{entity}/{project}", tags=["history"])


@router.get("/runs/{run_id}/keys", responses=responses(list[SeriesKey], errors=(404,)))
def run_keys(
    *, request: Request, store: StoreDep, context: Context, entity: str, project: str, run_id: str
) -> Response:
    ref = context.run_ref(entity, project, run_id)
    store.get_run(ref)  # 404 for an unknown run rather than an empty list
    return respond(request, store.list_series_keys(ref))


@router.get("/runs/{run_id}/history", responses=responses(HistoryPage, errors=(404,)))
def history(
    *,
    request: Request,
    store: StoreDep,
    context: Context,
    entity: str,
    project: str,
    run_id: str,
    keys: Annotated[str | None, Query(description="comma-separated; default all")] = None,
    min_step: int | None = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> Response:
    """Rows in step order; page on with ``min_step=next_step``."""
    ref = context.run_ref(entity, project, run_id)
    store.get_run(ref)
    wanted = [key for key in keys.split(",") if key] if keys else None
    return respond(request, store.read_history(ref, keys=wanted or None, min_step=min_step, limit=limit))


@router.get("/runs/{run_id}/points", responses=responses(SeriesPoints, errors=(404,)))
def points(
    *,
    request: Request,
    store: StoreDep,
    context: Context,
    entity: str,
    project: str,
    run_id: str,
    key: Annotated[str, Query(min_length=1, max_length=limits.MAX_KEY_LENGTH * limits.MAX_NESTING_DEPTH)],
    min_step: int | None = None,
    max_step: int | None = None,
) -> Response:
    """Every point of one scalar key, as two arrays: a million points in one answer.

    The history rows hold the same points one dict per step; this reads them by column,
    for exports and full-resolution analysis. An unknown key answers empty arrays.
    """
    ref = context.run_ref(entity, project, run_id)
    store.get_run(ref)
    series = store.read_series(ref, key, min_step=min_step, max_step=max_step)
    finite = series.values.dtype != np.float64 or bool(np.isfinite(series.values).all())
    answer = SeriesPoints(key=key, steps=series.steps.tolist(), values=series.values.tolist())
    return respond(request, answer, all_finite=finite)


@router.get("/keys", responses=responses(list[str], errors=(404,)))
def project_keys(*, request: Request, store: StoreDep, context: Context, entity: str, project: str) -> Response:
    """The union of the scalar keys of the project's runs, sorted."""
    return respond(request, store.list_project_series_keys(context.entity(entity), project))


@router.get("/series", responses=responses(SeriesResponse, errors=(404,)))
def series(
    *,
    request: Request,
    store: StoreDep,
    context: Context,
    entity: str,
    project: str,
    key: Annotated[str, Query(min_length=1, max_length=limits.MAX_KEY_LENGTH * limits.MAX_NESTING_DEPTH)],
    run: Annotated[list[str], Query(description="run ids, repeatable")],
    min_step: int | None = None,
    max_step: int | None = None,
    width: Annotated[int, Query(ge=1, le=10_000, description="chart width in pixels")] = 1000,
    x_key: Annotated[
        str | None,
        Query(
            max_length=limits.MAX_KEY_LENGTH * limits.MAX_NESTING_DEPTH,
            description="also return this key's value at each entry's step (charts against wall time or a metric)",
        ),
    ] = None,
) -> Response:
    """One line per run: every point when they fit in ``2 * width``, else exact min/max/mean buckets.

    All lines share one bucket grid (the requested range, else the union of the runs'
    ranges), so overlaid runs line up. With ``x_key`` each line also carries ``x``.
    """
    if min_step is not None and max_step is not None and min_step > max_step:
        raise UnprocessableError(f"min_step {min_step} is above max_step {max_step}", code="invalid_parameter")
    entity = context.entity(entity)
    run_ids = list(dict.fromkeys(run))
    blocks = store.read_series_blocks(
        entity, project, run_ids, key, min_step=min_step, max_step=max_step, max_points=2 * width
    )
    filled = [block for block in blocks if len(block.steps)]
    first = min_step if min_step is not None else min((int(b.steps[0]) for b in filled), default=0)
    last = max_step if max_step is not None else max((int(b.step_ends[-1]) for b in filled), default=0)
    envelopes = [envelope(_points(block), width, first_step=first, last_step=last) for block in blocks]
    x_arrays: list[npt.NDArray[np.float64]] = []
    if x_key is not None:
        x_blocks = store.read_series_blocks(
            entity, project, run_ids, x_key, min_step=first, max_step=last, max_points=2 * width
        )
        x_arrays = [_x_at(x_block, env.steps) for x_block, env in zip(x_blocks, envelopes, strict=True)]
    xs: list[list[float] | None] = [x.tolist() for x in x_arrays] if x_key is not None else [None] * len(run_ids)
    lines = [_line(run_id, key, env, x) for run_id, env, x in zip(run_ids, envelopes, xs, strict=True)]
    finite = _finite(*(values for env in envelopes for values in (env.min, env.max, env.mean)), *x_arrays)
    return respond(request, SeriesResponse(lines=lines), all_finite=finite)


def _x_at(block: SeriesBlock, steps: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
    """The x key's value at each step: exact where it logged that step, NaN where it did not.

    When the store answers with aggregated entries (long series), the entries' means are
    interpolated at the step, which is exact for the usual monotone x keys (wall time,
    relative time) and close for any other.
    """
    if not len(block.steps) or not len(steps):
        return np.full(len(steps), np.nan)
    if block.is_raw:
        at = np.clip(np.searchsorted(block.steps, steps), 0, len(block.steps) - 1)
        return np.where(block.steps[at] == steps, block.min[at], np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = block.sum / block.count
    middles = (block.steps + block.step_ends) / 2
    inside = (steps >= block.steps[0]) & (steps <= block.step_ends[-1])
    return np.where(inside, np.interp(steps, middles, means), np.nan)


def _finite(*arrays: npt.NDArray[np.float64]) -> bool:
    return all(bool(np.isfinite(array).all()) for array in arrays)


def _points(block: SeriesBlock) -> Points:
    return Points(block.steps, block.step_ends, block.min, block.max, block.sum, block.count)


def _line(run_id: str, key: str, env: Envelope, x: list[float] | None) -> SeriesLine:
    return SeriesLine(
        run_id=run_id,
        key=key,
        steps=env.steps.tolist(),
        min=env.min.tolist(),
        max=env.max.tolist(),
        mean=env.mean.tolist(),
        exact=env.exact,
        x=x,
    )

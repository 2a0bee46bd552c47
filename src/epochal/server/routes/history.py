"""History and charts: a run's keys and rows, a project's keys, chart-ready series."""

from __future__ import annotations

from typing import Annotated

import msgspec
import numpy as np
import numpy.typing as npt
from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from epochal.analysis.envelope import Envelope, Points, envelope
from epochal.server.context import Context, StoreDep
from epochal.server.encoding import respond
from epochal.server.errors import UnprocessableError
from epochal.server.openapi import responses
from epochal.store.base import RunQuery, RunRef, SeriesBlock, Store
from epochal.wire import limits
from epochal.wire.api import HistoryPage, SeriesKey, SeriesLine, SeriesResponse

router = APIRouter(prefix="/api/v1/projects/{entity}/{project}", tags=["history"])

RUNS_PAGE = 10_000


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


@router.get("/keys", responses=responses(list[str], errors=(404,)))
def project_keys(*, request: Request, store: StoreDep, context: Context, entity: str, project: str) -> Response:
    """The union of the scalar keys of the project's runs, sorted."""
    entity = context.entity(entity)
    store.get_project(entity, project)
    keys: set[str] = set()
    offset = 0
    while True:
        page = store.list_runs(entity, project, RunQuery(limit=RUNS_PAGE, offset=offset))
        for run in page.runs:
            keys.update(
                series_key.key for series_key in store.list_series_keys(context.run_ref(entity, project, run.run_id))
            )
        offset += len(page.runs)
        if not page.runs or offset >= page.total:
            break
    return respond(request, sorted(keys))


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
    blocks = {
        run_id: _read_block(
            store,
            context.run_ref(entity, project, run_id),
            key,
            min_step=min_step,
            max_step=max_step,
            max_points=2 * width,
        )
        for run_id in dict.fromkeys(run)
    }
    filled = [block for block in blocks.values() if len(block.steps)]
    first = min_step if min_step is not None else min((int(b.steps[0]) for b in filled), default=0)
    last = max_step if max_step is not None else max((int(b.step_ends[-1]) for b in filled), default=0)
    lines = [
        _line(run_id, key, envelope(_points(block), width, first_step=first, last_step=last))
        for run_id, block in blocks.items()
    ]
    if x_key is not None:
        lines = [
            msgspec.structs.replace(
                line,
                x=_x_at(
                    store.read_series_block(
                        context.run_ref(entity, project, line.run_id),
                        x_key,
                        min_step=first,
                        max_step=last,
                        max_points=2 * width,
                    ),
                    np.asarray(line.steps, dtype=np.int64),
                ).tolist(),
            )
            for line in lines
        ]
    return respond(request, SeriesResponse(lines=lines))


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


def _read_block(
    store: Store, ref: RunRef, key: str, *, min_step: int | None, max_step: int | None, max_points: int
) -> SeriesBlock:
    block = store.read_series_block(ref, key, min_step=min_step, max_step=max_step, max_points=max_points)
    if not len(block.steps):
        store.get_run(ref)  # no points: tell an unknown run (404) from an empty range
    return block


def _points(block: SeriesBlock) -> Points:
    return Points(block.steps, block.step_ends, block.min, block.max, block.sum, block.count)


def _line(run_id: str, key: str, env: Envelope) -> SeriesLine:
    return SeriesLine(
        run_id=run_id,
        key=key,
        steps=env.steps.tolist(),
        min=env.min.tolist(),
        max=env.max.tolist(),
        mean=env.mean.tolist(),
        exact=env.exact,
    )

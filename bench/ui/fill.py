"""Filling a benchmark server through the public ingest API, as the SDK would, in big batches.

Records are the wire formats of ``epochal.wire.records`` framed by ``epochal.wire.framing``; each
run is one stream (``RunStart`` first, ``Finish`` last). Values are cheap deterministic curves
with noise, so charts have something to draw and envelopes something to keep.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import msgspec
import numpy as np

from epochal.wire.framing import frame
from epochal.wire.records import HISTORY_KIND, Finish, RunStart, SummaryUpdate

log = logging.getLogger(__name__)

ENTITY = "bench"
CURVES_PROJECT = "curves"
TABLE_PROJECT = "table"
FRAMES = "application/x-epochal-frames"
BATCH_BYTES = 24 * 1024 * 1024
"""Under the 32 MiB body limit of docs/api.md."""


@dataclass(frozen=True)
class Scale:
    runs: int
    keys: int
    steps: int
    table_runs: int


SCALES = {
    "full": Scale(runs=100, keys=10, steps=100_000, table_runs=5_000),
    "small": Scale(runs=10, keys=10, steps=10_000, table_runs=5_000),
}

_encoder = msgspec.msgpack.Encoder()


def _post(client: httpx.Client, run_id: str, project: str, body: bytes) -> None:
    url = f"/api/v1/projects/{ENTITY}/{project}/runs/{run_id}/streams/fill"
    response = client.post(url, content=body, headers={"Content-Type": FRAMES}, timeout=600)
    if response.status_code != 200:
        raise RuntimeError(f"ingest of {run_id} answered {response.status_code}: {response.text[:300]}")


def _history_frames(run_index: int, keys: int, steps: int, first_seq: int) -> Iterator[bytes]:
    rng = np.random.default_rng(run_index)
    step = np.arange(steps, dtype=np.float64)
    rate = 0.5 + run_index / 50
    columns = [(np.exp(-rate * step / steps * (k + 1)) + rng.normal(0, 0.02, steps)).tolist() for k in range(keys)]
    names = [f"{'train' if k < keys // 2 else 'val'}/metric_{k}" for k in range(keys)]
    t0 = 1_700_000_000.0 + run_index * 3600
    for i in range(steps):
        row = {name: column[i] for name, column in zip(names, columns, strict=True)}
        yield frame(_encoder.encode((HISTORY_KIND, first_seq + i, t0 + i * 0.01, i, row)))


def fill_run(client: httpx.Client, run_index: int, scale: Scale) -> None:
    run_id = f"run{run_index:04d}"
    start = RunStart(
        seq=1,
        t=time.time(),
        project=CURVES_PROJECT,
        run_id=run_id,
        entity=ENTITY,
        name=f"curve-{run_index}",
        config={"lr": 10 ** -(1 + run_index % 4), "depth": 8 + run_index % 5},
    )
    batch = [frame(_encoder.encode(start))]
    size = len(batch[0])
    for data in _history_frames(run_index, scale.keys, scale.steps, first_seq=2):
        batch.append(data)
        size += len(data)
        if size >= BATCH_BYTES:
            _post(client, run_id, CURVES_PROJECT, b"".join(batch))
            batch, size = [], 0
    batch.append(frame(_encoder.encode(Finish(seq=scale.steps + 2, t=time.time()))))
    _post(client, run_id, CURVES_PROJECT, b"".join(batch))


def fill_table_run(client: httpx.Client, index: int) -> None:
    run_id = f"t{index:05d}"
    rng = np.random.default_rng(index)
    records = [
        RunStart(
            seq=1,
            t=time.time(),
            project=TABLE_PROJECT,
            run_id=run_id,
            entity=ENTITY,
            name=f"table-{index}",
            config={"lr": float(rng.choice([1e-4, 3e-4, 1e-3, 3e-3])), "opt": str(rng.choice(["adam", "sgd"]))},
        ),
        SummaryUpdate(seq=2, t=time.time(), set={"acc": float(rng.random()), "loss": float(rng.random() * 3)}),
        Finish(seq=3, t=time.time()),
    ]
    _post(client, run_id, TABLE_PROJECT, b"".join(frame(_encoder.encode(record)) for record in records))


def fill(base_url: str, scale: Scale) -> dict[str, float]:
    """Fills both projects; returns how long each took (seconds)."""
    took: dict[str, float] = {}
    with httpx.Client(base_url=base_url) as client:
        begin = time.perf_counter()
        for index in range(scale.runs):
            fill_run(client, index, scale)
            log.info("curves: run %d/%d stored", index + 1, scale.runs)
        took["fill curves (s)"] = time.perf_counter() - begin
    begin = time.perf_counter()
    with httpx.Client(base_url=base_url) as client, ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda i: fill_table_run(client, i), range(scale.table_runs)))
    took["fill table (s)"] = time.perf_counter() - begin
    return took

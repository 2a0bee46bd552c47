"""Engine micro-benchmarks: the store called directly (no HTTP), min and median of repeats.

Run: ``.venv/bin/python -m bench.engine [ingest] [body] [series] [size] [overlay] [table]``
(see docs/performance.md).
"""

from __future__ import annotations

import shutil
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from epochal.analysis.envelope import Points, envelope
from epochal.server.warmup import warm_run_lists
from epochal.store.base import RunQuery, RunRef
from epochal.store.factory import open_store
from epochal.wire.records import History, RunStart


def loss_curve(n, seed=0):
    rng = np.random.default_rng(seed)
    x = np.arange(n)
    v = 2.0 * np.exp(-x / (n / 5)) + 0.1 + 0.05 * rng.standard_normal(n) * np.exp(-x / n)
    return v.astype(np.float32).astype(np.float64)


def timeit(fn, repeat):
    ts = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return min(ts), statistics.median(ts)


def fresh(tmp):
    shutil.rmtree(tmp, ignore_errors=True)
    return open_store(f"sqlite:///{tmp}/e.db", Path(tmp) / "blobs")


def records(run_id, rows, keys, start_seq=1, start_step=0, with_start=True):
    vals = [loss_curve(rows, seed=k) for k in range(keys)]
    names = [f"metric_{k:04d}" for k in range(keys)]
    cols = [v.tolist() for v in vals]
    recs = [RunStart(seq=1, t=time.time(), project="p", run_id=run_id)] if with_start else []
    seq = len(recs) + start_seq
    t = time.time()
    for i in range(rows):
        recs.append(
            History(seq=seq, t=t + i * 1e-3, step=start_step + i, row={names[k]: cols[k][i] for k in range(keys)})
        )
        seq += 1
    return recs


def bench_ingest(tmp, rows, keys, batch, repeat=3):
    """Points/s of one run's batches, by wall clock and by this process's CPU time (the
    second is steadier on a shared machine; ingest is single-threaded)."""
    wall, cpu = [], []
    for _ in range(repeat):
        store = fresh(tmp)
        recs = records("r", rows, keys)
        ref = RunRef("e", "p", "r")
        t0, c0 = time.perf_counter(), time.process_time()
        for i in range(0, len(recs), batch):
            store.ingest(ref, "s", recs[i : i + batch])
        wall.append(rows * keys / (time.perf_counter() - t0))
        cpu.append(rows * keys / (time.process_time() - c0))
        store.close()
    return max(wall), statistics.median(wall), max(cpu)


def bench_ingest_concurrent(tmp, runs, rows, keys, batch, repeat=2):
    """Aggregate points/s of ``runs`` threads, each streaming its own run into one store."""
    out = []
    for _ in range(repeat):
        store = fresh(tmp)
        streams = [records(f"r{r}", rows, keys) for r in range(runs)]

        def stream(r, recs, store=store):
            ref = RunRef("e", "p", f"r{r}")
            for i in range(0, len(recs), batch):
                store.ingest(ref, "s", recs[i : i + batch])

        threads = [threading.Thread(target=stream, args=(r, recs)) for r, recs in enumerate(streams)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        out.append(runs * rows * keys / (time.perf_counter() - t0))
        store.close()
    return max(out), statistics.median(out)


def print_ingest(tmp):
    print(
        "ingest 1000x1000 pts/s (best, median; per CPU-s): {:.0f} {:.0f}; {:.0f}".format(
            *bench_ingest(tmp + "/a", 1000, 1000, 1001)
        )
    )
    print(
        "ingest 100000x10 pts/s batch 10k rows (best, median; per CPU-s): {:.0f} {:.0f}; {:.0f}".format(
            *bench_ingest(tmp + "/b", 100_000, 10, 10_000, repeat=2)
        )
    )
    print(
        "ingest 20 concurrent runs x 20000x10, batch 5k rows (the uploader's), aggregate pts/s"
        " (best, median): {:.0f} {:.0f}".format(*bench_ingest_concurrent(tmp + "/c", 20, 20_000, 10, 5_000))
    )


def bench_body_ingest(tmp, rows, keys, batch, repeat=5):
    """The server's write path without HTTP: frames as the SDK ships them -> decode_batch ->
    check_batch -> store.ingest. Returns (best, median) points/s and the best decode share."""
    from epochal.server.batch import check_batch, decode_batch
    from epochal.wire.framing import frame
    from epochal.wire.records import encode_record

    recs = records("r", rows, keys)
    bodies = [b"".join(frame(encode_record(r)) for r in recs[i : i + batch]) for i in range(0, len(recs), batch)]
    ref = RunRef("e", "p", "r")
    rates, decode_shares = [], []
    for _ in range(repeat):
        store = fresh(tmp)
        decoding = 0.0
        t0 = time.perf_counter()
        for body in bodies:
            d0 = time.perf_counter()
            decoded = decode_batch(body)
            check_batch(ref, decoded)
            decoding += time.perf_counter() - d0
            store.ingest(ref, "s", decoded)
        total = time.perf_counter() - t0
        rates.append(rows * keys / total)
        decode_shares.append(decoding / total)
        store.close()
    return max(rates), statistics.median(rates), min(decode_shares)


def print_body_ingest(tmp):
    for batch in (20_001, 5_000):
        print(
            "body ingest 20000x10, {}-frame bodies, pts/s (best, median; decode share): {:.0f} {:.0f}; {:.0%}".format(
                batch, *bench_body_ingest(tmp + f"/body{batch}", 20_000, 10, batch)
            )
        )


def print_table(tmp):
    store = fresh(tmp + "/t")
    rng = np.random.default_rng(1)
    from epochal.wire.records import SummaryUpdate

    for r in range(10_000):
        cfg = {f"c{k:02d}": float(rng.random()) if k % 2 else f"s{k}{r % 7}" for k in range(50)}
        summ = {f"k{k:02d}": float(rng.random()) for k in range(20)}
        store.ingest(
            RunRef("e", "p", f"r{r}"),
            "s",
            [
                RunStart(seq=1, t=1e9 + r, project="p", run_id=f"r{r}", config=cfg),
                SummaryUpdate(seq=2, t=1e9 + r, set=summ),
            ],
        )
    q = RunQuery(order_by="-summary.k07", limit=100)
    store.close()
    store = open_store(f"sqlite:///{tmp}/t/e.db", Path(tmp) / "t" / "blobs")
    t0 = time.perf_counter()
    store.list_runs("e", "p", q)
    print("runs table cold (first list after opening the store) ms: %.1f" % (1e3 * (time.perf_counter() - t0)))
    store.close()
    store = open_store(f"sqlite:///{tmp}/t/e.db", Path(tmp) / "t" / "blobs")
    t0 = time.perf_counter()
    warm_run_lists(store, threading.Event())
    t1 = time.perf_counter()
    store.list_runs("e", "p", q)
    first, warmup = 1e3 * (time.perf_counter() - t1), 1e3 * (t1 - t0)
    print(f"runs table after the server's startup warm-up ms: {first:.1f} (the warm-up: {warmup:.1f})")
    print(
        "runs table warm (min, median) ms: {:.1f} {:.1f}".format(
            *tuple(1e3 * x for x in timeit(lambda: store.list_runs("e", "p", q), 7))
        )
    )


def print_series(tmp, which):
    store = fresh(tmp + "/s")
    ref = RunRef("e", "p", "r")
    n = 1_000_000
    v = loss_curve(n)
    v[123_457] = 1e6
    recs = [RunStart(seq=1, t=time.time(), project="p", run_id="r")]
    recs += [History(seq=i + 2, t=1e9 + i, step=i, row={"loss": x}) for i, x in enumerate(v.tolist())]
    for i in range(0, len(recs), 100_000):
        store.ingest(ref, "s", recs[i : i + 100_000])
    if "series" in which:
        print(
            "full read 1M (min, median) ms: {:.1f} {:.1f}".format(
                *tuple(1e3 * x for x in timeit(lambda: store.read_series(ref, "loss"), 7))
            )
        )

        def chart():
            b = store.read_series_block(ref, "loss", max_points=2000)
            e = envelope(Points(b.steps, b.step_ends, b.min, b.max, b.sum, b.count), 1000)
            assert e.max.max() == 1e6

        print("chart 1M->1000px (min, median) ms: {:.1f} {:.1f}".format(*tuple(1e3 * x for x in timeit(chart, 7))))

        def zoom():
            b = store.read_series_block(ref, "loss", min_step=100_000, max_step=700_000, max_points=2000)
            envelope(
                Points(b.steps, b.step_ends, b.min, b.max, b.sum, b.count),
                1000,
                first_step=100_000,
                last_step=700_000,
            )

        print(
            "chart zoom 600k->1000px (min, median) ms: {:.1f} {:.1f}".format(*tuple(1e3 * x for x in timeit(zoom, 7)))
        )
    if "size" in which:
        db = f"{tmp}/s/e.db"
        store.close()
        c = sqlite3.connect(db)
        c.execute("VACUUM")
        c.close()
        con = sqlite3.connect(db)
        blob = con.execute(
            "select sum(length(steps)), sum(length(vals)) from series_chunks where key='loss'"
        ).fetchone()
        con.close()
        print(f"bytes/point db file (1M loss + _timestamp + _runtime): {Path(db).stat().st_size / n:.2f}")
        print(f"bytes/point loss chunks steps+vals: {(blob[0] + blob[1]) / n:.2f} ({blob[0]} + {blob[1]})")


def print_overlay(tmp):
    store = fresh(tmp + "/o")
    n = 100_000
    for r in range(100):
        ref = RunRef("e", "p", f"r{r}")
        v = loss_curve(n, seed=r)
        recs = [RunStart(seq=1, t=time.time(), project="p", run_id=f"r{r}")]
        recs += [History(seq=i + 2, t=1e9 + i, step=i, row={"loss": x}) for i, x in enumerate(v.tolist())]
        store.ingest(ref, "s", recs)

    run_ids = [f"r{r}" for r in range(100)]

    def overlay():  # what the /series route does for a 100-run chart: one multi-run read, then envelopes
        for b in store.read_series_blocks("e", "p", run_ids, "loss", max_points=2000):
            envelope(Points(b.steps, b.step_ends, b.min, b.max, b.sum, b.count), 1000, first_step=0, last_step=n - 1)

    def overlay_run_by_run():
        for run_id in run_ids:
            b = store.read_series_block(RunRef("e", "p", run_id), "loss", max_points=2000)
            envelope(Points(b.steps, b.step_ends, b.min, b.max, b.sum, b.count), 1000, first_step=0, last_step=n - 1)

    print("overlay 100x100k (min, median) ms: {:.1f} {:.1f}".format(*tuple(1e3 * x for x in timeit(overlay, 5))))
    print(
        "overlay 100x100k, one read per run (min, median) ms: {:.1f} {:.1f}".format(
            *tuple(1e3 * x for x in timeit(overlay_run_by_run, 5))
        )
    )


def main():
    which = sys.argv[1:] or ["ingest", "body", "series", "size", "overlay", "table"]
    tmp = tempfile.mkdtemp(prefix="perf")
    if "ingest" in which:
        print_ingest(tmp)
    if "body" in which:
        print_body_ingest(tmp)
    if "series" in which or "size" in which:
        print_series(tmp, which)
    if "overlay" in which:
        print_overlay(tmp)
    if "table" in which:
        print_table(tmp)
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

"""The measurement groups: each runs its workers (fresh processes, ``repeat`` times) and
records samples into ``Results``, printing one line per measurement as it goes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.figures import TABLE_CONFIG_KEYS, TABLE_SUMMARY_KEYS, Scale
from bench.procs import WorkerOutcome
from bench.results import Results
from bench.tools import Session, epochal_server, server_url
from bench.workers.common import dir_size

QUERY_TOOLS = ("epochal", "mlflow-sqlite", "mlflow-server", "trackio")
NO_QUERY_API = "offline mode has no local query API"


@dataclass
class Context:
    session: Session
    results: Results
    scale: Scale
    repeat: int
    tools: tuple[str, ...]
    epochal_missing: str | None
    _fills: dict[tuple[str, str], WorkerOutcome] = field(default_factory=dict)
    _empty_epochal_bytes: int | None = None

    def say(self, line: str) -> None:
        print(line, flush=True)

    def skip_epochal(self, figures: list[str]) -> bool:
        if "epochal" in self.tools and self.epochal_missing:
            for figure in figures:
                self.results.note(figure, "epochal", f"n/a: {self.epochal_missing}")
        return self.epochal_missing is not None

    def shared_epochal_url(self, name: str) -> str:
        server = self.session.shared_server(
            f"epochal:{name}", lambda: epochal_server(self.session.scratch / f"epochal-{name}" / "data")
        )
        return server_url(server)

    def fail(self, figures: list[str], tool: str, outcome: WorkerOutcome) -> None:
        why = outcome.error or "failed"
        for figure in figures:
            self.results.note(figure, tool, why)
        self.say(f"    {tool}: {why}  (log: {outcome.log_path})")


def run_import(ctx: Context) -> None:
    for name in ctx.tools:
        if name == "floor" or (name == "epochal" and ctx.skip_epochal(["import_s"])):
            continue
        for rep in range(ctx.repeat):
            workdir = ctx.session.fresh_dir(f"import-{name}")
            out = ctx.session.run(ctx.session.tool(name, workdir), "import", {}, workdir)
            if not out.ok:
                ctx.fail(["import_s"], name, out)
                break
            ctx.results.add("import_s", name, out.result["import_s"])
            ctx.say(f"[import] {name} {rep + 1}/{ctx.repeat}: {out.result['import_s']:.3f} s")


def run_init(ctx: Context) -> None:
    for name in ctx.tools:
        if name == "floor" or (name == "epochal" and ctx.skip_epochal(["init_s"])):
            continue
        for rep in range(ctx.repeat):
            workdir = ctx.session.fresh_dir(f"init-{name}")
            url = ctx.shared_epochal_url("init") if name == "epochal" else None
            out = ctx.session.run(ctx.session.tool(name, workdir, epochal_url=url), "init", {}, workdir)
            if not out.ok:
                ctx.fail(["init_s"], name, out)
                break
            ctx.results.add("init_s", name, out.result["init_s"])
            ctx.say(f"[init] {name} {rep + 1}/{ctx.repeat}: {out.result['init_s']:.3f} s")


def run_log(ctx: Context) -> None:
    for prefix, (steps, keys) in (("narrow", ctx.scale.narrow), ("wide", ctx.scale.wide)):
        figures = [f"{prefix}_log_us", f"{prefix}_finish_s", f"{prefix}_ingest_pps"]
        if prefix == "narrow":
            figures += ["peak_rss_mb", "helper_rss_mb", "bytes_per_point"]
        for name in ctx.tools:
            if name == "epochal" and ctx.skip_epochal(figures):
                continue
            for rep in range(ctx.repeat):
                ok = _train_once(ctx, name, prefix, (steps, keys), figures=figures)
                if not ok:
                    break
                ctx.say(f"[log] {name} {steps}x{keys} {rep + 1}/{ctx.repeat}: " + _train_summary(ctx, name, prefix))


def _train_once(ctx: Context, name: str, prefix: str, workload: tuple[int, int], *, figures: list[str]) -> bool:
    workdir = ctx.session.fresh_dir(f"log-{name}")
    steps, keys = workload
    params = {"steps": steps, "keys": keys}
    if name != "epochal":
        out = ctx.session.run(ctx.session.tool(name, workdir), "train", params, workdir)
        store_bytes = out.result.get("store_bytes")
    else:
        # A fresh server per repetition: its data folder then holds exactly this run.
        server = epochal_server(workdir / "server-data")
        server.start()
        try:
            out = ctx.session.run(
                ctx.session.tool(name, workdir, epochal_url=server_url(server)), "train", params, workdir
            )
        finally:
            server.stop()
        store_bytes = dir_size(workdir / "server-data") - _empty_epochal_store(ctx)
    if not out.ok:
        ctx.fail(figures, name, out)
        return False
    result = out.result
    results = ctx.results
    results.add(f"{prefix}_log_us", name, result["log_us"])
    if name == "floor":
        return True
    results.add(f"{prefix}_finish_s", name, result["finish_s"])
    if result.get("stored_when_finish_returned") is False:
        results.note(f"{prefix}_finish_s", name, "returned before the server had every point")
    points, stored = result["points"], result.get("stored_points")
    if stored is None:
        results.note(f"{prefix}_ingest_pps", name, "n/a: offline, nothing reaches a server")
    elif stored < points:
        results.note(f"{prefix}_ingest_pps", name, f"only {stored:,} of {points:,} points stored")
    else:
        results.add(f"{prefix}_ingest_pps", name, points / result["end_to_end_s"])
    if prefix == "narrow":
        results.add("peak_rss_mb", name, result["peak_rss_mb"])
        results.add("helper_rss_mb", name, out.helper_peak_rss_mb)
        if store_bytes is None:
            results.note("bytes_per_point", name, "— (same SQLite store as mlflow-sqlite)")
        else:
            results.add("bytes_per_point", name, store_bytes / points)
    return True


def _empty_epochal_store(ctx: Context) -> int:
    """Size of a fresh, stopped Epochal server's data folder: subtracted from stored bytes."""
    if ctx._empty_epochal_bytes is None:
        data = ctx.session.fresh_dir("epochal-empty") / "data"
        server = epochal_server(data)
        server.start()
        server.stop()
        ctx._empty_epochal_bytes = dir_size(data)
    return ctx._empty_epochal_bytes


def _train_summary(ctx: Context, name: str, prefix: str) -> str:
    def last(figure: str, fmt: str) -> str:
        samples = ctx.results.cell(figure, name).samples
        return format(samples[-1], fmt) if samples else "—"

    return (
        f"log {last(f'{prefix}_log_us', '.2f')} µs/call, finish {last(f'{prefix}_finish_s', '.3f')} s, "
        f"ingest {last(f'{prefix}_ingest_pps', ',.0f')} points/s"
    )


def _fill(ctx: Context, name: str, kind: str, params: dict[str, Any]) -> WorkerOutcome:
    """Fill ``name``'s query store once per kind (mlflow-server shares mlflow-sqlite's fill)."""
    filler = "mlflow-sqlite" if name == "mlflow-server" else name
    key = (filler, kind)
    if key not in ctx._fills:
        ctx.say(f"[{kind}] filling {filler} ...")
        workdir = ctx.session.fresh_dir(f"fill-{kind}-{filler}")
        tool = _query_tool(ctx, filler, workdir)
        ctx._fills[key] = ctx.session.run(tool, f"fill_{kind}", params, workdir)
    return ctx._fills[key]


def _query_tool(ctx: Context, name: str, workdir: Path) -> Any:
    scratch = ctx.session.scratch
    url = ctx.shared_epochal_url("query") if name == "epochal" else None
    return ctx.session.tool(
        name,
        workdir,
        mlflow_db=scratch / "mlflow-query" / "mlflow.db",
        epochal_url=url,
        trackio_dir=scratch / "trackio-query",
    )


def _run_queries(
    ctx: Context,
    kind: str,
    fill_params: dict[str, Any],
    queries: list[tuple[str, list[str]]],
    record: Callable[[str, str, dict[str, Any]], str],
) -> None:
    """Fill each query tool's store, then time each query ``repeat`` times in fresh processes."""
    all_figures = [figure for _, figures in queries for figure in figures]
    for name in ctx.tools:
        if name == "floor":
            continue
        if name == "wandb":
            for figure in all_figures:
                ctx.results.note(figure, name, f"n/a: {NO_QUERY_API}")
            continue
        if name == "epochal" and ctx.skip_epochal(all_figures):
            continue
        filled = _fill(ctx, name, kind, fill_params)
        if not filled.ok:
            ctx.fail(all_figures, name, filled)
            continue
        for measurement, figures in queries:
            for rep in range(ctx.repeat):
                workdir = ctx.session.fresh_dir(f"{measurement}-{name}")
                out = ctx.session.run(
                    _query_tool(ctx, name, workdir), measurement, {**fill_params, **filled.result}, workdir
                )
                if not out.ok:
                    ctx.fail(figures, name, out)
                    break
                summary = record(measurement, name, out.result)
                ctx.say(f"[{kind}] {name} {measurement} {rep + 1}/{ctx.repeat}: {summary}")


def run_series(ctx: Context) -> None:
    def record(measurement: str, name: str, result: dict[str, Any]) -> str:
        if measurement == "read_full":
            ctx.results.add("read_full_s", name, result["seconds"])
            return f"{result['seconds']:.3f} s, {result['returned']:,} points"
        ctx.results.add("chart_s", name, result["seconds"])
        ctx.results.add("chart_points", name, float(result["returned"]))
        ctx.results.add("chart_spike", name, bool(result["spike"]))
        spike = "kept" if result["spike"] else "LOST"
        return f"{result['seconds']:.3f} s, {result['returned']:,} points, spike {spike}"

    _run_queries(
        ctx,
        "series",
        {"points": ctx.scale.series_points},
        [("read_full", ["read_full_s"]), ("chart", ["chart_s", "chart_points", "chart_spike"])],
        record,
    )


def run_overlay(ctx: Context) -> None:
    runs, steps = ctx.scale.overlay

    def record(measurement: str, name: str, result: dict[str, Any]) -> str:
        ctx.results.add("overlay_s", name, result["seconds"])
        return f"{result['seconds']:.3f} s, {result['returned']:,} points"

    _run_queries(ctx, "overlay", {"runs": runs, "steps": steps}, [("overlay", ["overlay_s"])], record)


def run_table(ctx: Context) -> None:
    def record(measurement: str, name: str, result: dict[str, Any]) -> str:
        ctx.results.add("table_s", name, result["seconds"])
        return f"{result['seconds']:.3f} s, {result['returned']:,} rows"

    params = {"runs": ctx.scale.table_runs, "config_keys": TABLE_CONFIG_KEYS, "summary_keys": TABLE_SUMMARY_KEYS}
    _run_queries(ctx, "table", params, [("table", ["table_s"])], record)


GROUP_RUNNERS: dict[str, Callable[[Context], None]] = {
    "import": run_import,
    "init": run_init,
    "log": run_log,
    "series": run_series,
    "overlay": run_overlay,
    "table": run_table,
}

"""The figures the benchmark reports, and the sizes of their workloads at each scale."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Better = Literal["lower", "higher", "info"]


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    unit: str
    better: Better
    group: str


@dataclass(frozen=True)
class Scale:
    """Workload sizes; ``full`` is what issue 4 specifies, ``small`` a quick end-to-end check."""

    narrow: tuple[int, int]
    wide: tuple[int, int]
    series_points: int
    overlay: tuple[int, int]
    table_runs: int
    repeat: int
    timeout_s: float


SCALES = {
    "full": Scale(
        narrow=(20_000, 10),
        wide=(2_000, 1_000),
        series_points=1_000_000,
        overlay=(100, 100_000),
        table_runs=10_000,
        repeat=3,
        timeout_s=900.0,
    ),
    "small": Scale(
        narrow=(2_000, 10),
        wide=(100, 1_000),
        series_points=100_000,
        overlay=(10, 10_000),
        table_runs=300,
        repeat=1,
        timeout_s=120.0,
    ),
}
TABLE_CONFIG_KEYS = 50
TABLE_SUMMARY_KEYS = 20

FIGURES = [
    Figure("import_s", "`import` time", "s", "lower", "import"),
    Figure("init_s", "`init` time", "s", "lower", "init"),
    Figure("narrow_log_us", "`log()` caller cost, {narrow}", "µs/call", "lower", "log"),
    Figure("narrow_finish_s", "`finish()` after {narrow}", "s", "lower", "log"),
    Figure("wide_log_us", "`log()` caller cost, {wide}", "µs/call", "lower", "log"),
    Figure("wide_finish_s", "`finish()` after {wide}", "s", "lower", "log"),
    Figure("peak_rss_mb", "peak RSS, training process ({narrow})", "MB", "lower", "log"),
    Figure("helper_rss_mb", "peak RSS, helper processes ({narrow})", "MB", "lower", "log"),
    Figure("narrow_ingest_pps", "durable ingest, first log → all stored ({narrow})", "points/s", "higher", "log"),
    Figure("wide_ingest_pps", "durable ingest, first log → all stored ({wide})", "points/s", "higher", "log"),
    Figure("bytes_per_point", "bytes on disk per stored point ({narrow})", "B", "lower", "log"),
    Figure("read_full_s", "read one {series}-point metric in full", "s", "lower", "series"),
    Figure("chart_s", "chart query of that metric at 1,000 px", "s", "lower", "series"),
    Figure("chart_points", "points the chart query returns", "points", "info", "series"),
    Figure("chart_spike", "chart shows the planted 1e6 spike", "", "info", "series"),
    Figure("overlay_s", "overlay query, {overlay} at 1,000 px", "s", "lower", "overlay"),
    Figure("table_s", "runs table, {table} runs × 50 config × 20 summary, sorted", "s", "lower", "table"),
]
GROUPS = ("import", "init", "log", "series", "overlay", "table")


def describe(figure: Figure, scale: Scale) -> str:
    """The figure's label with this scale's workload sizes filled in."""
    steps, keys = scale.narrow
    wide_steps, wide_keys = scale.wide
    runs, run_steps = scale.overlay
    return figure.label.format(
        narrow=f"{steps:,} steps × {keys} keys",
        wide=f"{wide_steps:,} steps × {wide_keys:,} keys",
        series=f"{scale.series_points:,}",
        overlay=f"{runs} runs × {run_steps:,} steps",
        table=f"{scale.table_runs:,}",
    )

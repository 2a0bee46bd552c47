"""The effective summary of a run, derived from three sources in order of precedence.

1. Explicit ``SummaryUpdate`` values (``run.summary["f1"] = ...``) always win.
2. A scalar key matching a ``define_metric`` glob with summary modes (``"min,max"``,
   ``"best"`` with a goal, ...) gets a dict of those statistics, e.g. ``{"min": 0.1}``;
   mode ``"none"`` leaves the key out of the summary.
3. Otherwise the last logged value of each flattened key (media references included).

Keys deleted through ``SummaryUpdate.delete`` stay hidden until logged again.
``_timestamp`` and ``_runtime`` are not part of the summary (``RunInfo.runtime`` says it).
"""

from __future__ import annotations

import fnmatch
import math
from collections.abc import Mapping, Sequence
from typing import Any

from epochal.store.series.writer import KeyStats
from epochal.wire.api import MetricDefinition

SUMMARY_MODES = ("min", "max", "mean", "last", "best", "none")


def parse_modes(summary: str | None) -> list[str]:
    """``"min, max"`` -> ``["min", "max"]``; unknown modes are ignored (logged keys are never lost)."""
    if not summary:
        return []
    return [m for m in (part.strip().lower() for part in summary.split(",")) if m in SUMMARY_MODES]


def matching_definition(key: str, metrics: Sequence[MetricDefinition]) -> MetricDefinition | None:
    """The most recent definition with summary modes whose glob matches ``key``."""
    for metric in reversed(metrics):
        if metric.summary and fnmatch.fnmatchcase(key, metric.name):
            return metric
    return None


def effective_summary(
    history_last: Mapping[str, Any],
    explicit: Mapping[str, Any],
    deleted: set[str],
    metrics: Sequence[MetricDefinition],
    stats: Mapping[str, KeyStats],
) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    for key, last in history_last.items():
        if key in deleted:
            continue
        metric = matching_definition(key, metrics) if metrics else None
        key_stats = stats.get(key)
        if metric is None or key_stats is None:
            summary[key] = last
            continue
        modes = parse_modes(metric.summary)
        if "none" in modes:
            continue
        summary[key] = {mode: _statistic(mode, key_stats, last, metric.goal) for mode in modes} if modes else last
    summary.update(explicit)
    return summary


def _statistic(mode: str, key_stats: KeyStats, last: Any, goal: str | None) -> Any:
    s = key_stats.stats
    if mode == "best":
        mode = "max" if (goal or "").lower() in ("max", "maximize") else "min"
    if mode == "last":
        return last
    if mode == "mean":
        return s.vsum / s.count if s.count else math.nan
    value = s.vmin if mode == "min" else s.vmax
    if key_stats.kind == "i" and not math.isnan(value):
        return int(value)
    return value

"""The results table: printed to the terminal and written as ``bench/results/latest.md``."""

from __future__ import annotations

import datetime as dt
import os
import platform
from pathlib import Path

from bench.figures import FIGURES, Figure, Scale, describe
from bench.results import Cell, Results
from bench.tools import ANCHORS

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def format_value(value: float | bool | None, unit: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "**no**"
    if unit in {"points/s", "points"}:
        return f"{value:,.0f}"
    if unit == "s":
        return f"{value:.4f}" if value < 0.01 else f"{value:.3f}" if value < 10 else f"{value:.1f}"
    if unit == "µs/call":
        return f"{value:.2f}" if value < 100 else f"{value:,.0f}"
    return f"{value:.1f}" if value < 1000 else f"{value:,.0f}"


def format_cell(cell: Cell, unit: str) -> str:
    text = format_value(cell.median(), unit)
    if cell.note and not text:
        return cell.note
    if cell.note:
        return f"{text} ({cell.note})"
    return text or "—"


def machine_info() -> list[str]:
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        total_kib = int(meminfo.read_text().split()[1])
        memory = f", {total_kib / 1024 / 1024:.0f} GiB RAM"
    return [
        f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} logical CPUs{memory}",
        f"Python {platform.python_version()}",
    ]


def render(
    results: Results,
    *,
    scale_name: str,
    scale: Scale,
    repeat: int,
    tools: tuple[str, ...],
    versions: dict[str, str],
    groups: tuple[str, ...],
    command: str,
    notes: tuple[str, ...] = (),
) -> str:
    """The markdown report: header (date, machine, versions, method) and one table."""
    shown = [t for t in tools if any(results.cells.get((f.key, t)) for f in FIGURES)]
    anchors = tuple(t for t in ANCHORS if t in shown)
    lines = [
        "# Epochal benchmark results",
        "",
        f"- date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- command: `{command}`",
        *[f"- {note}" for note in notes],
        f"- scale: {scale_name}; each figure is the median of {repeat} fresh process(es)",
        *[f"- machine: {line}" for line in machine_info()],
        "- versions: " + ", ".join(f"{k} {v}" for k, v in sorted(versions.items())),
        "- ratio = Epochal / best anchor as a cost (for points/s: best anchor / Epochal), so "
        "**lower is better** and 0.10× means Epochal costs a tenth of the best anchor.",
        "",
        "| figure | unit | " + " | ".join(shown) + " | best anchor | Epochal ratio |",
        "|---|---|" + "---|" * len(shown) + "---|---|",
    ]
    for figure in FIGURES:
        if figure.group not in groups:
            continue
        cells = [format_cell(results.cell(figure.key, t), figure.unit) for t in shown]
        lines.append(
            f"| {describe(figure, scale)} | {figure.unit} | "
            + " | ".join(cells)
            + f" | {_best(results, figure, anchors)} | {_ratio(results, figure, anchors)} |"
        )
    return "\n".join(lines) + "\n"


def _best(results: Results, figure: Figure, anchors: tuple[str, ...]) -> str:
    best = results.best_anchor(figure, anchors)
    return best[0] if best else ""


def _ratio(results: Results, figure: Figure, anchors: tuple[str, ...]) -> str:
    ratio = results.ratio(figure, "epochal", anchors)
    if ratio is None:
        return ""
    return f"{ratio:.2f}× best anchor" if ratio >= 0.01 else f"{ratio:.4f}× best anchor"


def write(markdown: str, name: str = "latest.md") -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / name
    path.write_text(markdown)
    return path

"""Samples per (figure, tool), or the reason a cell has none; medians and ratios."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from bench.figures import Figure

Sample = float | bool


@dataclass
class Cell:
    samples: list[Sample] = field(default_factory=list)
    note: str | None = None
    """Why there is no number (n/a, timeout, failure); kept even when some samples exist."""

    def median(self) -> Sample | None:
        if not self.samples:
            return None
        if all(isinstance(s, bool) for s in self.samples):
            return all(self.samples)
        return float(statistics.median(float(s) for s in self.samples))


class Results:
    def __init__(self) -> None:
        self.cells: dict[tuple[str, str], Cell] = {}

    def cell(self, figure: str, tool: str) -> Cell:
        return self.cells.setdefault((figure, tool), Cell())

    def add(self, figure: str, tool: str, value: Sample) -> None:
        self.cell(figure, tool).samples.append(value)

    def note(self, figure: str, tool: str, why: str) -> None:
        cell = self.cell(figure, tool)
        if cell.note is None:
            cell.note = why

    def best_anchor(self, figure: Figure, anchors: tuple[str, ...]) -> tuple[str, float] | None:
        """The anchor with the best median for a lower/higher-is-better figure."""
        if figure.better == "info":
            return None
        found: list[tuple[str, float]] = []
        for tool in anchors:
            value = self.cell(figure.key, tool).median()
            if isinstance(value, float):
                found.append((tool, value))
        if not found:
            return None
        pick = min if figure.better == "lower" else max
        return pick(found, key=lambda item: item[1])

    def ratio(self, figure: Figure, tool: str, anchors: tuple[str, ...]) -> float | None:
        """``tool`` relative to the best anchor as a cost: below 1 means ``tool`` is better.

        For lower-is-better figures this is tool / best; for throughput (higher is better) it is
        best / tool, i.e. the ratio of time per point, so lower stays better throughout.
        """
        best = self.best_anchor(figure, anchors)
        value = self.cell(figure.key, tool).median()
        if best is None or not isinstance(value, float) or value == 0 or best[1] == 0:
            return None
        return value / best[1] if figure.better == "lower" else best[1] / value

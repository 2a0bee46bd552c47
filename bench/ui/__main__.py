"""``python -m bench.ui [--scale full|small]``: fill a server, measure the web UI in Chromium.

Writes ``bench/results/ui-latest.md`` and prints the same table. Needs the built web UI
(``cd web && npm run build``) and Debian's ``chromium``.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.ui.browser import chromium, first_charts_ms, table_sort_ms, zoom_ms
from bench.ui.fill import CURVES_PROJECT, ENTITY, SCALES, TABLE_PROJECT, Scale, fill

RESULTS = Path(__file__).resolve().parents[1] / "results" / "ui-latest.md"
TARGETS_MS: dict[str, float | None] = {
    "first charts painted": 1500.0,
    "zoom redraw": 100.0,
    "zoom, exact data painted": None,  # issue 5 sets no target; shown to say what the server costs
    "sort 5,000-run table": 200.0,
}
MAX_CHART_RUNS = 100
"""The workspace draws at most this many runs per chart (WorkspacePage.tsx)."""


SERVER = (sys.executable, "-m", "epochal", "server", "--host", "127.0.0.1")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(data_dir: Path, port: int, log_path: Path) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [*SERVER, "--port", str(port), "--data-dir", str(data_dir)],
        stdout=log_path.open("ab"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}; see {log_path}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"the server did not answer within 60 s; see {log_path}")


def render(scale_name: str, scale: Scale, figures: dict[str, list[float]], notes: dict[str, str]) -> str:
    lines = [
        "# Web UI benchmark",
        "",
        f"`python -m bench.ui --scale {scale_name}`: {scale.runs} runs × {scale.keys} keys × {scale.steps:,} steps "
        f"in one project, {scale.table_runs:,} runs in another; Chromium at 1280×900, server and browser on "
        "this machine (SQLite store). Medians of the samples; milliseconds. The machine's load average "
        f"when measuring: {os.getloadavg()[0]:.1f} ({os.cpu_count()} CPUs).",
        "",
        "| measure | median | samples | target | verdict |",
        "|---|---:|---|---:|---|",
    ]
    for name, samples in figures.items():
        median = statistics.median(samples)
        target = TARGETS_MS[name]
        verdict = "" if target is None else "meets" if median < target else "misses"
        shown = ", ".join(f"{s:.0f}" for s in samples)
        wanted = "" if target is None else f"< {target:.0f}"
        lines.append(f"| {name} | {median:.0f} | {shown} | {wanted} | {verdict} |")
    lines += ["", *(f"- {key}: {value}" for key, value in notes.items()), ""]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ui", description=__doc__)
    parser.add_argument("--scale", choices=tuple(SCALES), default="full")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--data-dir", type=Path, help="keep the server data in this folder (filled when empty) to reuse it next time"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    scale = SCALES[args.scale]
    scratch = Path(tempfile.mkdtemp(prefix="epochal-bench-ui-"))
    data_dir = args.data_dir or scratch / "data"
    needs_fill = not data_dir.exists() or not any(data_dir.iterdir())
    port = free_port()
    server = start_server(data_dir, port, scratch / "server.log")
    url = f"http://127.0.0.1:{port}"
    notes: dict[str, str] = {"server log": str(scratch / "server.log")}
    try:
        if needs_fill:
            for name, seconds in fill(url, scale).items():
                notes[name] = f"{seconds:.1f}"
        lines = min(scale.runs, MAX_CHART_RUNS)
        figures: dict[str, list[float]] = {name: [] for name in TARGETS_MS}
        with chromium() as browser:
            for _ in range(args.repeat + 1):  # the first visit warms the server's caches; it is reported apart
                ms, charts = first_charts_ms(browser, f"{url}/{ENTITY}/{CURVES_PROJECT}", lines)
                figures["first charts painted"].append(ms)
            cold = figures["first charts painted"].pop(0)
            notes["first charts painted, first (cold) visit (ms)"] = f"{cold:.0f}"
            notes["charts in view"] = f"{charts}, each with {lines} runs"
            figures["zoom redraw"], figures["zoom, exact data painted"] = zoom_ms(
                browser, f"{url}/{ENTITY}/{CURVES_PROJECT}", lines, args.repeat
            )
            figures["sort 5,000-run table"] = table_sort_ms(
                browser, f"{url}/{ENTITY}/{TABLE_PROJECT}", scale.table_runs, "summary.acc", args.repeat
            )
        report = render(args.scale, scale, figures, notes)
    finally:
        server.terminate()
        server.wait(timeout=30)
        if args.data_dir is None:
            shutil.rmtree(data_dir, ignore_errors=True)  # ~750 MB at full scale; the log stays
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(report)
    sys.stdout.write(report + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

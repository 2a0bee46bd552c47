"""``python -m bench all|<group>...``: run the benchmark and write ``bench/results/latest.md``."""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

from bench.anchors import PINS, ensure_anchor_venv, installed_versions
from bench.figures import GROUPS, SCALES
from bench.measure import GROUP_RUNNERS, Context
from bench.report import RESULTS_DIR, render, write
from bench.results import Cell, Results
from bench.tools import TOOLS, Session, compile_epochal, epochal_missing


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "groups",
        nargs="+",
        choices=("all", *GROUPS, "ui"),
        help="what to measure; 'ui' is the browser benchmark of bench/ui (also part of 'all')",
    )
    parser.add_argument(
        "--scale",
        choices=tuple(SCALES),
        default="full",
        help="full: the sizes of issue 4; small: a quick check (default: full)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=None,
        help="fresh processes per measurement; the median is reported (default 3, small: 1)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=None,
        help="seconds before a measurement is abandoned (default 900, small: 120)",
    )
    parser.add_argument("--tools", default=",".join(TOOLS), help=f"comma-separated subset of {','.join(TOOLS)}")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder (stores, worker logs)")
    parser.add_argument(
        "--reuse",
        default="",
        help="comma-separated earlier results (NAME of bench/results/NAME.json) whose cells of tools not in --tools "
        "are shown too: re-measure Epochal without re-running anchors that take an hour",
    )
    parser.add_argument(
        "--out",
        default="latest",
        help="name of the results in bench/results/ (NAME.md, NAME.json), to keep runs of several subsets apart",
    )
    return parser.parse_args(argv)


def reuse_cells(results: Results, names: list[str], *, measured: tuple[str, ...]) -> set[str]:
    """Copy the cells of tools not measured now from earlier raw results; return those tools."""
    reused: set[str] = set()
    for name in names:
        raw = json.loads((RESULTS_DIR / f"{name}.json").read_text())["cells"]
        for key, cell in raw.items():
            figure, tool = key.split("|")
            if tool not in measured and (figure, tool) not in results.cells:
                results.cells[(figure, tool)] = Cell(samples=cell["samples"], note=cell["note"])
                reused.add(tool)
    return reused


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    scale = SCALES[args.scale]
    if args.groups == ["ui"]:
        from bench.ui.__main__ import main as ui_main

        return ui_main(["--scale", args.scale, "--repeat", str(args.repeat or scale.repeat)])
    groups = GROUPS if "all" in args.groups else tuple(g for g in GROUPS if g in args.groups)
    tools = tuple(t for t in TOOLS if t in args.tools.split(","))
    absent = [name for name in args.reuse.split(",") if name and not (RESULTS_DIR / f"{name}.json").is_file()]
    if absent:  # say so now, not after an hour of measuring
        raise SystemExit(f"--reuse: no bench/results/{absent[0]}.json (written by an earlier --out {absent[0]})")
    repeat = args.repeat or scale.repeat
    ensure_anchor_venv()
    compile_epochal()
    versions = installed_versions()
    missing = epochal_missing()
    versions["epochal"] = "n/a" if missing else "working tree"
    if missing:
        print(f"Epochal figures will be n/a: {missing}", flush=True)
    scratch = Path(tempfile.mkdtemp(prefix="epochal-bench-"))
    print(f"scale {args.scale}, {repeat} repetition(s), scratch {scratch}", flush=True)
    session = Session(scratch, args.timeout or scale.timeout_s)
    results = Results()
    ctx = Context(session=session, results=results, scale=scale, repeat=repeat, tools=tools, epochal_missing=missing)
    try:
        for group in groups:
            GROUP_RUNNERS[group](ctx)
    finally:
        session.close(keep=args.keep)
    reused = reuse_cells(results, [name for name in args.reuse.split(",") if name], measured=tools)
    tools = tuple(t for t in TOOLS if t in tools or t in reused)
    command = "python -m bench " + " ".join(shlex.quote(a) for a in (sys.argv[1:] if argv is None else argv))
    markdown = render(
        results,
        scale_name=args.scale,
        scale=scale,
        repeat=repeat,
        tools=tools,
        versions=versions,
        groups=groups,
        command=command,
        notes=(f"cells of {', '.join(sorted(reused))} reused from bench/results/{args.reuse}.md",) if reused else (),
    )
    print("\n" + markdown)
    path = write(markdown, f"{args.out}.md")
    raw = {f"{figure}|{tool}": asdict(cell) for (figure, tool), cell in results.cells.items()}
    (RESULTS_DIR / f"{args.out}.json").write_text(json.dumps({"pins": PINS, "cells": raw}, indent=1))
    print(f"written to {path}")
    if "all" in args.groups or "ui" in args.groups:
        from bench.ui.__main__ import main as ui_main

        return ui_main(["--scale", args.scale, "--repeat", str(repeat)])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

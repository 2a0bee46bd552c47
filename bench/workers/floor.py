"""The floor: what a ``log()`` that only appends the dict to a list costs in this harness."""

from __future__ import annotations

from bench.workers.common import emit, params, peak_rss_mb, time_log_loop


def main() -> None:
    name, args = params()
    if name != "train":
        raise SystemExit(f"floor measures only 'train', not {name!r}")
    kept: list[dict[str, float]] = []
    log_us, _ = time_log_loop(lambda row, _step: kept.append(row), args["steps"], args["keys"])
    emit({"log_us": log_us, "peak_rss_mb": peak_rss_mb()})


if __name__ == "__main__":
    main()

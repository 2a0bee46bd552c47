"""A training loop run as a separate process by the fault tests.

It logs ``{"i": i, "x": i / 2}`` at step ``i`` and appends ``i`` to a side file right after
each ``log()`` returns (fsynced every ``--fsync-every`` lines and at the end), so a test
knows exactly what the SDK accepted even when this process is killed. Milestones
(``started``, ``logged``) are side-file lines too, with ``time.time()`` stamps.

    python trainer_script.py SIDE_FILE --steps N [--rate R] [--stop-file F] [--go-file F] ...
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import epochal


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("side_file", type=Path)
    parser.add_argument("--project", default="fault")
    parser.add_argument("--steps", type=int, default=1000, help="rows to log (stops earlier at --stop-file)")
    parser.add_argument("--rate", type=float, default=0.0, help="rows per second; 0 = as fast as possible")
    parser.add_argument("--go-file", type=Path, help="log the first row, then wait for this file before the rest")
    parser.add_argument("--stop-file", type=Path, help="stop logging once this file exists")
    parser.add_argument("--finish-timeout", type=float, default=60.0)
    parser.add_argument("--poll-interval", type=float, default=0.25)
    parser.add_argument("--fsync-every", type=int, default=100)
    parser.add_argument("--group")
    args = parser.parse_args()

    run = epochal.init(
        project=args.project,
        group=args.group,
        settings={"finish_timeout": args.finish_timeout, "poll_interval": args.poll_interval, "quiet": True},
    )
    side = os.open(args.side_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    os.write(side, f"started {run.id} {run.run_folder}\n".encode())
    os.fsync(side)
    began = time.time()
    for i in range(args.steps):
        if i == 1 and args.go_file is not None:
            while not args.go_file.exists():
                time.sleep(0.02)
            began = time.time()
        if args.stop_file is not None and i % 50 == 0 and args.stop_file.exists():
            break
        run.log({"i": i, "x": i / 2})
        os.write(side, b"%d\n" % i)
        if i % args.fsync_every == 0:
            os.fsync(side)
        if args.rate:
            time.sleep(max(0.0, began + (i + 1) / args.rate - time.time()))
    os.write(side, f"logged {began} {time.time()}\n".encode())
    os.fsync(side)
    run.finish()
    os.write(side, f"finished {time.time()}\n".encode())
    os.fsync(side)
    os.close(side)


if __name__ == "__main__":
    main()

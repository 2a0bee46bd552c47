"""Epochal: the SDK online against ``epochal server`` on loopback, and the server's query API.

The SDK finds the server through ``EPOCHAL_BASE_URL`` (set by the harness). Fills for the
query figures go straight to the ingest route with wire records (``epochal.wire``), the same
frames the SDK ships, so filling 10,000 runs takes one POST per run instead of 10,000 processes.
Queries are timed on the client: request, transfer and JSON decode included.
"""

from __future__ import annotations

import os
import time
import uuid
from typing import Any

from bench.workers.common import (
    CONFIG,
    SPIKE_VALUE,
    peak_rss_mb,
    run_measurement,
    series_values,
    spike_step_for,
    time_log_loop,
)

RECORDS_PER_POST = 50_000
STORED_WAIT_S = 120.0


def main() -> None:
    run_measurement("epochal", globals())


def _base_url() -> str:
    return os.environ["EPOCHAL_BASE_URL"].rstrip("/")


def _client() -> Any:
    import httpx

    return httpx.Client(base_url=f"{_base_url()}/api/v1", timeout=600.0)


def _project_path(client: Any, project: str) -> str:
    entity = client.get("/viewer").raise_for_status().json()["entity"]
    return f"/projects/{entity}/{project}"


def _init(args: dict[str, Any]) -> dict[str, Any]:
    import epochal

    start = time.perf_counter()
    epochal.init(project="bench", config=CONFIG)
    init_s = time.perf_counter() - start
    epochal.finish()
    return {"init_s": init_s}


def _stored_points(client: Any, path: str, run_id: str) -> int:
    """Logged points stored for the run; ``_timestamp``/``_runtime`` are Epochal's own, not counted."""
    keys = client.get(f"{path}/runs/{run_id}/keys").raise_for_status().json()
    return sum(int(k["count"]) for k in keys if not k["key"].startswith("_"))


def _train(args: dict[str, Any]) -> dict[str, Any]:
    import epochal

    run = epochal.init(project="bench", config=CONFIG)
    steps, keys = args["steps"], args["keys"]
    points = steps * keys
    first_log = time.perf_counter()
    log_us, _ = time_log_loop(lambda row, _step: epochal.log(row), steps, keys)
    start = time.perf_counter()
    epochal.finish()
    end = time.perf_counter()
    finish_s = end - start
    peak_rss = peak_rss_mb()  # before the check below loads httpx into this process
    with _client() as client:
        path = _project_path(client, "bench")
        stored = _stored_points(client, path, run.id)
        acked_at_finish = stored == points
        deadline = time.monotonic() + STORED_WAIT_S
        while stored < points and time.monotonic() < deadline:
            time.sleep(0.02)
            stored = _stored_points(client, path, run.id)
        if not acked_at_finish:
            end = time.perf_counter()  # throughput counts until the server really has every point
    return {
        "log_us": log_us,
        "finish_s": finish_s,
        "end_to_end_s": end - first_log,
        "points": points,
        "stored_points": stored,
        "stored_when_finish_returned": acked_at_finish,
        "peak_rss_mb": peak_rss,
    }


class _Stream:
    """One ingest stream of one run: numbers its records and POSTs them as framed batches."""

    def __init__(self, client: Any, project: str, run_id: str) -> None:
        import msgspec

        self._client = client
        self._project = project
        self._run_id = run_id
        self._url = f"/projects/-/{project}/runs/{run_id}/streams/{uuid.uuid4().hex[:16]}"
        self._encode = msgspec.msgpack.Encoder().encode
        self._frames: list[bytes] = []
        self._seq = 0

    def next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def start(self, **fields: Any) -> None:
        from epochal.wire.records import RunStart

        self.add_record(
            RunStart(seq=self.next_seq(), t=time.time(), project=self._project, run_id=self._run_id, **fields)
        )

    def add_record(self, record: Any) -> None:
        from epochal.wire.framing import frame
        from epochal.wire.records import encode_record

        self._frames.append(frame(encode_record(record)))

    def add_history(self, step: int, row: dict[str, Any]) -> None:
        """The SDK's hot-path encoding: a plain tuple byte-identical to ``History``."""
        from epochal.wire.framing import frame
        from epochal.wire.records import HISTORY_KIND

        self._frames.append(frame(self._encode((HISTORY_KIND, self.next_seq(), time.time(), step, row))))
        if len(self._frames) >= RECORDS_PER_POST:
            self.flush()

    def finish(self) -> None:
        from epochal.wire.records import Finish

        self.add_record(Finish(seq=self.next_seq(), t=time.time()))
        self.flush()

    def flush(self) -> None:
        if not self._frames:
            return
        body = b"".join(self._frames)
        self._frames.clear()
        headers = {"Content-Type": "application/x-epochal-frames"}
        self._client.post(self._url, content=body, headers=headers).raise_for_status()


def _fill_run(client: Any, project: str, run_id: str, values: Any) -> None:
    stream = _Stream(client, project, run_id)
    stream.start(config=CONFIG)
    for step, value in enumerate(values.tolist()):
        stream.add_history(step, {"loss": value})
    stream.finish()


def _fill_series(args: dict[str, Any]) -> dict[str, Any]:
    points = args["points"]
    with _client() as client:
        _fill_run(client, "series", "run-0", series_values(points, spike_step_for(points)))
        stored = _stored_points(client, _project_path(client, "series"), "run-0")
    return {"run_id": "run-0", "stored_points": stored}


def _read_full(args: dict[str, Any]) -> dict[str, Any]:
    """Every point of the metric from the points route in msgpack (steps and values as two arrays)."""
    import msgspec

    decode = msgspec.msgpack.Decoder().decode
    with _client() as client:
        path = _project_path(client, "series")
        start = time.perf_counter()
        response = client.get(
            f"{path}/runs/run-0/points", params={"key": "loss"}, headers={"Accept": "application/msgpack"}
        ).raise_for_status()
        returned = len(decode(response.content)["values"])
        return {"seconds": time.perf_counter() - start, "returned": returned}


def _series(client: Any, path: str, run_ids: list[str]) -> list[dict[str, Any]]:
    response = client.get(f"{path}/series", params={"run": run_ids, "key": "loss", "width": 1000})
    lines: list[dict[str, Any]] = response.raise_for_status().json()["lines"]
    return lines


def _chart(args: dict[str, Any]) -> dict[str, Any]:
    with _client() as client:
        path = _project_path(client, "series")
        start = time.perf_counter()
        lines = _series(client, path, ["run-0"])
        seconds = time.perf_counter() - start
    maxima = [v for line in lines for v in line["max"] if isinstance(v, int | float)]
    return {
        "seconds": seconds,
        "returned": sum(len(line["steps"]) for line in lines),
        "spike": bool(maxima) and max(maxima) >= SPIKE_VALUE,
    }


def _fill_overlay(args: dict[str, Any]) -> dict[str, Any]:
    run_ids = [f"run-{index}" for index in range(args["runs"])]
    with _client() as client:
        for index, run_id in enumerate(run_ids):
            _fill_run(client, "overlay", run_id, series_values(args["steps"], -1, seed=index))
    return {"run_ids": run_ids}


def _overlay(args: dict[str, Any]) -> dict[str, Any]:
    with _client() as client:
        path = _project_path(client, "overlay")
        start = time.perf_counter()
        lines = _series(client, path, args["run_ids"])
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "returned": sum(len(line["steps"]) for line in lines), "lines": len(lines)}


def _fill_table(args: dict[str, Any]) -> dict[str, Any]:
    from epochal.wire.records import SummaryUpdate

    with _client() as client:
        for index in range(args["runs"]):
            stream = _Stream(client, "table", f"run-{index}")
            config = {f"c{k:02d}": (index * 31 + k) % 97 for k in range(args["config_keys"])}
            summary = {f"s{k:02d}": ((index * 7919 + k) % 10007) / 10007 for k in range(args["summary_keys"])}
            stream.start(config=config)
            stream.add_record(SummaryUpdate(seq=stream.next_seq(), t=time.time(), set=summary))
            stream.finish()
    return {"runs": args["runs"]}


def _table(args: dict[str, Any]) -> dict[str, Any]:
    with _client() as client:
        path = _project_path(client, "table")
        start = time.perf_counter()
        page = client.get(f"{path}/runs", params={"order": "-summary.s00", "limit": 10_000}).raise_for_status().json()
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "returned": len(page["runs"]), "total": page["total"]}


if __name__ == "__main__":
    main()

"""MLflow 3.17 with async logging, against a local SQLite store or a local ``mlflow server``.

``uri`` (a parameter) picks the mode: ``sqlite:///...`` talks to the store in-process,
``http://127.0.0.1:P`` goes through the REST server. Charts use what the MLflow UI uses: the
bulk-interval query (``max_results=320`` per run), via the store or the UI's ajax route.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from bench.workers.common import (
    CONFIG,
    SPIKE_VALUE,
    dir_size,
    peak_rss_mb,
    run_measurement,
    series_values,
    spike_step_for,
    time_log_loop,
)

UI_MAX_RESULTS = 320
FILL_CHUNK = 100_000


def main() -> None:
    run_measurement("mlflow", globals(), _set_tracking_uri)


def _set_tracking_uri(args: dict[str, Any]) -> None:
    import mlflow

    mlflow.set_tracking_uri(args["uri"])


def _init(args: dict[str, Any]) -> dict[str, Any]:
    import mlflow

    mlflow.set_experiment("bench")  # creates the store (migrations) outside the timing
    start = time.perf_counter()
    mlflow.start_run()
    mlflow.log_params(CONFIG)
    init_s = time.perf_counter() - start
    mlflow.end_run()
    return {"init_s": init_s}


def _train(args: dict[str, Any]) -> dict[str, Any]:
    import mlflow

    mlflow.set_experiment("bench")
    run = mlflow.start_run()
    mlflow.log_params(CONFIG)
    store = _sqlite_file(args["uri"])
    size_before = store.stat().st_size if store else 0
    steps, keys = args["steps"], args["keys"]
    first_log = time.perf_counter()
    log_us, _ = time_log_loop(lambda row, step: mlflow.log_metrics(row, step=step, synchronous=False), steps, keys)
    start = time.perf_counter()
    mlflow.end_run()
    end = time.perf_counter()
    stored = len(mlflow.MlflowClient().get_metric_history(run.info.run_id, "metric_0000")) * keys
    return {
        "log_us": log_us,
        "finish_s": end - start,
        "end_to_end_s": end - first_log,
        "points": steps * keys,
        "stored_points": stored,
        "store_bytes": (store.stat().st_size - size_before) if store else None,
        "peak_rss_mb": peak_rss_mb(),
    }


def _sqlite_file(uri: str) -> Path | None:
    return Path(uri.removeprefix("sqlite:///")) if uri.startswith("sqlite:///") else None


def _insert_series(client: Any, run_id: str, key: str, values: Any) -> None:
    """Write the rows ``log_batch`` would write, straight into MLflow's SQLite tables.

    Only for fills (never timed): ``log_batch`` takes ~7 minutes per million points here, which
    would make the 100-run overlay fill take hours. The stored rows are the same.
    """
    import sqlalchemy as sa
    from mlflow.store.tracking.dbmodels.models import SqlLatestMetric, SqlMetric

    now = int(time.time() * 1000)
    rows = [
        {"key": key, "value": v, "timestamp": now, "step": step, "is_nan": False, "run_uuid": run_id}
        for step, v in enumerate(values.tolist())
    ]
    engine = client._tracking_client.store.engine
    with engine.begin() as conn:
        for offset in range(0, len(rows), FILL_CHUNK):
            conn.execute(sa.insert(SqlMetric.__table__), rows[offset : offset + FILL_CHUNK])
        conn.execute(sa.insert(SqlLatestMetric.__table__), [rows[-1]])


def _fill_series(args: dict[str, Any]) -> dict[str, Any]:
    import mlflow

    client = mlflow.MlflowClient()
    experiment = client.create_experiment("series")
    run_id = client.create_run(experiment).info.run_id
    points = args["points"]
    _insert_series(client, run_id, "loss", series_values(points, spike_step_for(points)))
    client.set_terminated(run_id)
    store = _sqlite_file(args["uri"])
    return {"run_id": run_id, "store_bytes": dir_size(store.parent) if store else None}


def _read_full(args: dict[str, Any]) -> dict[str, Any]:
    import mlflow

    client = mlflow.MlflowClient()
    start = time.perf_counter()
    history = client.get_metric_history(args["run_id"], "loss")
    return {"seconds": time.perf_counter() - start, "returned": len(history)}


def _bulk_interval(args: dict[str, Any], run_ids: list[str]) -> list[tuple[int, float]]:
    """The UI's chart query: via the REST route for a server, via the store for SQLite."""
    uri: str = args["uri"]
    if uri.startswith("http"):
        import requests

        response = requests.get(
            f"{uri}/ajax-api/2.0/mlflow/metrics/get-history-bulk-interval",
            params={"run_ids": run_ids, "metric_key": "loss", "max_results": UI_MAX_RESULTS},
            timeout=3600,
        )
        response.raise_for_status()
        return [(int(m.get("step", 0)), float(m["value"])) for m in response.json().get("metrics", [])]
    import mlflow

    store = mlflow.MlflowClient()._tracking_client.store
    metrics = store.get_metric_history_bulk_interval(
        run_ids=run_ids,
        metric_key="loss",
        max_results=UI_MAX_RESULTS,
        start_step=None,
        end_step=None,
    )
    return [(m.step, m.value) for m in metrics]


def _chart(args: dict[str, Any]) -> dict[str, Any]:
    start = time.perf_counter()
    points = _bulk_interval(args, [args["run_id"]])
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "returned": len(points), "spike": any(v >= SPIKE_VALUE for _, v in points)}


def _fill_overlay(args: dict[str, Any]) -> dict[str, Any]:
    import mlflow

    client = mlflow.MlflowClient()
    experiment = client.create_experiment("overlay")
    run_ids = []
    for index in range(args["runs"]):
        run_id = client.create_run(experiment).info.run_id
        _insert_series(client, run_id, "loss", series_values(args["steps"], -1, seed=index))
        client.set_terminated(run_id)
        run_ids.append(run_id)
    return {"run_ids": run_ids}


def _overlay(args: dict[str, Any]) -> dict[str, Any]:
    start = time.perf_counter()
    points = _bulk_interval(args, args["run_ids"])
    return {"seconds": time.perf_counter() - start, "returned": len(points)}


def _fill_table(args: dict[str, Any]) -> dict[str, Any]:
    import mlflow
    from mlflow.entities import Metric, Param

    client = mlflow.MlflowClient()
    experiment = client.create_experiment("table")
    now = int(time.time() * 1000)
    for index in range(args["runs"]):
        run_id = client.create_run(experiment).info.run_id
        config = [Param(f"c{k:02d}", str((index * 31 + k) % 97)) for k in range(args["config_keys"])]
        summary = [
            Metric(f"s{k:02d}", ((index * 7919 + k) % 10007) / 10007, now, 0) for k in range(args["summary_keys"])
        ]
        client.log_batch(run_id, metrics=summary, params=config)
        client.set_terminated(run_id)
    return {"experiment_id": experiment}


def _table(args: dict[str, Any]) -> dict[str, Any]:
    import mlflow

    client = mlflow.MlflowClient()
    start = time.perf_counter()
    rows: list[Any] = []
    token = None
    while True:
        page = client.search_runs(
            [args["experiment_id"]], order_by=["metrics.s00 DESC"], max_results=1000, page_token=token
        )
        rows.extend(page)
        token = page.token
        if not token:
            break
    return {"seconds": time.perf_counter() - start, "returned": len(rows)}


if __name__ == "__main__":
    main()

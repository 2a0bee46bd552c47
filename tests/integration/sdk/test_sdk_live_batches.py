"""A live run's log is sent from its writer's notes (no frame walk): batches cut at record
boundaries, blobs uploaded before the records naming them, a lost blob replaced, all of it once."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from tests.conftest import LiveServer

import epochal
from epochal.sdk import log_map, uploader
from epochal.sdk.http_client import Body
from epochal.sdk.transport import RunTransport

BATCH = 64 * 1024


@pytest.fixture
def sent_bodies(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Small batches and frequent cut notes; the size of every ingest body the run sends is noted."""
    monkeypatch.setattr(uploader, "LIVE_BATCH_BYTES", BATCH)
    monkeypatch.setattr(log_map, "RELEASE_BYTES", 16 * 1024)
    sizes: list[int] = []
    post_frames = RunTransport.post_frames

    def noting_post_frames(self: RunTransport, stream_id: str, body: Body) -> int:
        sizes.append(len(body))  # type: ignore[arg-type]  # bytes or a FileSpan: both sized
        return post_frames(self, stream_id, body)

    monkeypatch.setattr(RunTransport, "post_frames", noting_post_frames)
    return sizes


def test_a_backlog_larger_than_a_batch_is_cut_at_record_boundaries_and_arrives_once(
    sdk_env: Path, live_server: LiveServer, sent_bodies: list[int]
) -> None:
    run = epochal.init(project="p", settings=epochal.Settings(poll_interval=60.0, finish_timeout=60.0))
    rows = [{"loss": 1.0 / (step + 1), "acc": step / 5000, "lr": 0.1} for step in range(5000)]
    for row in rows:
        epochal.log(row)
    run.finish()
    stored = epochal.Api(base_url=live_server.url).run(f"{run.entity}/p/{run.id}")
    history = list(stored.scan_history())
    assert [(r["_step"], r["loss"], r["acc"], r["lr"]) for r in history] == [
        (step, row["loss"], row["acc"], row["lr"]) for step, row in enumerate(rows)
    ]
    assert run.run_folder is not None
    log_bytes = (run.run_folder / "run.epochal").stat().st_size
    assert len(sent_bodies) > log_bytes // BATCH > 1
    assert max(sent_bodies) <= BATCH and sum(sent_bodies) == log_bytes  # every byte once, no batch over the limit


def test_blobs_in_a_live_backlog_go_first_and_a_lost_one_is_replaced_without_blocking_the_rest(
    sdk_env: Path, live_server: LiveServer, sent_bodies: list[int]
) -> None:
    run = epochal.init(project="p", settings=epochal.Settings(poll_interval=60.0, finish_timeout=60.0))
    image = epochal.Image(np.full((8, 8, 3), 200, dtype=np.uint8))
    (sdk_env / "kept.txt").write_text("kept")
    (sdk_env / "lost.txt").write_text("lost")
    for step in range(3000):
        epochal.log({"loss": step / 3000})
        if step == 1000:
            epochal.log({"sample": image}, commit=False)
            run.save("kept.txt", policy="now")
            run.save("lost.txt", policy="now")
            (Path(run.dir) / "lost.txt").unlink()  # gone before the shipper gets to it
    run.finish()
    stored = epochal.Api(base_url=live_server.url).run(f"{run.entity}/p/{run.id}")
    history = list(stored.scan_history())
    assert [r["loss"] for r in history] == [step / 3000 for step in range(3000)]
    assert history[1001]["sample"]["sha256"] == image.sha256  # merged into the next committed row
    assert [f.name for f in stored.files()] == ["kept.txt"]
    assert run.run_folder is not None
    (refusal,) = [json.loads(line) for line in (run.run_folder / "refused.jsonl").read_text().splitlines()]
    assert refusal["code"] == "blob_missing_locally" and "lost.txt" in refusal["reason"]

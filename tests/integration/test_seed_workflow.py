"""The user story end to end: the seed's script in a real process against a real server."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image as PILImage
from tests.conftest import LiveServer

import epochal

SCRIPT = Path(__file__).with_name("seed_script.py")


@pytest.mark.slow
def test_seed_script_runs_verbatim_and_everything_reads_back(live_server: LiveServer, tmp_path: Path) -> None:
    expected_path = tmp_path / "expected.json"
    env = {**os.environ, "EPOCHAL_BASE_URL": live_server.url}
    env.pop("EPOCHAL_MODE", None)
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(expected_path)],
        check=False,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr
    expected = json.loads(expected_path.read_text())

    api = epochal.Api(base_url=live_server.url)
    for run_expected in expected["runs"]:
        run = api.run(f"{run_expected['entity']}/seed-project/{run_expected['id']}")
        assert run.state == "finished"
        assert run.config == run_expected["config"]
        assert run.summary["accuracy"] == run_expected["accuracy"]
        assert run.summary["f1"] == run_expected["f1"]
        assert run.summary["val acc"] == run_expected["rows"][-1]["val acc"]

        history = list(run.scan_history())
        scalar_rows = [{k: row[k] for k in ("train loss", "train acc", "val loss", "val acc")} for row in history[:5]]
        assert scalar_rows == run_expected["rows"]
        assert [row["_step"] for row in history] == list(range(7))

        images = history[5]["val\\test misprediction"]
        assert len(images) == 3
        for ref, pixels in zip(images, run_expected["images"], strict=True):
            png = run.media(ref)
            decoded = np.asarray(PILImage.open(io.BytesIO(png)))
            assert decoded.shape == (8, 8)
            assert np.array_equal(decoded, np.round(np.asarray(pixels[0]) * 255).astype(np.uint8))

        files = {f.name: f for f in run.files()}
        assert "model.h5" in files
        downloaded = files["model.h5"].download(root=str(tmp_path / run_expected["id"]))
        assert Path(downloaded).read_bytes() == bytes.fromhex(run_expected["model"])

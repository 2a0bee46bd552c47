"""The SDK against a real server process: the seed workflow, read back through ``Api()``."""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import httpx
import pytest
import torch
from sklearn.datasets import load_digits
from tests.conftest import LiveServer

import epochal as wandb


def test_seed_workflow_reads_back_exactly(sdk_env: Path, live_server: LiveServer) -> None:
    digits = load_digits()
    x = torch.tensor(digits.data[:200], dtype=torch.float32) / 16.0
    y = torch.tensor(digits.target[:200])
    torch.manual_seed(0)
    my_model = torch.nn.Sequential(torch.nn.Linear(64, 16), torch.nn.ReLU(), torch.nn.Linear(16, 10))
    run = wandb.init(project="seed", config={
        "learning_rate": 1e-2, "net": "MLP", "params": sum(p.numel() for p in my_model.parameters()),
    })  # fmt: skip
    optimizer = torch.optim.Adam(my_model.parameters(), lr=1e-2)
    logged = []
    for _ in range(4):
        loss = torch.nn.functional.cross_entropy(my_model(x), y)
        optimizer.zero_grad()
        loss.backward()  # type: ignore[no-untyped-call]
        optimizer.step()
        row = {"train loss": loss.item(), "odd": math.nan, "nested": {"acc": 0.5}}
        wandb.log(row)
        logged.append(row)
    images = [wandb.Image(x[i].reshape(1, 8, 8)) for i in range(2)]
    wandb.log({"val\\test misprediction": images})
    torch.save(my_model.state_dict(), "model.h5")
    wandb.save("model.h5")
    wandb.run.summary["f1"] = 0.25  # type: ignore[union-attr]
    wandb.sdk.wandb_run.finish()
    assert wandb.run is None

    api = wandb.Api(base_url=live_server.url)
    stored = api.run(f"{run.entity}/seed/{run.id}")
    assert stored.state == "finished" and stored.name == run.name
    assert stored.config["learning_rate"] == 1e-2 and stored.config["net"] == "MLP"
    assert stored.summary["f1"] == 0.25 and stored.summary["train loss"] == logged[-1]["train loss"]
    rows = list(stored.scan_history())
    assert [r["_step"] for r in rows] == [0, 1, 2, 3, 4]
    for got, sent in zip(rows, logged, strict=False):
        assert got["train loss"] == sent["train loss"] and math.isnan(got["odd"]) and got["nested.acc"] == 0.5
    refs = rows[4]["val\\test misprediction"]
    assert [ref["sha256"] for ref in refs] == [image.sha256 for image in images]
    blob = httpx.get(f"{live_server.url}/api/v1/projects/{run.entity}/seed/runs/{run.id}/blobs/{images[0].sha256}")
    assert blob.content == images[0].png
    (model_file,) = stored.files()
    target = model_file.download(root=sdk_env / "download")
    assert target.read_bytes() == (sdk_env / "model.h5").read_bytes()
    assert model_file.sha256 == hashlib.sha256(target.read_bytes()).hexdigest()
    with pytest.raises(wandb.UsageError, match="replace=True"):
        model_file.download(root=sdk_env / "download")
    matching = api.runs(f"{run.entity}/seed", filters={"config.learning_rate": {"$lt": 0.1}, "state": "finished"})
    assert [r.id for r in matching] == [run.id]
    assert api.runs(f"{run.entity}/seed", filters={"config.learning_rate": {"$gt": 0.1}}) == []


def test_second_init_finishes_the_first_on_the_server(sdk_env: Path, live_server: LiveServer) -> None:
    first = wandb.init(project="twice")
    first.log({"a": 1})
    second = wandb.init(project="twice")
    second.log({"a": 2})
    wandb.finish()
    api = wandb.Api(base_url=live_server.url)
    states = {r.id: r.state for r in api.runs(f"{first.entity}/twice")}
    assert states == {first.id: "finished", second.id: "finished"}


def test_resume_continues_steps_and_config(sdk_env: Path, live_server: LiveServer) -> None:
    run = wandb.init(project="resume", id="resumeme", config={"lr": 1})
    run.log({"a": 1})
    run.log({"a": 2})
    run.finish()
    with pytest.raises(wandb.UsageError, match="already exists"):
        wandb.init(project="resume", id="resumeme")
    with pytest.raises(wandb.UsageError, match="does not exist"):
        wandb.init(project="resume", id="unknownid", resume="must")
    again = wandb.init(project="resume", id="resumeme", resume="allow")
    assert again.step == 2 and again.config["lr"] == 1 and again.summary["a"] == 2
    again.log({"a": 3})
    again.finish()
    stored = wandb.Api(base_url=live_server.url).run(f"{run.entity}/resume/resumeme")
    assert [(r["_step"], r["a"]) for r in stored.scan_history()] == [(0, 1), (1, 2), (2, 3)]

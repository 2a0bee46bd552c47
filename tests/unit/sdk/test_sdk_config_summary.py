"""``config`` and ``summary``: wandb's access styles, the locking rule, and the records they write."""

from __future__ import annotations

import argparse
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

import epochal
from epochal.sdk import last_logged
from epochal.wire.records import ConfigUpdate, Record, RunStart, SummaryUpdate

ReadLog = Callable[[epochal.Run], list[Record]]


def test_config_access_styles_and_records(sdk_offline: Path, read_log: ReadLog) -> None:
    run = epochal.init(project="cfg", config={"lr": 1e-3, "net": {"layers": 3}})
    assert epochal.config is run.config
    assert run.config.lr == 1e-3 and run.config["net"]["layers"] == 3 and "lr" in run.config
    run.config.batch = 32
    run.config.update(argparse.Namespace(epochs=5, lr=1e-3))  # same value: not a change
    run.config.setdefaults({"epochs": 99, "seed": 1})
    run.config.update({"lr": 0.1}, allow_val_change=True)
    assert run.config.as_dict() == {"lr": 0.1, "net": {"layers": 3}, "batch": 32, "epochs": 5, "seed": 1}
    run.finish()
    records = read_log(run)
    start = records[0]
    assert isinstance(start, RunStart) and start.config == {"lr": 1e-3, "net": {"layers": 3}}
    updates = [r.values for r in records if isinstance(r, ConfigUpdate)]
    assert updates == [{"batch": 32}, {"epochs": 5}, {"seed": 1}, {"lr": 0.1}]


def test_config_refuses_to_change_a_key_silently(sdk_offline: Path) -> None:
    run = epochal.init(project="cfg", config={"lr": 1e-3})
    with pytest.raises(epochal.UsageError, match=r"config key 'lr'.*allow_val_change"):
        run.config.lr = 0.5
    with pytest.raises(epochal.UsageError, match="'lr'"):
        run.config.update({"lr": 0.5, "other": 1})
    assert run.config.as_dict() == {"lr": 1e-3}
    with pytest.raises(TypeError, match="config must be a dict"):
        epochal.init(project="cfg", config=[1, 2])  # type: ignore[arg-type]


def test_config_with_unencodable_value_changes_nothing(sdk_offline: Path) -> None:
    run = epochal.init(project="cfg")
    with pytest.raises(TypeError, match="config"):
        run.config.update({"bad": object()})
    assert "bad" not in run.config


def test_summary_reads_last_values_and_explicit_sets(sdk_offline: Path, read_log: ReadLog) -> None:
    run = epochal.init(project="sum")
    run.log({"loss": 2.0, "acc": 0.1})
    run.log({"loss": 1.0})
    assert run.summary["loss"] == 1.0 and run.summary.get("acc") == 0.1
    assert run.summary.get("missing", "dflt") == "dflt" and "missing" not in run.summary
    epochal.run.summary["f1"] = 0.75  # type: ignore[union-attr]
    run.summary.update({"accuracy": 0.9, "loss": 0.5})
    assert run.summary["loss"] == 0.5
    del run.summary["acc"]
    assert "acc" not in run.summary
    with pytest.raises(KeyError):
        del run.summary["acc"]
    assert dict(run.summary.items()) == {"loss": 0.5, "f1": 0.75, "accuracy": 0.9}
    run.finish()
    updates = [(r.set, r.delete) for r in read_log(run) if isinstance(r, SummaryUpdate)]
    assert updates == [({"f1": 0.75}, []), ({"accuracy": 0.9, "loss": 0.5}, []), ({}, ["acc"])]


def test_summary_reads_the_last_values_back_from_the_log_however_it_is_read(
    sdk_offline: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """log() leaves the summary to be read from the log: each read folds the rows since the last
    one, across read chunks and frames bigger than a chunk, and before and after finish."""
    monkeypatch.setattr(last_logged, "READ_CHUNK_BYTES", 4096)
    run = epochal.init(project="sum")
    for step in range(300):
        run.log({"loss": 1.0 / (step + 1), "square": step * step})
    assert run.summary["loss"] == 1.0 / 300 and run.summary["square"] == 299 * 299
    run.log({"text": "x" * 20_000, "np": np.float32(0.5)})  # one frame of five chunks
    run.log({"loss": 0.001}, commit=False)
    assert run.summary["loss"] == 1.0 / 300  # not committed yet
    run.log({"acc": 0.5}, step=400)  # commits the pending row, then starts step 400
    image = epochal.Image(np.zeros((4, 4, 3), dtype=np.uint8))
    run.log({"sample": image}, step=401)
    run.finish()
    assert run.summary["loss"] == 0.001 and run.summary["text"] == "x" * 20_000
    assert run.summary["np"] == 0.5 and type(run.summary["np"]) is float
    assert run.summary["acc"] == 0.5
    assert run.summary["sample"]["_type"] == "image-file" and run.summary["sample"]["sha256"] == image.sha256
    assert run.run_folder is not None
    shutil.rmtree(run.run_folder)  # what was read stays readable
    assert run.summary["loss"] == 0.001


def test_a_deleted_summary_key_comes_back_only_with_a_newer_row(sdk_offline: Path) -> None:
    run = epochal.init(project="sum")
    run.log({"a": 1.0, "b": 1.0})
    run.log({"a": 2.0})
    del run.summary["a"]
    run.log({"b": 3.0})
    assert "a" not in run.summary and run.summary["b"] == 3.0
    run.log({"a": 4.0})
    assert run.summary["a"] == 4.0
    run.finish()


def test_define_metric_validates_and_records(sdk_offline: Path) -> None:
    run = epochal.init(project="sum")
    metric = epochal.define_metric("val/*", step_metric="epoch", summary="max", goal="maximize")
    assert metric.name == "val/*" and metric.summary == "max"
    with pytest.raises(epochal.UsageError, match="goal"):
        run.define_metric("x", goal="up")
    with pytest.raises(epochal.UsageError, match="summary"):
        run.define_metric("x", summary="median")

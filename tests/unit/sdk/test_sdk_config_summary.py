"""``config`` and ``summary``: wandb's access styles, the locking rule, and the records they write."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import pytest

import epochal
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


def test_define_metric_validates_and_records(sdk_offline: Path) -> None:
    run = epochal.init(project="sum")
    metric = epochal.define_metric("val/*", step_metric="epoch", summary="max", goal="maximize")
    assert metric.name == "val/*" and metric.summary == "max"
    with pytest.raises(epochal.UsageError, match="goal"):
        run.define_metric("x", goal="up")
    with pytest.raises(epochal.UsageError, match="summary"):
        run.define_metric("x", summary="median")

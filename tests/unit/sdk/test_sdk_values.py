"""How logged values are encoded: exact floats, numpy/torch scalars, clear errors, a readable log."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import torch

import epochal
from epochal.wire.records import History, Record

ReadLog = Callable[[epochal.Run], list[Record]]


def rows(records: list[Record]) -> list[dict[str, object]]:
    return [r.row for r in records if isinstance(r, History)]


def test_nan_and_infinities_are_kept_exactly(sdk_offline: Path, read_log: ReadLog) -> None:
    run = epochal.init(project="values")
    tiny = 5e-324
    run.log({"nan": math.nan, "inf": math.inf, "ninf": -math.inf, "tiny": tiny, "third": 1 / 3})
    run.finish()
    (row,) = rows(read_log(run))
    assert math.isnan(row["nan"])  # type: ignore[arg-type]
    assert row["inf"] == math.inf and row["ninf"] == -math.inf
    assert row["tiny"] == tiny and row["third"] == 1 / 3


def test_numpy_and_torch_scalars_become_numbers(sdk_offline: Path, read_log: ReadLog) -> None:
    run = epochal.init(project="values")
    run.log({
        "f32": np.float32(0.5), "i64": np.int64(7), "b": np.bool_(True), "arr1": np.array([2.5]),
        "t0": torch.tensor(1.25), "t1": torch.tensor([3]), "grad": torch.tensor(2.0, requires_grad=True) * 2,
        "nested": {"x": np.float64(1.5)},
    })  # fmt: skip
    run.finish()
    (row,) = rows(read_log(run))
    assert row == {"f32": 0.5, "i64": 7, "b": True, "arr1": 2.5, "t0": 1.25, "t1": 3, "grad": 4.0,
                   "nested": {"x": 1.5}}  # fmt: skip
    assert type(row["i64"]) is int and type(row["b"]) is bool


def test_unserialisable_values_are_named_and_the_log_stays_readable(sdk_offline: Path, read_log: ReadLog) -> None:
    run = epochal.init(project="values")
    run.log({"before": 1})
    with pytest.raises(TypeError, match=r"'weird'.*builtins.object"):
        run.log({"fine": 1.0, "weird": object()})
    with pytest.raises(TypeError, match=r"'vector'.*shape \(3,\)"):
        run.log({"vector": np.zeros(3)})
    run.log({"after": 2})
    run.finish()
    assert rows(read_log(run)) == [{"before": 1}, {"after": 2}]  # strict read: no torn or partial frame
    assert run.step == 2


def test_non_dict_rows_are_refused(sdk_offline: Path) -> None:
    run = epochal.init(project="values")
    with pytest.raises(TypeError, match="dict"):
        run.log([("a", 1)])  # type: ignore[arg-type]

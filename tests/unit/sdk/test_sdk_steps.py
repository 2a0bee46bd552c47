"""wandb's step rules, checked in the run's local log."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import epochal
from epochal.wire import limits
from epochal.wire.records import History, Record, RowsRejected

ReadLog = Callable[[epochal.Run], list[Record]]


def history(records: list[Record]) -> list[tuple[int, dict[str, object]]]:
    return [(r.step, r.row) for r in records if isinstance(r, History)]


def test_each_log_commits_one_row_at_the_next_step(sdk_offline: Path, read_log: ReadLog) -> None:
    run = epochal.init(project="steps")
    for i in range(3):
        epochal.log({"loss": 1.0 / (i + 1)})
    assert run.step == 3
    run.finish()
    assert history(read_log(run)) == [(0, {"loss": 1.0}), (1, {"loss": 0.5}), (2, {"loss": 1.0 / 3})]


def test_commit_false_merges_into_the_pending_row(sdk_offline: Path, read_log: ReadLog) -> None:
    run = epochal.init(project="steps")
    run.log({"a": 1}, commit=False)
    run.log({"b": 2}, commit=False)
    assert run.step == 0
    run.log({"c": 3})
    run.log({"a": 4}, commit=False)
    run.finish()  # finish commits the pending row
    assert history(read_log(run)) == [(0, {"a": 1, "b": 2, "c": 3}), (1, {"a": 4})]


def test_explicit_steps_merge_equal_and_commit_on_a_higher_step(sdk_offline: Path, read_log: ReadLog) -> None:
    run = epochal.init(project="steps")
    run.log({"a": 1}, step=5)
    run.log({"b": 2}, step=5)
    run.log({"a": 3}, step=7)
    run.log({"x": 0})  # no step: merges into step 7 and commits it
    assert run.step == 8
    run.finish()
    assert history(read_log(run)) == [(5, {"a": 1, "b": 2}), (7, {"a": 3, "x": 0})]


def test_lower_step_is_refused_and_counted(
    sdk_offline: Path, read_log: ReadLog, caplog: pytest.LogCaptureFixture
) -> None:
    run = epochal.init(project="steps")
    run.log({"a": 1}, step=10, commit=True)
    run.log({"a": 2}, step=3)
    run.log({"a": 3}, step=4)
    assert run.rejected_rows == 2
    run.log({"a": 4})
    run.finish()
    records = read_log(run)
    assert history(records) == [(10, {"a": 1}), (11, {"a": 4})]
    rejected = [r for r in records if isinstance(r, RowsRejected)]
    assert [(r.step, r.current_step) for r in rejected] == [(3, 11), (4, 11)]
    warnings = [r for r in caplog.records if "lower than the current step" in r.getMessage()]
    assert len(warnings) == 1


def test_strict_steps_raise(sdk_offline: Path) -> None:
    run = epochal.init(project="steps", settings={"strict_steps": True})
    run.log({"a": 1})
    with pytest.raises(epochal.UsageError, match="step 0 is lower than the current step 1"):
        run.log({"a": 2}, step=0)


def test_reserved_and_bad_keys_are_refused(sdk_offline: Path, read_log: ReadLog) -> None:
    run = epochal.init(project="steps")
    with pytest.raises(ValueError, match="keys must be strings"):
        run.log({1: 2.0})  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="_step"):
        run.log({"_step": 3})
    with pytest.raises(epochal.UsageError, match="step must be an int"):
        run.log({"a": 1}, step="3")  # type: ignore[arg-type]
    run.log({"ok": 1})
    run.finish()
    assert history(read_log(run)) == [(0, {"ok": 1})]


def test_log_after_finish_is_a_usage_error(sdk_offline: Path) -> None:
    run = epochal.init(project="steps")
    run.finish()
    with pytest.raises(epochal.UsageError, match="finished"):
        run.log({"a": 1})
    with pytest.raises(epochal.UsageError, match="init"):
        epochal.log({"a": 1})


def test_keys_seen_before_do_not_let_a_bad_row_through(sdk_offline: Path, read_log: ReadLog) -> None:
    run = epochal.init(project="steps")
    for step in range(3):  # the keys are checked once, then known
        run.log({"loss": 1.0 / (step + 1), "acc": step / 10})
    with pytest.raises(ValueError, match="keys must not be empty"):
        run.log({"loss": 0.1, "": 1.0})
    with pytest.raises(ValueError, match="at most"):
        run.log({f"k{i}": 0.0 for i in range(limits.MAX_KEYS_PER_ROW + 1)})
    run.log({"loss": 0.05, "acc": 0.9})
    run.finish()
    logged = history(read_log(run))
    assert [step for step, _ in logged] == [0, 1, 2, 3]
    assert logged[-1] == (3, {"loss": 0.05, "acc": 0.9})
    assert run.summary["loss"] == 0.05

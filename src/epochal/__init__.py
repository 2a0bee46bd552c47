"""Epochal: self-hosted experiment tracking with wandb's API (``import epochal as wandb``).

Importing this package is cheap: numpy, Pillow and httpx load only when a feature needs them.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from epochal.sdk import active
from epochal.sdk.errors import AuthenticationError, CommError, EpochalError, UsageError

if TYPE_CHECKING:
    from epochal import sdk
    from epochal.sdk.api import Api
    from epochal.sdk.image import Image
    from epochal.sdk.login import login
    from epochal.sdk.settings import Settings
    from epochal.sdk.wandb_init import init
    from epochal.sdk.wandb_run import Run, finish
    from epochal.wire.api import MetricDefinition

_LAZY_ATTRIBUTES = {
    "Api": "epochal.sdk.api",
    "Image": "epochal.sdk.image",
    "login": "epochal.sdk.login",
    "Settings": "epochal.sdk.settings",
    "init": "epochal.sdk.wandb_init",
    "Run": "epochal.sdk.wandb_run",
    "finish": "epochal.sdk.wandb_run",
}
"""Public names loaded on first use, so ``import epochal`` stays cheap (the run machinery
is imported by the first ``init()``, where its cost is paid once)."""


def __getattr__(name: str) -> Any:
    if name == "sdk":
        value: Any = importlib.import_module("epochal.sdk")
    elif name in _LAZY_ATTRIBUTES:
        value = getattr(importlib.import_module(_LAZY_ATTRIBUTES[name]), name)
    else:
        raise AttributeError(f"module 'epochal' has no attribute {name!r}")
    globals()[name] = value
    return value


__all__ = [
    "Api",
    "AuthenticationError",
    "CommError",
    "EpochalError",
    "Image",
    "Run",
    "Settings",
    "UsageError",
    "config",
    "define_metric",
    "finish",
    "init",
    "log",
    "login",
    "run",
    "save",
    "sdk",
    "summary",
]

run: Run | None = None
"""The current run (set by ``init``, back to None after ``finish``)."""
config: Any = active.PreInit("config")
"""The current run's config (a placeholder that asks for ``init`` before one)."""
summary: Any = active.PreInit("summary")
"""The current run's summary (a placeholder that asks for ``init`` before one)."""


def log(data: Mapping[str, Any], step: int | None = None, commit: bool | None = None) -> None:
    """Log a row to the current run (see ``Run.log``)."""
    active.require_run("log").log(data, step=step, commit=commit)


def save(
    glob_str: str | os.PathLike[str], base_path: str | os.PathLike[str] | None = None, policy: str = "live"
) -> list[str]:
    """Keep copies of files matching ``glob_str`` with the current run (see ``Run.save``)."""
    return active.require_run("save").save(glob_str, base_path=base_path, policy=policy)


def define_metric(
    name: str, step_metric: str | None = None, summary: str | None = None, goal: str | None = None, hidden: bool = False
) -> MetricDefinition:
    """Declare how a metric is plotted and summarised in the current run (see ``Run.define_metric``)."""
    return active.require_run("define_metric").define_metric(
        name, step_metric=step_metric, summary=summary, goal=goal, hidden=hidden
    )

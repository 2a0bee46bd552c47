"""The training-side SDK: ``init``, ``log``, the run, its local log and the shipper.

Imports only ``epochal.wire``. numpy, Pillow and httpx are imported when first needed,
so ``import epochal`` stays cheap for scripts that only log numbers.
"""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from epochal.sdk import wandb_run

__all__ = ["wandb_run"]


def __getattr__(name: str) -> Any:
    """``epochal.sdk.wandb_run`` (wandb's ``wandb.sdk.wandb_run.finish()``) loads on first use."""
    if name == "wandb_run":
        return importlib.import_module("epochal.sdk.wandb_run")
    raise AttributeError(f"module 'epochal.sdk' has no attribute {name!r}")

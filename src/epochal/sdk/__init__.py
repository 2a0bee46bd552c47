"""The training-side SDK: ``init``, ``log``, the run, its local log and the shipper.

Imports only ``epochal.wire``. numpy, Pillow and httpx are imported when first needed,
so ``import epochal`` stays cheap for scripts that only log numbers.
"""

from epochal.sdk import wandb_run

__all__ = ["wandb_run"]

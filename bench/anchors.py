"""The anchors' own virtual environment: ``bench/.anchors`` (git-ignored), made on first use.

The anchors live apart from the project's venv so their dependency pins never touch ours.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ANCHOR_DIR = Path(__file__).resolve().parent / ".anchors"
ANCHOR_PYTHON = ANCHOR_DIR / "bin" / "python"
PINS = ("wandb==0.31.0", "mlflow==3.17.2", "trackio==0.43.0")
_READY_MARKER = ANCHOR_DIR / ".installed"


def ensure_anchor_venv() -> Path:
    """Create the venv and install exactly ``PINS`` unless a previous run already did."""
    if _READY_MARKER.exists() and _READY_MARKER.read_text().split() == list(PINS):
        return ANCHOR_PYTHON
    print(f"creating the anchor venv at {ANCHOR_DIR} (one time, a few minutes)", flush=True)
    if not ANCHOR_PYTHON.exists():
        subprocess.run([sys.executable, "-m", "venv", str(ANCHOR_DIR)], check=True)
    subprocess.run([str(ANCHOR_PYTHON), "-m", "pip", "install", "--quiet", *PINS], check=True)
    _READY_MARKER.write_text("\n".join(PINS) + "\n")
    return ANCHOR_PYTHON


def installed_versions() -> dict[str, str]:
    """The versions actually importable in the anchor venv (for the results header)."""
    code = (
        "import importlib.metadata as m, json;"
        "print(json.dumps({p: m.version(p) for p in ('wandb', 'mlflow', 'trackio')}))"
    )
    out = subprocess.run([str(ANCHOR_PYTHON), "-c", code], check=True, capture_output=True, text=True)
    import json

    versions: dict[str, str] = json.loads(out.stdout)
    return versions

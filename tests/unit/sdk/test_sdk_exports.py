"""The public surface: exported names, wandb's module layout, and a cheap import."""

from __future__ import annotations

import subprocess
import sys

import epochal


def test_public_names_are_pinned() -> None:
    assert sorted(epochal.__all__) == sorted([
        "Api", "AuthenticationError", "CommError", "EpochalError", "Image", "Run", "Settings", "UsageError",
        "config", "define_metric", "finish", "init", "log", "login", "run", "save", "sdk", "summary",
    ])  # fmt: skip
    for name in epochal.__all__:
        assert hasattr(epochal, name), name


def test_error_tree() -> None:
    assert issubclass(epochal.UsageError, epochal.EpochalError)
    assert issubclass(epochal.CommError, epochal.EpochalError)
    assert issubclass(epochal.AuthenticationError, epochal.CommError)


def test_seed_finish_path_exists() -> None:
    assert callable(epochal.sdk.wandb_run.finish)
    assert epochal.sdk.wandb_run.Run is epochal.Run


def test_import_does_not_load_heavy_modules() -> None:
    code = (
        "import sys; import epochal; "
        "print(','.join(m for m in ('numpy', 'httpx', 'PIL', 'torch', 'pandas') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


def test_before_init_module_attributes_ask_for_init() -> None:
    code = """
import epochal
assert epochal.run is None
for attempt in (lambda: epochal.config.update({"a": 1}), lambda: epochal.summary["a"], lambda: epochal.log({"a": 1})):
    try:
        attempt()
    except epochal.UsageError as exc:
        assert "init()" in str(exc), exc
    else:
        raise SystemExit("accepted before init")
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.stdout.strip() == "ok", done.stderr

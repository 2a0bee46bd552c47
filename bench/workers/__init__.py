"""Measurement scripts, one per tool, each run in a fresh process by the harness.

They are executed as ``python -m bench.workers.<tool> <measurement> '<json params>'`` with the
repository root on ``PYTHONPATH`` and a scratch folder as the working directory, by the anchor
venv's python (wandb, MLflow, trackio) or by the project's ``.venv`` python (Epochal, floor).
They use only the standard library (and numpy, which every venv here has) besides the tool itself.
"""

"""Epochal's benchmark against wandb, MLflow and trackio: ``python -m bench all`` (see README.md)."""

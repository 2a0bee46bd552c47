"""``epochal demo``: fill a server with real example trainings."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.option("--project", default="digits-demo", show_default=True, help="Project the runs go to.")
@click.option("--runs", default=5, show_default=True, type=click.IntRange(1, 100), help="How many trainings.")
@click.option("--epochs", default=30, show_default=True, type=click.IntRange(1, 10_000))
@click.option(
    "--pace", default=0.0, show_default=True, type=float, help="Seconds to pause per epoch, to watch curves grow live."
)
@click.option(
    "--dir",
    "workdir",
    default=".",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the runs' local folders go (kept: they are the durable copy).",
)
@click.option("--base-url", envvar="EPOCHAL_BASE_URL", default=None, help="Server URL [env: EPOCHAL_BASE_URL].")
def demo(project: str, runs: int, epochs: int, pace: float, workdir: Path, base_url: str | None) -> None:
    """Train small PyTorch models on scikit-learn's digits and log them like a wandb user would.

    Needs the demo extra: pip install 'epochal[demo]'.
    """
    try:
        import sklearn  # noqa: F401
        import torch  # noqa: F401

        from epochal.cli.demo_training import DemoOptions, run_demo
    except ImportError as error:
        raise click.ClickException(f"{error.name} is missing: pip install 'epochal[demo]'") from error
    if base_url:
        import os

        os.environ["EPOCHAL_BASE_URL"] = base_url
    urls = run_demo(DemoOptions(project=project, runs=runs, epochs=epochs, pace=pace, workdir=workdir))
    click.echo(f"{len(urls)} demo runs logged:")
    for url in urls:
        click.echo(f"  {url}")

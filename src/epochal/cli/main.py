"""Entry point of the ``epochal`` command; each subcommand lives in its own module."""

from __future__ import annotations

import click

from epochal.cli.demo_command import demo
from epochal.cli.key_command import key
from epochal.cli.login_command import login
from epochal.cli.server_command import server
from epochal.cli.sync_command import sync
from epochal.cli.user_command import user


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="epochal")
def cli() -> None:
    """Epochal: self-hosted experiment tracking, wandb-compatible.

    Start a server with `epochal server`, fill it with example runs with `epochal demo`.
    """


cli.add_command(server)
cli.add_command(demo)
cli.add_command(sync)
cli.add_command(login)
cli.add_command(user)
cli.add_command(key)


def main() -> None:
    cli()

"""``epochal user create``: accounts, made directly in the server's store."""

from __future__ import annotations

import time
from pathlib import Path

import click

from epochal.cli.store_options import open_cli_store, store_options


@click.group()
def user() -> None:
    """Manage accounts (run where the server's database is reachable)."""


@user.command("create")
@click.argument("username")
@click.option("--admin", is_flag=True, help="Give the account the admin role.")
@click.option("--password", default=None, help="Prompted for (hidden) when not given; --no-password for keys only.")
@click.option("--no-password", is_flag=True, help="An account that signs in with API keys only.")
@store_options
def create(
    username: str, admin: bool, password: str | None, no_password: bool, data_dir: Path | None, database_url: str | None
) -> None:
    """Create an account; once one exists the server requires sign-in on its next start."""
    from epochal.server.auth.passwords import WeakPasswordError, hash_password
    from epochal.store.base import Conflict
    from epochal.wire import limits
    from epochal.wire.keys import InvalidKeyError, check_name

    try:
        check_name(username, "username", limits.MAX_USERNAME_LENGTH)
        if not no_password and password is None:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        password_hash = None if no_password or password is None else hash_password(password)
    except (InvalidKeyError, WeakPasswordError) as error:
        raise click.ClickException(str(error)) from error
    store = open_cli_store(data_dir, database_url)
    try:
        store.accounts.create_user(
            username, role="admin" if admin else "member", password_hash=password_hash, now=time.time()
        )
    except Conflict as error:
        raise click.ClickException(str(error)) from error
    finally:
        store.close()
    click.echo(f"created {'admin' if admin else 'member'} {username}")

"""``epochal key create/list/revoke``: a user's API keys, directly in the server's store."""

from __future__ import annotations

import datetime
import time
from pathlib import Path

import click

from epochal.cli.store_options import open_cli_store, store_options


@click.group()
def key() -> None:
    """Manage API keys (run where the server's database is reachable)."""


def _when(t: float | None) -> str:
    return "never" if t is None else datetime.datetime.fromtimestamp(t).strftime("%Y-%m-%d %H:%M")


@key.command("create")
@click.option("--user", "username", required=True, help="The key's owner.")
@click.option("--name", default="cli", show_default=True, help="A name to recognise the key by.")
@store_options
def create(username: str, name: str, data_dir: Path | None, database_url: str | None) -> None:
    """Create a key and print it; it is shown this once and stored only as a hash."""
    from epochal.server.auth.tokens import new_api_key
    from epochal.store.base import NotFound

    store = open_cli_store(data_dir, database_url)
    try:
        owner = store.accounts.get_user(username)
        new = new_api_key()
        store.accounts.create_api_key(owner.id, name=name, key_hash=new.key_hash, prefix=new.prefix, now=time.time())
    except NotFound as error:
        raise click.ClickException(str(error)) from error
    finally:
        store.close()
    click.echo(new.key)


@key.command("list")
@click.option("--user", "username", required=True, help="Whose keys.")
@store_options
def list_keys(username: str, data_dir: Path | None, database_url: str | None) -> None:
    """List a user's keys: id, name, prefix, created, last used, revoked."""
    from epochal.store.base import NotFound

    store = open_cli_store(data_dir, database_url)
    try:
        keys = store.accounts.list_api_keys(store.accounts.get_user(username).id)
    except NotFound as error:
        raise click.ClickException(str(error)) from error
    finally:
        store.close()
    for k in keys:
        state = "revoked" if k.revoked else "active"
        click.echo(
            f"{k.id}\t{k.name}\t{k.prefix}…\tcreated {_when(k.created_at)}\tlast used {_when(k.last_used_at)}\t{state}"
        )


@key.command("revoke")
@click.option("--user", "username", required=True, help="The key's owner.")
@click.argument("key_id", type=int)
@store_options
def revoke(username: str, key_id: int, data_dir: Path | None, database_url: str | None) -> None:
    """Revoke a key by id (see `epochal key list`); it stops working at once."""
    from epochal.store.base import NotFound

    store = open_cli_store(data_dir, database_url)
    try:
        store.accounts.revoke_api_key(store.accounts.get_user(username).id, key_id)
    except NotFound as error:
        raise click.ClickException(str(error)) from error
    finally:
        store.close()
    click.echo(f"revoked key {key_id}")

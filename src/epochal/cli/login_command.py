"""``epochal login``: store an API key and server URL for later runs."""

from __future__ import annotations

import click


@click.command()
@click.argument("key", required=False)
@click.option("--host", default=None, help="Server URL to store with the key, e.g. http://tracker:8765.")
@click.option("--relogin", is_flag=True, help="Ask for a key even if one is stored.")
@click.option("--verify/--no-verify", default=True, show_default=True, help="Check the key against the server first.")
def login(key: str | None, host: str | None, relogin: bool, verify: bool) -> None:
    """Save an API key (prompted for when not given) in ~/.config/epochal with 0600 permissions.

    EPOCHAL_API_KEY, when set, overrides the stored key.
    """
    from epochal.sdk.errors import EpochalError
    from epochal.sdk.login import login as sdk_login

    try:
        sdk_login(key=key, host=host, relogin=relogin or key is not None, verify=verify)
    except EpochalError as error:
        raise click.ClickException(str(error)) from error

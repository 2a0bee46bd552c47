"""``login()``: store the API key (and server URL) for later runs, like ``wandb login``."""

from __future__ import annotations

import getpass
import sys

from epochal.sdk.console import announce
from epochal.sdk.errors import UsageError
from epochal.sdk.settings import Settings, read_login_file, write_login_file


def login(key: str | None = None, host: str | None = None, relogin: bool | None = None, verify: bool = False) -> bool:
    """Save ``key`` (prompted for on a terminal when missing) and ``host`` in the login file (0600).

    With ``verify`` the key is checked against the server first (``AuthenticationError``
    when refused). Returns True; an existing key is kept unless ``relogin`` or a new key.
    """
    stored = read_login_file()
    if key is None and not relogin and (stored.get("api_key") or Settings.from_environment().api_key):
        return True
    if key is None:
        if not sys.stdin or not sys.stdin.isatty():
            raise UsageError("login(): no key given and no terminal to ask on; pass key=... or set EPOCHAL_API_KEY")
        key = getpass.getpass("Epochal API key: ").strip()
    if not key:
        raise UsageError("login(): the API key must not be empty")
    values = {"api_key": key}
    if host:
        values["base_url"] = host.rstrip("/")
    if verify:
        from epochal.sdk.transport import get_viewer, make_client

        settings = Settings.from_environment({"api_key": key, **({"base_url": values["base_url"]} if host else {})})
        with make_client(settings) as client:
            get_viewer(client)
    path = write_login_file(values)
    announce(f"API key saved in {path}", quiet=Settings.from_environment().quiet)
    return True

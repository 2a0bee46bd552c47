"""The start-up rule: without auth the server may only listen on a loopback address."""

from __future__ import annotations

import ipaddress

from epochal.server.settings import ServerSettings


class UnsafeBindError(RuntimeError):
    """Raised before listening; the message says how to enable auth."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(settings: ServerSettings) -> None:
    if settings.auth or is_loopback(settings.host):
        return
    raise UnsafeBindError(
        f"refusing to listen on {settings.host} without auth: anyone who can reach it could read and change "
        "every run. Add --auth (then create the first admin with the printed one-time setup link or "
        "`epochal user create --admin`), or bind 127.0.0.1."
    )

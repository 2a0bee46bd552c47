"""The SDK's settings: one object, and the one place that reads the environment.

Precedence, highest first: arguments to ``init``/``Settings`` fields set by the caller,
``EPOCHAL_*`` variables, their ``WANDB_*`` equivalents, the file written by ``login()``
(``~/.config/epochal/settings.json``), then the defaults below.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

from epochal.sdk.errors import UsageError

Mode = Literal["online", "offline", "disabled"]

DEFAULT_BASE_URL = "http://127.0.0.1:8765"
DEFAULT_PROJECT = "uncategorized"

_MODE_ALIASES: dict[str, Mode] = {
    "online": "online",
    "run": "online",
    "offline": "offline",
    "dryrun": "offline",
    "disabled": "disabled",
}

# Settings field -> environment variables, first set one wins.
_ENVIRONMENT: dict[str, tuple[str, ...]] = {
    "base_url": ("EPOCHAL_BASE_URL", "WANDB_BASE_URL"),
    "api_key": ("EPOCHAL_API_KEY", "WANDB_API_KEY"),
    "mode": ("EPOCHAL_MODE", "WANDB_MODE"),
    "project": ("EPOCHAL_PROJECT", "WANDB_PROJECT"),
    "entity": ("EPOCHAL_ENTITY", "WANDB_ENTITY"),
    "dir": ("EPOCHAL_DIR", "WANDB_DIR"),
    "quiet": ("EPOCHAL_SILENT", "WANDB_SILENT"),
}


@dataclass(frozen=True)
class Settings:
    """How the SDK talks to the server and where it keeps runs.

    Pass one to ``init(settings=...)`` (or a dict of fields): fields left at their
    defaults are filled from the environment and the login file.
    """

    base_url: str = DEFAULT_BASE_URL
    api_key: str | None = None
    mode: Mode = "online"
    project: str | None = None
    entity: str | None = None
    dir: str | None = None
    """Folder under which ``epochal/run-*`` folders are made; default the working directory."""
    finish_timeout: float = 5.0
    """Seconds ``finish()`` waits for the server to acknowledge everything."""
    strict_steps: bool = False
    """Raise ``UsageError`` on a ``log()`` at a step lower than the current one (default: refuse and count)."""
    quiet: bool = False
    """No ``epochal: ...`` lines on stderr (they still go to the ``epochal`` logger)."""
    request_timeout: float = 10.0
    viewer_timeout: float = 2.0
    """Seconds ``init`` waits for the server before carrying on locally."""
    heartbeat_interval: float = 15.0
    poll_interval: float = 0.25
    """How often the shipper looks for new records in the run's log."""

    def __post_init__(self) -> None:
        if self.mode not in ("online", "offline", "disabled"):
            raise UsageError(f"mode must be 'online', 'offline' or 'disabled', not {self.mode!r}")
        if self.finish_timeout < 0:
            raise UsageError(f"finish_timeout must be >= 0, not {self.finish_timeout!r}")

    @classmethod
    def from_environment(
        cls, overrides: Settings | Mapping[str, Any] | None = None, *, environ: Mapping[str, str] | None = None
    ) -> Settings:
        """Settings from the environment and login file, with ``overrides`` on top.

        A ``Settings`` given as ``overrides`` contributes the fields that differ from the
        defaults; a mapping contributes all its keys (unknown keys raise ``UsageError``).
        """
        env = os.environ if environ is None else environ
        values: dict[str, Any] = dict(read_login_file(env))
        for field_name, names in _ENVIRONMENT.items():
            raw = next((env[name] for name in names if env.get(name)), None)
            if raw is not None:
                values[field_name] = _parse(field_name, raw)
        values.update(_explicit_fields(overrides))
        return cls(**values)

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)


def _explicit_fields(overrides: Settings | Mapping[str, Any] | None) -> dict[str, Any]:
    if overrides is None:
        return {}
    if isinstance(overrides, Settings):
        defaults = Settings()
        return {
            f.name: getattr(overrides, f.name)
            for f in dataclasses.fields(Settings)
            if getattr(overrides, f.name) != getattr(defaults, f.name)
        }
    known = {f.name for f in dataclasses.fields(Settings)}
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise UsageError(f"unknown settings {unknown}; known: {sorted(known)}")
    return dict(overrides)


def _parse(field_name: str, raw: str) -> Any:
    if field_name == "mode":
        mode = _MODE_ALIASES.get(raw.strip().lower())
        if mode is None:
            raise UsageError(f"EPOCHAL_MODE/WANDB_MODE must be online, offline or disabled, not {raw!r}")
        return mode
    if field_name == "quiet":
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if field_name == "base_url":
        return raw.rstrip("/")
    return raw


def config_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Where ``login()`` keeps its file: ``EPOCHAL_CONFIG_DIR``, else ``$XDG_CONFIG_HOME/epochal``."""
    env = os.environ if environ is None else environ
    if env.get("EPOCHAL_CONFIG_DIR"):
        return Path(env["EPOCHAL_CONFIG_DIR"])
    base = Path(env["XDG_CONFIG_HOME"]) if env.get("XDG_CONFIG_HOME") else Path.home() / ".config"
    return base / "epochal"


def login_file(environ: Mapping[str, str] | None = None) -> Path:
    return config_dir(environ) / "settings.json"


def read_login_file(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """``base_url`` and ``api_key`` stored by ``login()``; empty when there is no usable file."""
    path = login_file(environ)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    stored = cast(dict[str, object], data)
    return {key: value for key in ("base_url", "api_key") if isinstance(value := stored.get(key), str) and value}


def write_login_file(values: Mapping[str, str], environ: Mapping[str, str] | None = None) -> Path:
    """Merge ``values`` into the login file, readable by the owner only (0600)."""
    path = login_file(environ)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    merged = {**read_login_file(environ), **values}
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(merged, out, indent=2)
    tmp.chmod(0o600)
    tmp.replace(path)
    return path

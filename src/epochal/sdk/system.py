"""What ``init`` records about the machine and program (``RunStart.system``), cheaply.

Everything here is best effort: a missing git or an odd platform leaves a field out,
never fails ``init``.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import platform
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

_GIT_TIMEOUT_S = 2.0


def capture_system(sdk_version: str) -> dict[str, Any]:
    """Host, OS, Python, program, argv, cwd, git state, SDK version and start time."""
    info: dict[str, Any] = {
        "hostname": socket.gethostname(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "executable": sys.executable,
        "program": _program(),
        "args": list(sys.argv[1:]),
        "cwd": str(Path.cwd()),
        "pid": os.getpid(),
        "sdk_version": sdk_version,
        "started_at": time.time(),
    }
    with contextlib.suppress(OSError, KeyError):
        info["username"] = getpass.getuser()
    git = _git_state()
    if git:
        info["git"] = git
    return info


def _program() -> str:
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    return str(path) if path else (sys.argv[0] if sys.argv and sys.argv[0] else "<interactive>")


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], capture_output=True, text=True, timeout=_GIT_TIMEOUT_S, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _git_state() -> dict[str, Any]:
    commit = _git("rev-parse", "HEAD")
    if commit is None:
        return {}
    state: dict[str, Any] = {"commit": commit}
    remote = _git("config", "--get", "remote.origin.url")
    if remote:
        state["remote"] = remote
    status = _git("status", "--porcelain", "--untracked-files=no")
    if status is not None:
        state["dirty"] = bool(status)
    return state

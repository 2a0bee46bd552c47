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
        "os": _os_name(),
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


def _os_name() -> str:
    """``platform.platform()``'s text; on Linux without its processor field, which costs a
    ``uname -p`` process (1.4–2 ms of ``init``) and says "unknown" on Debian and Ubuntu."""
    if sys.platform != "linux":
        return platform.platform()
    uname = os.uname()
    libc, version = platform.libc_ver()  # os.confstr: no process, no file read
    parts = [uname.sysname, uname.release, uname.machine]
    return "-".join([*parts, "with", libc + version] if libc else parts)


def _program() -> str:
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    return str(path) if path else (sys.argv[0] if sys.argv and sys.argv[0] else "<interactive>")


def _git_state() -> dict[str, Any]:
    """Commit, origin URL and dirtiness from two ``git`` processes run side by side.

    ``git status --porcelain=v2 --branch`` names the commit (``# branch.oid``) and the
    changed files at once, so ``init`` waits for the slower of two processes, not three.
    """
    try:
        status = _start_git("status", "--porcelain=v2", "--branch", "--untracked-files=no")
        remote = _start_git("config", "--get", "remote.origin.url")
    except OSError:
        return {}
    status_out, remote_out = _finish_git(status), _finish_git(remote)
    if status_out is None:
        return {}
    lines = status_out.splitlines()
    commit = next((line.split()[2] for line in lines if line.startswith("# branch.oid ")), None)
    if commit is None or commit == "(initial)":
        return {}
    state: dict[str, Any] = {"commit": commit}
    if remote_out:
        state["remote"] = remote_out
    state["dirty"] = any(not line.startswith("#") for line in lines)
    return state


def _start_git(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        ["git", *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, text=True
    )


def _finish_git(process: subprocess.Popen[str]) -> str | None:
    """Its output, or None when it failed or ran past the timeout (then it is killed)."""
    try:
        out, _ = process.communicate(timeout=_GIT_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        return None
    return out.strip() if process.returncode == 0 else None

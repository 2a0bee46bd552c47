"""The process's current run and the module-level names wandb code expects.

``init`` makes a run current: ``epochal.run``, ``epochal.config``, ``epochal.summary``
and ``epochal.log`` point at it until ``finish``. An uncaught exception finishes open runs as failed (with
the traceback's last lines) and ``atexit`` finishes the rest, with the code given to
``sys.exit`` (non-zero: failed). A forked child never writes to its parent's runs: fork
marks them closed in the child (``os.register_at_fork``).
"""

from __future__ import annotations

import atexit
import os
import sys
import traceback
import weakref
from types import TracebackType
from typing import TYPE_CHECKING, Any, NoReturn

from epochal.sdk.errors import UsageError

if TYPE_CHECKING:
    from epochal.sdk.wandb_run import Run

_current: Run | None = None
_open_runs: weakref.WeakSet[Run] = weakref.WeakSet()
_hooks_installed = False
_exit_code: int | None = None
"""The code the script passed to ``sys.exit``, for the runs ``atexit`` finishes."""
_ERROR_TAIL_LINES = 8
_package_log: Any = None
"""``epochal.log`` as the package defines it, put back when no run is current."""


class PreInit:
    """Stands for ``epochal.config``/``epochal.summary`` before ``init``: any use says to call ``init``."""

    def __init__(self, name: str) -> None:
        object.__setattr__(self, "_name", name)

    def _fail(self) -> UsageError:
        return UsageError(f"call epochal.init() before using epochal.{self._name}")

    def __getattr__(self, key: str) -> Any:
        if key.startswith("__"):
            raise AttributeError(key)
        raise self._fail()

    def __setattr__(self, key: str, value: Any) -> None:
        raise self._fail()

    def __getitem__(self, key: str) -> Any:
        raise self._fail()

    def __setitem__(self, key: str, value: Any) -> None:
        raise self._fail()

    def __contains__(self, key: object) -> bool:
        raise self._fail()

    def __repr__(self) -> str:
        return f"<epochal.{self._name} before init()>"


def current() -> Run | None:
    return _current


def require_run(action: str) -> Run:
    if _current is None:
        raise UsageError(f"call epochal.init() before epochal.{action}()")
    return _current


def activate(run: Run) -> None:
    global _current
    _install_hooks()
    _open_runs.add(run)
    _current = run
    _publish(run)


def deactivate(run: Run) -> None:
    global _current
    _open_runs.discard(run)
    if _current is run:
        _current = None
        _publish(None)


def _publish(run: Run | None) -> None:
    """Set ``epochal.run/config/summary/log`` (as wandb sets ``wandb.run`` and friends).

    ``epochal.log`` becomes the run's own row logger while it is current: the package-level
    function and ``Run.log`` would add two calls to every ``log()``, the hot path.
    """
    global _package_log
    module = sys.modules.get("epochal")
    if module is None:
        return
    if _package_log is None:
        _package_log = module.log
    module.log = run.log_function if run is not None else _package_log  # type: ignore[attr-defined]
    module.run = run  # type: ignore[attr-defined]
    module.config = run.config if run is not None else PreInit("config")  # type: ignore[attr-defined]
    module.summary = run.summary if run is not None else PreInit("summary")  # type: ignore[attr-defined]


def _install_hooks() -> None:
    global _hooks_installed
    if _hooks_installed:
        return
    _hooks_installed = True
    previous = sys.excepthook

    def excepthook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        lines = "".join(traceback.format_exception(kind, value, tb)).rstrip().splitlines()
        error = "\n".join(lines[-_ERROR_TAIL_LINES:])
        for run in list(_open_runs):
            run.finish(exit_code=1, error=error)
        previous(kind, value, tb)

    sys.excepthook = excepthook
    _hook_sys_exit()
    atexit.register(_finish_open_runs)


def _hook_sys_exit() -> None:
    """Remember ``sys.exit``'s code (as wandb does): atexit cannot see it otherwise."""
    original = sys.exit

    def exit_recording_code(status: str | int | None = None) -> NoReturn:
        global _exit_code
        _exit_code = exit_status_code(status)
        original(status)

    sys.exit = exit_recording_code


def exit_status_code(status: object) -> int:
    """The process exit code Python makes of ``sys.exit(status)``."""
    if status is None:
        return 0
    if isinstance(status, int):
        return status
    return 1  # a message is printed and the process exits with 1


def _finish_open_runs() -> None:
    for run in list(_open_runs):
        run.finish(exit_code=_exit_code)


def _after_fork_in_child() -> None:
    # _current stays set so that epochal.log() in the child names the fork rule
    for run in list(_open_runs):
        run.close_in_forked_child()
    _open_runs.clear()


os.register_at_fork(after_in_child=_after_fork_in_child)

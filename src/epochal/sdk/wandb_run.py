"""``Run``: one training run as the script sees it (wandb's ``wandb.sdk.wandb_run``).

A run owns its folder's writer (every record goes through it), the step rules, config,
summary and saved files, and in online mode a shipper thread. ``finish()`` here is the
module-level function the seed calls as ``wandb.sdk.wandb_run.finish()``.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from epochal.sdk import active
from epochal.sdk.config import Config
from epochal.sdk.console import announce
from epochal.sdk.errors import UsageError
from epochal.sdk.file_saving import FileSaver
from epochal.sdk.history import HistoryLog
from epochal.sdk.last_logged import LastLogged
from epochal.sdk.log_fsync import fsync_file, start_fsync_thread
from epochal.sdk.run_folder import RunFolder, UploadState
from epochal.sdk.settings import Settings
from epochal.sdk.shipper import Shipper
from epochal.sdk.summary import Summary
from epochal.sdk.writer import RunWriter
from epochal.wire import limits
from epochal.wire.api import MetricDefinition
from epochal.wire.records import ConfigUpdate, FileSaved, Finish, MetricDefined, RunStart, RunUpdate, SummaryUpdate

__all__ = ["Run", "finish"]

logger = logging.getLogger(__name__)

_SUMMARY_KINDS = frozenset({"min", "max", "mean", "last", "best", "first", "none"})
_GOALS = frozenset({"minimize", "maximize"})


@dataclass(frozen=True)
class RunIdentity:
    """What ``init`` decided about the run before it starts writing."""

    entity: str
    project: str
    run_id: str
    name: str
    group: str | None = None
    job_type: str | None = None
    tags: tuple[str, ...] = ()
    notes: str | None = None
    resumed: bool = False
    start_step: int = 0


class Run:
    """The object ``init`` returns (``epochal.run``)."""

    def __init__(
        self, identity: RunIdentity, settings: Settings, config: Config, folder: RunFolder | None, stream_id: str
    ) -> None:
        self._identity = identity
        self._name = identity.name
        self._tags = identity.tags
        self._notes = identity.notes
        self.settings = settings
        self.config = config
        self._folder = folder
        self._writer = RunWriter(folder, notes=settings.mode == "online")
        self._history = HistoryLog(self._writer, strict_steps=settings.strict_steps, step=identity.start_step)
        self.summary = Summary(LastLogged(self._writer).refresh)
        self._files = FileSaver(folder, self._write_file_saved)
        self._upload_state = UploadState(
            stream_id=stream_id, entity=identity.entity, project=identity.project, run_id=identity.run_id
        )
        self._shipper: Shipper | None = None
        self._stop_fsync: threading.Event | None = None
        self._folder_lock: int | None = None
        """The flock on the folder while this process writes it (keeps background syncs away)."""
        self._debug_handler: logging.Handler | None = None
        self._closed: str | None = None
        """Why the run takes no more records (finished, forked child), or None while open."""

    # -- lifecycle -----------------------------------------------------------------------

    def start(self, system: Mapping[str, Any]) -> None:
        """Write ``RunStart`` and, online, start shipping (called once by ``init``)."""
        ident = self._identity
        if self._folder is not None:
            self._folder_lock = self._folder.lock()
            self._debug_handler = logging.FileHandler(self._folder.debug_log_path, encoding="utf-8")
            self._debug_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
            logging.getLogger("epochal").addHandler(self._debug_handler)
            self._folder.write_upload_state(self._upload_state)
        config = self.config.as_dict()
        self._writer.append(lambda seq, t: RunStart(
            seq=seq, t=t, project=ident.project, run_id=ident.run_id,
            entity=None if ident.entity == "-" else ident.entity, name=self._name, group=ident.group,
            job_type=ident.job_type, tags=list(self._tags), notes=self._notes, config=config,
            resume=ident.resumed, system=dict(system),
        ))  # fmt: skip
        self.config.attach(self._write_config)
        self.summary.attach(self._write_summary)
        if self._folder is not None and self.settings.mode == "online":
            self._shipper = Shipper(self._folder, self._upload_state, self.settings, self._writer)
            self._shipper.start()
        elif self._folder is not None:
            self._stop_fsync = start_fsync_thread(self._folder.log_path, f"epochal-fsync-{ident.run_id}")

    def finish(self, exit_code: int | None = None, quiet: bool | None = None, *, error: str | None = None) -> None:
        """Commit the pending row, write ``Finish``, and wait at most ``finish_timeout`` s for the server."""
        if self._closed is not None:
            return
        try:
            self._history.flush()
            self._files.finish()
        finally:
            self._close("finished")
            code = exit_code if exit_code is not None else (1 if error else 0)
            try:
                self._writer.append(lambda seq, t: Finish(seq=seq, t=t, exit_code=code, error=error))
            except OSError as exc:  # a full disk: close the run anyway (it shows as crashed on the server)
                logger.warning("the run log could not take the Finish record: %s", exc)
            end_offset = self._writer.offset
            self._writer.close(fsync=self._shipper is None)  # online: the server's ack makes it durable
            if self._stop_fsync is not None:
                self._stop_fsync.set()
            self.config.detach()
            self.summary.detach()
            active.deactivate(self)
            self._report_delivery(end_offset, quiet if quiet is not None else self.settings.quiet)
            if self._folder_lock is not None:
                RunFolder.unlock(self._folder_lock)
                self._folder_lock = None
            if self._debug_handler is not None:
                logging.getLogger("epochal").removeHandler(self._debug_handler)
                self._debug_handler.close()

    def close_in_forked_child(self) -> None:
        """Fork hook: the child must never write to this run (its parent does)."""
        self._close(f"forked child (pid {os.getpid()}) of the process that started run {self.id}")
        self._shipper = None  # the thread does not exist in the child
        if self._folder_lock is not None:  # close our copy only: the parent keeps its lock
            os.close(self._folder_lock)
            self._folder_lock = None

    def _report_delivery(self, end_offset: int, quiet: bool) -> None:
        if self._folder is None:
            return
        if self._shipper is None:
            announce(
                f"offline run {self._name} saved in {self._folder.path}; run 'epochal sync {self._folder.path}'",
                quiet=quiet,
            )
            return
        delivered = self._shipper.drain(end_offset, self.settings.finish_timeout)
        self._shipper.stop()
        if delivered:
            self._folder.mark_synced()
            announce(f"run {self._name} finished: {self.url}", quiet=quiet)
        else:
            fsync_file(self._folder.log_path)  # the log keeps what the server lacks: to disk now
            left = self._writer.seq - self._upload_state.acked_seq
            announce(
                f"server unreachable, {left} records kept in {self._folder.path};"
                f" run 'epochal sync {self._folder.path}' (or the next online init here sends them)",
                quiet=quiet,
                level=logging.WARNING,
            )

    # -- writing -------------------------------------------------------------------------

    def log(self, data: Mapping[str, Any], step: int | None = None, commit: bool | None = None) -> None:
        """Log one row of values (wandb's step rules; see ``epochal.sdk.history``)."""
        self._history.log(data, step, commit)  # refuses once the run is closed

    def save(
        self, glob_str: str | os.PathLike[str], base_path: str | os.PathLike[str] | None = None, policy: str = "live"
    ) -> list[str]:
        """Keep copies of matching files with the run; return their run-relative names."""
        if self._closed is not None:
            raise self._closed_error("save")
        return self._files.save(glob_str, base_path, policy)

    def define_metric(
        self,
        name: str,
        step_metric: str | None = None,
        summary: str | None = None,
        goal: str | None = None,
        hidden: bool = False,
    ) -> MetricDefinition:
        """Declare how a metric (a name or glob like ``"val/*"``) is plotted and summarised."""
        if self._closed is not None:
            raise self._closed_error("define_metric")
        if not isinstance(name, str) or not name:
            raise UsageError(f"define_metric(): name must be a non-empty str, not {name!r}")
        if summary is not None and not set(summary.split(",")) <= _SUMMARY_KINDS:
            raise UsageError(f"define_metric(): summary must be made of {sorted(_SUMMARY_KINDS)}, not {summary!r}")
        if goal is not None and goal not in _GOALS:
            raise UsageError(f"define_metric(): goal must be 'minimize' or 'maximize', not {goal!r}")
        self._writer.append(
            lambda seq, t: MetricDefined(
                seq=seq, t=t, name=name, step_metric=step_metric, summary=summary, goal=goal, hidden=hidden
            )
        )
        return MetricDefinition(name=name, step_metric=step_metric, summary=summary, goal=goal, hidden=hidden)

    def _write_config(self, values: dict[str, Any]) -> None:
        self._require_open("config")
        try:
            self._writer.append(lambda seq, t: ConfigUpdate(seq=seq, t=t, values=values))
        except TypeError as exc:
            raise TypeError(f"config: {exc}") from None

    def _write_summary(self, values: dict[str, Any], deleted: list[str]) -> None:
        self._require_open("summary")
        try:
            self._writer.append(lambda seq, t: SummaryUpdate(seq=seq, t=t, set=values, delete=deleted))
        except TypeError as exc:
            raise TypeError(f"summary: {exc}") from None

    def _write_file_saved(self, name: str, sha256: str, size: int, policy: str) -> None:
        self._writer.append(lambda seq, t: FileSaved(seq=seq, t=t, path=name, sha256=sha256, size=size, policy=policy))

    def _write_run_update(self, **fields: Any) -> None:
        self._require_open("run")
        self._writer.append(lambda seq, t: RunUpdate(seq=seq, t=t, **fields))

    def _require_open(self, what: str) -> None:
        if self._closed is not None:
            raise self._closed_error(what)

    def _close(self, reason: str) -> None:
        self._closed = reason
        self._history.closed = lambda: self._closed_error("log")

    @property
    def log_function(self) -> Callable[..., None]:
        """What ``epochal.log`` is while this run is current: ``log`` without the ``Run`` layer."""
        return self._history.log

    def _closed_error(self, action: str) -> UsageError:
        if self._closed == "finished":
            return UsageError(f"run {self.id} is finished; call epochal.init() to start a new run before {action}")
        return UsageError(f"{action} refused: this process is a {self._closed}; call epochal.init() in the child")

    # -- attributes ----------------------------------------------------------------------

    @property
    def id(self) -> str:
        return self._identity.run_id

    @property
    def entity(self) -> str:
        return self._identity.entity

    @property
    def project(self) -> str:
        return self._identity.project

    @property
    def group(self) -> str | None:
        return self._identity.group

    @property
    def job_type(self) -> str | None:
        return self._identity.job_type

    @property
    def resumed(self) -> bool:
        return self._identity.resumed

    @property
    def path(self) -> str:
        return f"{self.entity}/{self.project}/{self.id}"

    @property
    def url(self) -> str:
        return f"{self.settings.base_url}/{self.entity}/{self.project}/runs/{self.id}"

    @property
    def dir(self) -> str:
        """The run's ``files/`` folder (as wandb's ``run.dir``)."""
        return str(self._folder.files_dir) if self._folder is not None else ""

    @property
    def run_folder(self) -> Path | None:
        """The run folder with the log (None in disabled mode); pass it to ``epochal sync``."""
        return self._folder.path if self._folder is not None else None

    @property
    def step(self) -> int:
        """The step the next committed row gets."""
        return self._history.step

    @property
    def rejected_rows(self) -> int:
        """Rows refused because their step was lower than the current one."""
        return self._history.rejected

    @property
    def offline(self) -> bool:
        return self.settings.mode != "online"

    @property
    def name(self) -> str:
        return self._name

    @name.setter
    def name(self, value: str) -> None:
        if not isinstance(value, str) or not value or len(value) > limits.MAX_RUN_NAME_LENGTH:
            raise UsageError(f"run name must be 1-{limits.MAX_RUN_NAME_LENGTH} characters, not {value!r}")
        self._write_run_update(name=value)
        self._name = value

    @property
    def notes(self) -> str | None:
        return self._notes

    @notes.setter
    def notes(self, value: str) -> None:
        self._write_run_update(notes=check_notes(value))
        self._notes = value

    @property
    def tags(self) -> tuple[str, ...]:
        return self._tags

    @tags.setter
    def tags(self, value: Sequence[str]) -> None:
        tags = check_tags(value)
        self._write_run_update(tags=list(tags))
        self._tags = tags

    def __repr__(self) -> str:
        return f"<epochal Run {self.path} name={self._name!r} step={self.step}>"


def check_tags(tags: Sequence[str] | None) -> tuple[str, ...]:
    if tags is None:
        return ()
    if isinstance(tags, str) or not all(isinstance(tag, str) and tag for tag in tags):
        raise UsageError(f"tags must be a list of non-empty strings, not {tags!r}")
    if len(tags) > limits.MAX_TAGS or any(len(tag) > limits.MAX_TAG_LENGTH for tag in tags):
        raise UsageError(f"at most {limits.MAX_TAGS} tags of at most {limits.MAX_TAG_LENGTH} characters each")
    return tuple(tags)


def check_notes(notes: str | None) -> str | None:
    if notes is not None and (not isinstance(notes, str) or len(notes.encode()) > limits.MAX_NOTES_BYTES):
        raise UsageError(f"notes must be a str of at most {limits.MAX_NOTES_BYTES} bytes")
    return notes


def finish(exit_code: int | None = None, quiet: bool | None = None) -> None:
    """Finish the current run, if any (``wandb.finish()`` / ``wandb.sdk.wandb_run.finish()``)."""
    run = active.current()
    if run is not None:
        run.finish(exit_code=exit_code, quiet=quiet)

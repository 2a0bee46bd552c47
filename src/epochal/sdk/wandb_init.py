"""``init()``: decide who the run is, make its folder, write ``RunStart``, start shipping.

Online, ``init`` asks the server for the default entity (and, for a given id, whether
the run exists) with a short timeout; when the server does not answer it carries on
locally with entity ``"-"`` (the server's default) and the shipper catches up later.
Training never waits on, or fails for, an unreachable server. An online ``init`` also
starts a background sync of the unsynced run folders left in the same ``dir``.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from epochal.sdk import active
from epochal.sdk.config import Config, as_mapping
from epochal.sdk.console import announce
from epochal.sdk.errors import AuthenticationError, CommError, UsageError
from epochal.sdk.names import new_run_id, new_run_name
from epochal.sdk.run_folder import RunFolder
from epochal.sdk.settings import DEFAULT_PROJECT, Settings
from epochal.sdk.system import capture_system
from epochal.sdk.wandb_run import Run, RunIdentity, check_notes, check_tags
from epochal.wire import limits
from epochal.wire.api import RunInfo
from epochal.wire.keys import InvalidKeyError, check_name

if TYPE_CHECKING:
    import argparse

logger = logging.getLogger(__name__)

ResumeOption = Literal["allow", "must", "never", "auto"] | bool | None
ReinitOption = Literal["finish_previous", "return_previous", "create_new"] | bool | None


def sdk_version() -> str:
    """The installed version, from the ``epochal-<version>.dist-info`` folder's name.

    ``importlib.metadata`` gives the same answer but costs the training process ~30 ms
    and ~4 MB (it imports ``email``, ``zipfile``, ``csv``); it stays the fallback for
    layouts without such a folder (eggs, zip imports).
    """
    for entry in sys.path:
        if not entry.endswith(("site-packages", "dist-packages")):
            continue  # not the script's folder: it may hold a million files
        with contextlib.suppress(OSError):
            for found in Path(entry).glob("epochal-*.dist-info"):
                return found.name[len("epochal-") : -len(".dist-info")]
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("epochal")
    except PackageNotFoundError:
        return "0+unknown"


@dataclass(frozen=True)
class _ServerView:
    """What the server told ``init``; all None when it did not answer."""

    entity: str | None = None
    existing: RunInfo | None = None
    reachable: bool = False


def init(  # wandb's signature, positional arguments included
    project: str | None = None,
    entity: str | None = None,
    name: str | None = None,
    id: str | None = None,
    group: str | None = None,
    job_type: str | None = None,
    tags: Sequence[str] | None = None,
    notes: str | None = None,
    config: Mapping[str, Any] | argparse.Namespace | None = None,
    dir: str | Path | None = None,
    mode: Literal["online", "offline", "disabled"] | None = None,
    resume: ResumeOption = None,
    reinit: ReinitOption = None,
    settings: Settings | Mapping[str, Any] | None = None,
) -> Run:
    """Start a run (wandb's ``init``); a run still open is finished first unless ``reinit`` says otherwise."""
    previous = active.current()
    if previous is not None and previous._closed is None:
        if reinit in ("return_previous", False):
            return previous
        if reinit != "create_new":
            previous.finish()
    overrides: dict[str, Any] = {}
    if mode is not None:
        overrides["mode"] = mode
    if dir is not None:
        overrides["dir"] = str(dir)
    resolved = Settings.from_environment(settings).replace(**overrides)
    project = _checked_name(project or resolved.project or DEFAULT_PROJECT, "project", limits.MAX_PROJECT_NAME_LENGTH)
    if id is not None:
        _checked_name(id, "run id", limits.MAX_RUN_ID_LENGTH)
    if name is not None and (not isinstance(name, str) or len(name) > limits.MAX_RUN_NAME_LENGTH):
        raise UsageError(f"run name must be a str of at most {limits.MAX_RUN_NAME_LENGTH} characters")
    if resume not in (None, True, False, "allow", "must", "never", "auto"):
        raise UsageError(f"resume must be 'allow', 'must', 'never', 'auto' or a bool, not {resume!r}")
    run_config = Config(as_mapping(config, "config"))
    entity = entity or resolved.entity

    view = _ask_server(resolved, entity, project, id) if resolved.mode == "online" else _ServerView()
    existing = view.existing
    if existing is not None and resume in (None, False, "never"):
        raise UsageError(
            f"run {id!r} already exists in {existing.entity}/{project}; pass resume='allow' to continue it"
        )
    if existing is None and resume == "must":
        if view.reachable:
            raise UsageError(f"resume='must' but run {id!r} does not exist in project {project!r}")
        logger.warning("resume='must': the server did not answer, so run %r is assumed to exist", id)
    resuming = resume not in (None, False, "never") and (existing is not None or not view.reachable)
    if existing is not None:
        run_config = Config({**existing.config, **run_config.as_dict()})

    identity = RunIdentity(
        entity=(existing.entity if existing else None) or entity or view.entity or "-",
        project=project,
        run_id=id or new_run_id(),
        name=name or (existing.name if existing else None) or new_run_name(),
        group=group if group is not None else (existing.group if existing else None),
        job_type=job_type if job_type is not None else (existing.job_type if existing else None),
        tags=check_tags(tags) if tags is not None else tuple(existing.tags if existing else ()),
        notes=check_notes(notes) if notes is not None else (existing.notes if existing else None),
        resumed=resuming,
        start_step=(existing.last_step + 1) if existing is not None and existing.last_step is not None else 0,
    )
    started = time.time()
    folder = None
    if resolved.mode != "disabled":
        folder = RunFolder.create(Path(resolved.dir or ".").expanduser().absolute(), identity.run_id, started)
    run = Run(identity, resolved, run_config, folder, stream_id=folder.stream_id if folder else uuid.uuid4().hex)
    if existing is not None:
        run.summary.seed(existing.summary)
    run.start(capture_system(sdk_version()) if folder is not None else {})
    active.activate(run)
    if resolved.mode == "online":
        announce(f"run {identity.name} at {run.url}", quiet=resolved.quiet)
        if folder is not None:
            _sync_leftovers_in_background(folder, resolved)
    elif folder is not None:
        announce(f"offline run {identity.name} in {folder.path}", quiet=resolved.quiet)
    return run


def _checked_name(value: str, what: str, max_length: int) -> str:
    try:
        return check_name(value, what, max_length)
    except InvalidKeyError as exc:
        raise UsageError(str(exc)) from None


def _ask_server(settings: Settings, entity: str | None, project: str, run_id: str | None) -> _ServerView:
    """The default entity and the existing run (when an id is given), within ``viewer_timeout``."""
    from epochal.sdk.transport import RunTransport, get_viewer, make_client, transport_errors

    unreachable: tuple[type[BaseException], ...] = (CommError, OSError, *transport_errors())
    try:
        with make_client(settings, timeout=settings.viewer_timeout) as client:
            if entity is None:
                entity = get_viewer(client).entity
            existing = None
            if run_id is not None:
                existing = RunTransport(client, entity, project, run_id).get_run()
            return _ServerView(entity=entity, existing=existing, reachable=True)
    except AuthenticationError:
        raise
    except unreachable as exc:
        logger.warning(
            "server at %s did not answer (%s); logging locally, it will be sent later", settings.base_url, exc
        )
        return _ServerView(entity=entity)


def _sync_leftovers_in_background(folder: RunFolder, settings: Settings) -> None:
    """Earlier runs of this ``dir`` that never reached the server go now, off the caller's thread."""
    from epochal.sdk.sync import start_background_sync

    try:
        start_background_sync(folder.path.parent, exclude=folder.path, settings=settings)
    except Exception as exc:  # e.g. no thread can be started: never fail init for it
        logger.warning("background sync of earlier runs not started: %s", exc)

"""``epochal sync``: ship run folders written offline or while the server was away."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from epochal.sdk.run_folder import RunFolder
    from epochal.sdk.settings import Settings
    from epochal.sdk.sync import SyncResult


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--include-synced", is_flag=True, help="Also send folders already marked synced (harmless: idempotent).")
@click.option("--clean", is_flag=True, help="Delete local folders that are fully synced, instead of syncing.")
@click.option("--base-url", default=None, help="Server URL [default: EPOCHAL_BASE_URL or the login file].")
def sync(paths: tuple[Path, ...], include_synced: bool, clean: bool, base_url: str | None) -> None:
    """Upload run folders (default: ./epochal/run-*) to the server, exactly once.

    PATHS may be run folders or folders holding them. Records the server already has are
    skipped, so syncing twice stores everything once.
    """
    import shutil

    from epochal.sdk.errors import CommError
    from epochal.sdk.settings import Settings
    from epochal.sdk.sync import FolderInUseError, find_run_folders

    folders = [folder for root in (paths or (Path(),)) for folder in find_run_folders(root)]
    if clean:
        done = [folder for folder in folders if folder.is_synced]
        for folder in done:
            shutil.rmtree(folder.path)
        click.echo(f"removed {len(done)} synced run folder(s); kept {len(folders) - len(done)}")
        return
    todo = [folder for folder in folders if include_synced or not folder.is_synced]
    if not todo:
        click.echo("nothing to sync")
        return
    settings = Settings.from_environment({"base_url": base_url} if base_url else None)
    failed = 0
    for folder in todo:
        try:
            result = _sync_with_progress(folder, settings)
        except FolderInUseError as busy:
            click.echo(f"{busy}; skipped (its own process sends it)", err=True)
            continue
        except CommError as error:
            failed += 1
            click.echo(f"{folder.path}: {error}", err=True)
            continue
        state = "complete" if result.complete else "sent (run not finished)"
        click.echo(
            f"{folder.path.name}: {result.records_sent} record(s) {state} -> "
            f"{settings.base_url}/{result.entity}/{result.project}/runs/{result.run_id}"
        )
    if failed:
        raise click.ClickException(f"{failed} folder(s) could not be synced; run 'epochal sync' again later")


def _sync_with_progress(folder: RunFolder, settings: Settings) -> SyncResult:
    """Sync one folder behind a progress bar counting acknowledged bytes of its log."""
    from epochal.sdk.sync import sync_run_folder

    total = folder.log_path.stat().st_size
    with click.progressbar(length=total, label=folder.path.name, show_eta=False, file=sys.stderr) as bar:
        shown = [0]

        def advance(done: int, log_size: int) -> None:
            bar.length = log_size  # the sync first cuts the space a killed writer reserved
            bar.update(max(0, done - shown[0]))
            shown[0] = max(shown[0], done)

        return sync_run_folder(folder.path, settings=settings, on_progress=advance)

"""Runs and files as ``epochal.Api`` returns them (read side of the public HTTP API)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from epochal.sdk.errors import UsageError
from epochal.sdk.transport import decode, raise_for_status
from epochal.wire.api import FileInfo, HistoryPage, RunInfo

if TYPE_CHECKING:
    import httpx

_MAX_PAGE = 10_000


class ApiFile:
    """One saved file of a run: ``name``, ``size``, ``sha256``; ``download()`` writes its exact bytes."""

    def __init__(self, client: httpx.Client, run_path: str, info: FileInfo) -> None:
        self._client = client
        self._url = f"{run_path}/files/{info.path}"
        self.name = info.path
        self.size = info.size
        self.sha256 = info.sha256
        self.updated_at = info.updated_at

    def download(self, root: str | Path = ".", replace: bool = False) -> Path:
        """Write the file under ``root`` (keeping its run-relative name); refuse to overwrite unless ``replace``."""
        target = Path(root) / self.name
        if target.exists() and not replace:
            raise UsageError(f"{target} already exists; pass replace=True to overwrite it")
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.download")
        with self._client.stream("GET", self._url) as response:
            if response.status_code >= 400:
                response.read()
            raise_for_status(response, f"downloading {self.name}")
            with tmp.open("wb") as out:
                for chunk in response.iter_bytes():
                    out.write(chunk)
        tmp.replace(target)
        return target

    def __repr__(self) -> str:
        return f"<ApiFile {self.name} ({self.size} bytes)>"


class ApiRun:
    """A stored run: metadata attributes plus ``history``, ``scan_history`` and ``files``."""

    def __init__(self, client: httpx.Client, info: RunInfo, base_url: str) -> None:
        self._client = client
        self._info = info
        self._path = f"/projects/{info.entity}/{info.project}/runs/{info.run_id}"
        self.id = info.run_id
        self.name = info.name
        self.entity = info.entity
        self.project = info.project
        self.state = info.state
        self.config: dict[str, Any] = dict(info.config)
        self.summary: dict[str, Any] = dict(info.summary)
        self.tags = list(info.tags)
        self.group = info.group
        self.job_type = info.job_type
        self.notes = info.notes
        self.created_at = info.created_at
        self.rejected_rows = info.rejected_rows
        self.last_step = info.last_step
        self.url = f"{base_url}/{info.entity}/{info.project}/runs/{info.run_id}"

    @property
    def path(self) -> list[str]:
        return [self.entity, self.project, self.id]

    @property
    def info(self) -> RunInfo:
        """Everything the server knows about the run (the wire struct)."""
        return self._info

    def scan_history(
        self, keys: Sequence[str] | None = None, page_size: int = 1000, min_step: int | None = None
    ) -> Iterator[dict[str, Any]]:
        """Every history row in step order (``_step``, ``_timestamp``, ``_runtime`` and flattened keys)."""
        params: dict[str, Any] = {"limit": max(1, min(page_size, _MAX_PAGE))}
        if keys:
            params["keys"] = ",".join(keys)
        next_step = min_step
        while True:
            if next_step is not None:
                params["min_step"] = next_step
            response = self._client.get(f"{self._path}/history", params=params)
            raise_for_status(response, f"reading the history of {self.id}")
            page: HistoryPage = decode(response, HistoryPage)
            yield from page.rows
            if page.next_step is None or not page.rows:
                return
            next_step = page.next_step

    def history(self, keys: Sequence[str] | None = None, samples: int = 500, pandas: bool = True) -> Any:
        """At most ``samples`` rows spread evenly over the run (first and last kept).

        A pandas DataFrame when pandas is installed and ``pandas`` is true, else a list of dicts.
        """
        rows = list(self.scan_history(keys=keys))
        if samples > 0 and len(rows) > samples:
            last = len(rows) - 1
            picks = sorted({round(i * last / (samples - 1)) for i in range(samples)}) if samples > 1 else [last]
            rows = [rows[i] for i in picks]
        if pandas:
            try:
                import pandas as pd
            except ImportError:
                return rows
            return pd.DataFrame(rows)
        return rows

    def files(self) -> list[ApiFile]:
        response = self._client.get(f"{self._path}/files")
        raise_for_status(response, f"listing the files of {self.id}")
        infos: list[FileInfo] = decode(response, list[FileInfo])
        return [ApiFile(self._client, self._path, info) for info in infos]

    def file(self, name: str) -> ApiFile:
        for found in self.files():
            if found.name == name:
                return found
        raise UsageError(f"run {self.id} has no file {name!r}")

    def media(self, ref: Mapping[str, Any]) -> bytes:
        """The bytes of a media value from a history row (e.g. an image's PNG)."""
        sha256 = ref.get("sha256") if isinstance(ref, Mapping) else None
        if not isinstance(sha256, str):
            raise UsageError(f"{ref!r} is not a media reference (a history value with '_type' and 'sha256')")
        response = self._client.get(f"{self._path}/blobs/{sha256}")
        raise_for_status(response, f"downloading media {sha256[:12]} of {self.id}")
        return response.content

    def __repr__(self) -> str:
        return f"<ApiRun {self.entity}/{self.project}/{self.id} ({self.state})>"

"""``epochal.Api``: read projects, runs, history and files back over the public HTTP API.

It asks for msgpack (``Accept: application/msgpack``) so floats, NaN and infinities
come back bit-exact. ``runs()`` filters are a dict in wandb's (MongoDB-like) style,
mapped to the API's ``filter`` parameters::

    {"state": "finished"}                 -> filter=state="finished"
    {"config.lr": {"$lt": 0.01}}          -> filter=config.lr<0.01
    {"summary.acc": {"$gte": 0.9, "$lt": 1}, "tags": {"$contains": "best"}}
    {"$and": [{...}, {...}]}              -> all of them

Operators: ``$eq $ne $lt $lte $gt $gte $contains`` (``$regex`` is taken as contains).
Every condition must hold (there is no ``$or``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from epochal.sdk.api_run import ApiFile, ApiRun
from epochal.sdk.errors import CommError, UsageError
from epochal.sdk.settings import Settings
from epochal.sdk.transport import api_transport_errors, decode, get_viewer, make_api_client, raise_for_status
from epochal.wire.api import ProjectInfo, RunInfo, RunPage

__all__ = ["Api", "ApiFile", "ApiRun", "filter_params"]

_OPERATORS = {
    "$eq": "=",
    "$ne": "!=",
    "$lt": "<",
    "$lte": "<=",
    "$gt": ">",
    "$gte": ">=",
    "$contains": "~",
    "$regex": "~",
}
_PAGE = 1000


def filter_params(filters: Mapping[str, Any] | None) -> list[str]:
    """The API's ``filter`` values for a wandb-style filter dict (see the module docstring)."""
    params: list[str] = []
    for field, condition in (filters or {}).items():
        if field == "$and":
            for part in condition:
                params.extend(filter_params(part))
            continue
        if field.startswith("$"):
            raise UsageError(f"runs(): filter operator {field!r} is not supported (only $and at the top)")
        conditions = condition if isinstance(condition, Mapping) else {"$eq": condition}
        for op, value in conditions.items():
            if op not in _OPERATORS:
                raise UsageError(f"runs(): unknown filter operator {op!r} for {field!r}; use {sorted(_OPERATORS)}")
            params.append(f"{field}{_OPERATORS[op]}{msgspec.json.encode(value).decode()}")
    return params


class Api:
    """A client of one server: ``Api(base_url=None, api_key=None)`` defaults to the SDK's settings."""

    def __init__(self, base_url: str | None = None, api_key: str | None = None, timeout: float = 30.0) -> None:
        overrides: dict[str, Any] = {"request_timeout": timeout}
        if base_url:
            overrides["base_url"] = base_url.rstrip("/")
        if api_key:
            overrides["api_key"] = api_key
        self.settings = Settings.from_environment(overrides)
        self._client = make_api_client(self.settings)
        self._default_entity: str | None = None

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Api:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def default_entity(self) -> str:
        if self._default_entity is None:
            self._default_entity = self._call(lambda: get_viewer(self._client)).entity
        return self._default_entity

    def projects(self) -> list[ProjectInfo]:
        return self._get("/projects", list[ProjectInfo], "listing projects")  # type: ignore[no-any-return]

    def runs(self, path: str, filters: Mapping[str, Any] | None = None, order: str | None = None) -> list[ApiRun]:
        """Runs of ``"entity/project"`` (or ``"project"``) matching ``filters``, in ``order`` (default newest first)."""
        entity, project = self._split(path, 2)
        params: dict[str, Any] = {"filter": filter_params(filters), "limit": _PAGE}
        if order:
            params["order"] = order.lstrip("+").replace("summary_metrics.", "summary.")
        runs: list[ApiRun] = []
        while True:
            params["offset"] = len(runs)
            page: RunPage = self._get(f"/projects/{entity}/{project}/runs", RunPage, f"listing runs of {path}", params)
            runs.extend(ApiRun(self._client, info, self.settings.base_url) for info in page.runs)
            if not page.runs or len(runs) >= page.total:
                return runs

    def run(self, path: str) -> ApiRun:
        """One run by ``"entity/project/run_id"`` (``"entity/project/runs/run_id"`` works too)."""
        parts = [p for p in path.strip("/").split("/") if p]
        if len(parts) == 4 and parts[2] == "runs":
            parts = [parts[0], parts[1], parts[3]]
        entity, project, run_id = self._split("/".join(parts), 3)
        info: RunInfo = self._get(f"/projects/{entity}/{project}/runs/{run_id}", RunInfo, f"reading run {path}")
        return ApiRun(self._client, info, self.settings.base_url)

    def _split(self, path: str, size: int) -> list[str]:
        parts = [p for p in path.strip("/").split("/") if p]
        if len(parts) == size - 1:
            parts.insert(0, self.default_entity)
        if len(parts) != size:
            shape = "entity/project" if size == 2 else "entity/project/run_id"
            raise UsageError(f"expected a path like {shape!r}, got {path!r}")
        return parts

    def _get(self, url: str, kind: Any, what: str, params: Mapping[str, Any] | None = None) -> Any:
        def call() -> Any:
            response = self._client.get(url, params=params)
            if response.status_code == 404:
                raise UsageError(f"{what}: not found on {self.settings.base_url}")
            raise_for_status(response, what)
            return decode(response, kind)

        return self._call(call)

    def _call(self, call: Any) -> Any:
        try:
            return call()
        except api_transport_errors() as exc:
            raise CommError(f"cannot reach the server at {self.settings.base_url}: {exc}") from exc

"""What every route needs (settings, store, event bus), injected as FastAPI dependencies."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request

from epochal.server.errors import UnprocessableError
from epochal.server.events import EventBus
from epochal.server.run_json import RunJsonCache
from epochal.server.settings import ServerSettings
from epochal.store.base import RunRef, Store
from epochal.wire import limits
from epochal.wire.keys import InvalidKeyError, check_name


@dataclass
class ServerContext:
    """One per app; ``store`` is opened by the lifespan before the first request."""

    settings: ServerSettings
    events: EventBus
    store: Store | None = None
    run_json: RunJsonCache = field(default_factory=RunJsonCache)

    def require_store(self) -> Store:
        if self.store is None:
            raise RuntimeError("the store is not open: requests arrived outside the app's lifespan")
        return self.store

    def entity(self, entity: str) -> str:
        """The path's entity, with ``-`` meaning the caller's default entity."""
        return self.settings.default_entity if entity == "-" else entity

    def run_ref(self, entity: str, project: str, run_id: str) -> RunRef:
        return RunRef(self.entity(entity), project, run_id)

    def checked_run_ref(self, entity: str, project: str, run_id: str) -> RunRef:
        """A run address for writes: names must follow the rules (422 otherwise)."""
        ref = self.run_ref(entity, project, run_id)
        try:
            check_name(ref.entity, "entity", limits.MAX_PROJECT_NAME_LENGTH)
            check_name(ref.project, "project", limits.MAX_PROJECT_NAME_LENGTH)
            check_name(ref.run_id, "run id", limits.MAX_RUN_ID_LENGTH)
        except InvalidKeyError as exc:
            raise UnprocessableError(str(exc), code="invalid_name") from exc
        return ref


async def get_context(request: Request) -> ServerContext:
    context: ServerContext = request.app.state.context
    return context


async def get_store(request: Request) -> Store:
    return (await get_context(request)).require_store()


Context = Annotated[ServerContext, Depends(get_context)]
StoreDep = Annotated[Store, Depends(get_store)]

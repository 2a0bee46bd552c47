"""The OpenAPI document, with response schemas generated from the msgspec wire structs.

Routes return encoded ``Response`` objects, so FastAPI cannot see their shapes; each route
declares them with :func:`responses`, and :func:`install_openapi` adds the component
schemas of every wire struct. Numbers in JSON responses may be the strings ``"NaN"``,
``"Infinity"`` or ``"-Infinity"``, and the schemas say so, so a fuzzer checking responses
against the document accepts what the server really sends.
"""

from __future__ import annotations

from typing import Any

import msgspec
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from epochal.wire import accounts, api

REF_TEMPLATE = "#/components/schemas/{name}"

DOCUMENTED_TYPES: tuple[Any, ...] = (
    api.Health,
    api.Viewer,
    api.ProjectInfo,
    api.RunInfo,
    api.RunPage,
    api.RunPatch,
    api.SeriesKey,
    api.FileInfo,
    api.IngestAck,
    api.SeriesResponse,
    api.SeriesPoints,
    api.HistoryPage,
    api.BlobStored,
    api.PointsEvent,
    api.ErrorBody,
    accounts.UserInfo,
    accounts.NewUser,
    accounts.TeamInfo,
    accounts.NewTeam,
    accounts.ApiKeyInfo,
    accounts.NewApiKey,
    accounts.ApiKeyCreated,
    accounts.ProjectAccess,
    accounts.SessionsEnded,
)
"""Every struct a route names in :func:`responses` or :func:`json_body`."""

_ERROR_DESCRIPTIONS = {
    400: "Malformed body",
    401: "Not signed in, or the API key is unknown or revoked",
    403: "Signed in but not allowed (e.g. read-only access, not an admin, missing CSRF token)",
    404: "Unknown project, run, file or blob",
    409: "Sequence conflict (the body carries acked_seq), a name already taken, or accounts off in local mode",
    413: "Over a size limit",
    422: "A value breaks a rule",
    507: "Storage full; nothing was stored",
}

_NON_FINITE_NAMES = {"enum": ["NaN", "Infinity", "-Infinity"]}


def schema_of(type_: Any) -> dict[str, Any]:
    (schema,), _ = msgspec.json.schema_components([type_], ref_template=REF_TEMPLATE)
    return schema


def _error_responses(errors: tuple[int, ...]) -> dict[int | str, dict[str, Any]]:
    error_schema = {"$ref": REF_TEMPLATE.format(name="ErrorBody")}
    return {
        code: {"description": _ERROR_DESCRIPTIONS[code], "content": {"application/json": {"schema": error_schema}}}
        for code in (*errors, 422)
    }


def responses(type_: Any, *, errors: tuple[int, ...] = ()) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a route answering ``type_`` (JSON or msgpack) or an error."""
    schema = schema_of(type_)
    content = {"application/json": {"schema": schema}, "application/msgpack": {"schema": schema}}
    return {200: {"description": "Success", "content": content}, **_error_responses(errors)}


def no_content(*, status: int = 204, errors: tuple[int, ...] = ()) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a route answering without a body, or an error."""
    return {status: {"description": "Done"}, **_error_responses(errors)}


def raw_response(media_type: str, *, errors: tuple[int, ...] = ()) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a route answering bytes (a file) or a text stream."""
    schema = {"type": "string", "format": "binary"} if media_type != "text/event-stream" else {"type": "string"}
    return {200: {"description": "Success", "content": {media_type: {"schema": schema}}}, **_error_responses(errors)}


def json_body(type_: Any) -> dict[str, Any]:
    """``openapi_extra`` for a route that parses a JSON body of ``type_`` itself."""
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema_of(type_)}}}}


def binary_body(media_type: str) -> dict[str, Any]:
    """``openapi_extra`` for a route reading raw bytes."""
    return {
        "requestBody": {"required": True, "content": {media_type: {"schema": {"type": "string", "format": "binary"}}}}
    }


def _allow_non_finite(schema: Any) -> Any:
    if isinstance(schema, list):
        return [_allow_non_finite(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    patched = {key: _allow_non_finite(value) for key, value in schema.items()}
    if patched.get("type") == "number":
        del patched["type"]
        patched["anyOf"] = [{"type": "number"}, _NON_FINITE_NAMES]
    return patched


def install_openapi(app: FastAPI, *, version: str) -> None:
    """Generate the document once, on first request, with the wire structs' schemas."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title="Epochal",
                version=version,
                description="Self-hosted experiment tracking. Shapes are documented in docs/api.md.",
                routes=app.routes,
            )
            _, components = msgspec.json.schema_components(DOCUMENTED_TYPES, ref_template=REF_TEMPLATE)
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            schemas.update(_allow_non_finite(components))
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

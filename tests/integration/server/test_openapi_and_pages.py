"""The API describes itself completely, and the HTML page escapes what users typed."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from tests.integration.server.server_client import ApiClient

from epochal.server.web_pages import WEBUI_DIR
from epochal.wire.records import RunStart

SPA_BUILT = (WEBUI_DIR / "index.html").is_file()

DOCUMENTED_ROUTES = {
    ("get", "/api/v1/health"),
    ("get", "/api/v1/viewer"),
    ("get", "/api/v1/projects"),
    ("get", "/api/v1/projects/{entity}/{project}"),
    ("get", "/api/v1/projects/{entity}/{project}/runs"),
    ("get", "/api/v1/projects/{entity}/{project}/runs/{run_id}"),
    ("patch", "/api/v1/projects/{entity}/{project}/runs/{run_id}"),
    ("delete", "/api/v1/projects/{entity}/{project}/runs/{run_id}"),
    ("post", "/api/v1/projects/{entity}/{project}/runs/{run_id}/streams/{stream_id}"),
    ("get", "/api/v1/projects/{entity}/{project}/runs/{run_id}/streams/{stream_id}"),
    ("post", "/api/v1/projects/{entity}/{project}/runs/{run_id}/heartbeat"),
    ("put", "/api/v1/projects/{entity}/{project}/runs/{run_id}/blobs/{sha256}"),
    ("head", "/api/v1/projects/{entity}/{project}/runs/{run_id}/blobs/{sha256}"),
    ("get", "/api/v1/projects/{entity}/{project}/runs/{run_id}/blobs/{sha256}"),
    ("get", "/api/v1/projects/{entity}/{project}/runs/{run_id}/keys"),
    ("get", "/api/v1/projects/{entity}/{project}/runs/{run_id}/history"),
    ("get", "/api/v1/projects/{entity}/{project}/runs/{run_id}/points"),
    ("get", "/api/v1/projects/{entity}/{project}/series"),
    ("get", "/api/v1/projects/{entity}/{project}/keys"),
    ("get", "/api/v1/projects/{entity}/{project}/runs/{run_id}/files"),
    ("get", "/api/v1/projects/{entity}/{project}/runs/{run_id}/files/{path}"),
    ("get", "/api/v1/projects/{entity}/{project}/events"),
    # accounts and access (docs/security.md)
    ("get", "/api/v1/projects/{entity}/{project}/access"),
    ("put", "/api/v1/projects/{entity}/{project}/access"),
    ("get", "/api/v1/keys"),
    ("post", "/api/v1/keys"),
    ("delete", "/api/v1/keys/{key_id}"),
    ("delete", "/api/v1/sessions"),
    ("get", "/api/v1/users"),
    ("post", "/api/v1/users"),
    ("get", "/api/v1/users/me"),
    ("get", "/api/v1/teams"),
    ("post", "/api/v1/teams"),
    ("put", "/api/v1/teams/{team}/members/{username}"),
    ("delete", "/api/v1/teams/{team}/members/{username}"),
}


def refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in refs(value)]
    return []


def test_the_openapi_document_lists_every_route_with_its_response_schema(api: ApiClient) -> None:
    document = api.http.get("/openapi.json").json()
    operations = {
        (method, path): operation for path, item in document["paths"].items() for method, operation in item.items()
    }
    assert set(operations) == DOCUMENTED_ROUTES
    for (method, path), operation in operations.items():
        success = next(code for code in operation["responses"] if code.startswith("2"))
        content = operation["responses"][success].get("content", {})
        if success == "200" and "application/json" in content:
            assert content["application/json"]["schema"], (method, path)
    schemas = document["components"]["schemas"]
    for ref in refs(document):
        assert ref.removeprefix("#/components/schemas/") in schemas, ref
    runtime = schemas["RunInfo"]["properties"]["runtime"]
    assert {"enum": ["NaN", "Infinity", "-Infinity"]} in runtime["anyOf"]
    docs = api.http.get("/docs")
    assert docs.status_code == 200 and "openapi.json" in docs.text


def test_the_plain_page_lists_runs_and_escapes_user_text(api: ApiClient) -> None:
    start = RunStart(
        seq=1,
        t=1.0,
        project="proj",
        run_id="r1",
        name="<script>alert(1)</script>",
        config={"net": "<img src=x onerror=alert(2)>"},
    )
    assert api.ingest("r1", start).status_code == 200
    pages = [httpx.get(f"{api.base_url}/plain")]
    if not SPA_BUILT:
        pages.append(httpx.get(f"{api.base_url}/"))
    for page in pages:
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert "<script>" not in page.text and "<img" not in page.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
        assert "&lt;img src=x onerror=alert(2)&gt;" in page.text
        assert "running" in page.text
        assert_security_headers(page)


def assert_security_headers(page: httpx.Response) -> None:
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["referrer-policy"] == "same-origin"


def test_the_root_page_is_html_with_security_headers(api: ApiClient) -> None:
    page = httpx.get(f"{api.base_url}/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert_security_headers(page)


@pytest.mark.skipif(not SPA_BUILT, reason="the web UI is not built into src/epochal/server/webui")
def test_the_spa_answers_client_side_routes_but_not_unknown_api_paths(api: ApiClient) -> None:
    root = httpx.get(f"{api.base_url}/")
    deep = httpx.get(f"{api.base_url}/local/proj/runs/r1")
    assert deep.status_code == 200 and deep.text == root.text
    assert_security_headers(deep)
    ApiClient.expect_error(httpx.get(f"{api.base_url}/api/v1/nope"), 404, "not_found")
    ApiClient.expect_error(httpx.get(f"{api.base_url}/api/nope"), 404, "not_found")


def test_responses_carry_a_request_id(api: ApiClient) -> None:
    assert api.http.get("/health", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"] == "abc-123"
    assert len(api.http.get("/health").headers["x-request-id"]) == 16

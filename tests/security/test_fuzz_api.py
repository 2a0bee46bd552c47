"""schemathesis generates requests from the OpenAPI document (as the admin, who reaches every
route's code): whatever it sends, the server answers without a 5xx.

The budget is ``FUZZ_EXAMPLES`` generated requests per operation (34 operations), bounded so the
whole file runs in about a minute. The live event stream is left out: it never ends by design.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import Case
from schemathesis.schemas import BaseSchema
from tests.security.conftest import AuthServer, start_auth_server

FUZZ_EXAMPLES = 50


@schemathesis.serializer("application/x-epochal-frames")
def _frames(ctx: schemathesis.SerializationContext, value: object) -> bytes:
    """Ingest bodies are raw bytes: send what was generated as is (random frames)."""
    return value if isinstance(value, bytes) else str(value).encode()


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AuthServer]:
    auth = start_auth_server(tmp_path_factory.mktemp("fuzz") / "server-data")
    try:
        yield auth
    finally:
        auth.server.stop()


@pytest.fixture(scope="module")
def api_schema(fuzz_server: AuthServer) -> BaseSchema:
    schema = schemathesis.openapi.from_url(f"{fuzz_server.url}/api/v1/openapi.json")
    return schema.exclude(path_regex=r"/events$")


def test_no_request_gets_a_server_error(api_schema: BaseSchema, fuzz_server: AuthServer) -> None:
    headers = {"Authorization": f"Bearer {fuzz_server.keys['root']}"}
    failures: list[str] = []
    operations = 0
    sent = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def fuzz(case: Case) -> None:
            nonlocal sent
            response = case.call(base_url=fuzz_server.url, headers=headers, timeout=30)
            sent += 1
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:300]}")

        fuzz()
    print(f"fuzzing: {operations} operations x up to {FUZZ_EXAMPLES} examples; {sent} requests, none answered 5xx")
    assert operations >= 30
    assert not failures, "\n".join(failures[:20])

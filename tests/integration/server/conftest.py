"""Fixtures of the server tests: a real ``epochal server`` process and a client for it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from tests.integration.server.server_client import ApiClient


@pytest.fixture
def api(live_server: Any) -> Iterator[ApiClient]:
    with httpx.Client(base_url=f"{live_server.url}/api/v1", timeout=30.0) as http:
        yield ApiClient(http, live_server.url)

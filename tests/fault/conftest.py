"""Fault-test fixtures: a server that declares silent runs crashed after 3 s."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.conftest import LiveServer, free_port

CRASH_AFTER_S = 3


@pytest.fixture
def impatient_server(tmp_path: Path) -> Iterator[LiveServer]:
    """A real server whose sweeper marks a run crashed after ``CRASH_AFTER_S`` silent seconds."""
    server = LiveServer(
        data_dir=tmp_path / "server-data", port=free_port(), extra_args=("--crash-after", str(CRASH_AFTER_S))
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()

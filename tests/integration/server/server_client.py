"""A small HTTP client for the server tests: streams built from wire records, error checks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from epochal.wire.framing import frame
from epochal.wire.records import Record, encode_record


@dataclass
class ApiClient:
    """An httpx client rooted at ``/api/v1``, plus the calls the SDK makes and error checks."""

    http: httpx.Client
    base_url: str

    @staticmethod
    def frames(*records: Record) -> bytes:
        return b"".join(frame(encode_record(record)) for record in records)

    def ingest(
        self, run_id: str, *records: Record, project: str = "proj", entity: str = "-", stream: str = "s1"
    ) -> httpx.Response:
        return self.post_frames(run_id, self.frames(*records), project=project, entity=entity, stream=stream)

    def post_frames(
        self, run_id: str, body: Any, *, project: str = "proj", entity: str = "-", stream: str = "s1"
    ) -> httpx.Response:
        return self.http.post(
            f"/projects/{entity}/{project}/runs/{run_id}/streams/{stream}",
            content=body,
            headers={"Content-Type": "application/x-epochal-frames"},
        )

    def run(self, run_id: str, project: str = "proj") -> dict[str, Any]:
        response = self.http.get(f"/projects/local/{project}/runs/{run_id}")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    @staticmethod
    def expect_error(response: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
        """The one error shape, with the expected status (and code when given)."""
        assert response.status_code == status, response.text
        body: dict[str, Any] = response.json()
        assert set(body["error"]) == {"code", "message"}
        assert body["error"]["message"]
        if code is not None:
            assert body["error"]["code"] == code, body
        return body

"""JSON answers of runs lists, assembled from one cached fragment per run.

A runs table of 10,000 runs × 70 config and summary keys is ~18 MB of JSON: encoding it with
the NaN check costs about 0.45 s of a request on two cores, three times the list itself. The
store hands out the same ``RunInfo`` object while a run is unchanged (``store/meta/run_cache.py``),
so each run's fragment is kept with the object it was made from and reused while the store
still returns that object; a list answer is then a join of bytes.
"""

from __future__ import annotations

import threading

import msgspec

from epochal.server.encoding import json_ready
from epochal.wire.api import RunInfo, RunPage

MAX_CACHED_RUNS = 100_000
"""Fragments kept at most (about 2 KB each for a run with 70 keys); past it the cache starts over."""


class RunJsonCache:
    def __init__(self, max_runs: int = MAX_CACHED_RUNS) -> None:
        self._max_runs = max_runs
        self._fragments: dict[tuple[str, str, str], tuple[RunInfo, bytes]] = {}
        self._lock = threading.Lock()

    def page(self, page: RunPage) -> bytes:
        """The JSON of ``page``, byte for byte what encoding it whole (NaN as strings) gives."""
        fragments = self._fragments
        parts: list[bytes] = []
        made: dict[tuple[str, str, str], tuple[RunInfo, bytes]] = {}
        for run in page.runs:
            key = (run.entity, run.project, run.run_id)
            entry = fragments.get(key)
            if entry is None or entry[0] is not run:
                entry = made[key] = (run, msgspec.json.encode(json_ready(run)))
            parts.append(entry[1])
        if made:
            self._keep(made)
        return b'{"runs":[' + b",".join(parts) + b'],"total":' + str(page.total).encode() + b"}"

    def fragment(self, run: RunInfo) -> bytes:
        """One run's JSON (the live ``run`` event), kept for the next list of its project."""
        key = (run.entity, run.project, run.run_id)
        entry = self._fragments.get(key)
        if entry is None or entry[0] is not run:
            entry = (run, msgspec.json.encode(json_ready(run)))
            self._keep({key: entry})
        return entry[1]

    def _keep(self, made: dict[tuple[str, str, str], tuple[RunInfo, bytes]]) -> None:
        with self._lock:
            if len(self._fragments) + len(made) > self._max_runs:
                self._fragments = {}
            self._fragments.update(made)

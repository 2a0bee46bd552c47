"""Helpers shared by the contract tests: building streams of records."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from epochal.store.base import RunRef
from epochal.wire.records import History, Record, RunStart

T0 = 1_700_000_000.0
ENTITY = "local"


@dataclass
class Stream:
    """Builds a stream's records with consecutive ``seq`` numbers and rising ``t``."""

    project: str = "proj"
    run_id: str = "run1"
    seq: int = 0
    t: float = T0
    records: list[Record] = field(default_factory=list)

    def add(self, kind: type[Any], **fields: Any) -> Record:
        self.seq += 1
        self.t = fields.pop("t", self.t + 1.0)
        record: Record = kind(seq=self.seq, t=self.t, **fields)
        self.records.append(record)
        return record

    def start(self, **fields: Any) -> Record:
        return self.add(RunStart, project=self.project, run_id=self.run_id, **fields)

    def take(self) -> list[Record]:
        """The records added since the last take."""
        batch, self.records = self.records, []
        return batch

    @property
    def ref(self) -> RunRef:
        return RunRef(ENTITY, self.project, self.run_id)

    def log(self, step: int, row: dict[str, Any], **fields: Any) -> Record:
        return self.add(History, step=step, row=row, **fields)

"""Decoding runs of History frames straight into columns, without a dict per row.

A training loop logs the same flat keys on every step, so its History payloads
(``[2, seq, t, step, {key: value, ...}]`` in msgpack) are byte for byte alike except in
the numbers. The first payload of a run of equal-length frames is parsed as a *layout*:
which bytes are structure (type markers, map header, key strings) and where each number
lies. Every following payload whose structure bytes equal the layout's has the same
structure, since msgpack is parsed left to right from those bytes alone; its numbers are
then read for all rows at once with numpy (big-endian views). Only what msgspec would
decode to the same History record is accepted: int64-range ints, float64, bools, string
keys in valid UTF-8 without repeats, and seqs counting up by one. Anything else is left to
the per-frame msgspec decode.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import as_strided

from epochal.store.history_block import HistoryBlock, IngestItem
from epochal.store.series.codec import Kind, Values
from epochal.store.series.writer import Column
from epochal.wire.framing import HEADER_SIZE
from epochal.wire.records import HISTORY_KIND, decode_record

MIN_BLOCK: Final = 8
"""Fewer rows than this are decoded one by one (the block's numpy calls would cost more)."""

_HISTORY_HEAD: Final = bytes([0x95, HISTORY_KIND])  # a 5-element array, then the tag
_FIRST_PROBE: Final = 16

# msgpack type byte -> (data bytes after it, big-endian dtype) for the numbers we read
_UINTS: Final = {0xCC: (1, ">u1"), 0xCD: (2, ">u2"), 0xCE: (4, ">u4")}
_INTS: Final = {**_UINTS, 0xD0: (1, ">i1"), 0xD1: (2, ">i2"), 0xD2: (4, ">i4"), 0xD3: (8, ">i8")}
_FLOAT64: Final = 0xCB
_FALSE, _TRUE = 0xC2, 0xC3


@dataclass(frozen=True)
class _Number:
    """Where one number lies in the payload, and how it is encoded."""

    pos: int  # its type byte
    code: str  # "fixint" / "negfixint" / "bool" (the type byte is the value), or a dtype
    kind: Kind

    @property
    def width(self) -> int:
        return 0 if self.code in ("fixint", "negfixint", "bool") else np.dtype(self.code).itemsize

    def read(self, rows: npt.NDArray[np.uint8]) -> Values:
        """This number in every row of ``rows`` (one payload per row; rows contiguous)."""
        marker = rows[:, self.pos]
        if self.code == "bool":
            flags: npt.NDArray[np.bool_] = marker == _TRUE
            return flags
        if self.code == "fixint":
            return marker.astype(np.int64)
        if self.code == "negfixint":
            return marker.view(np.int8).astype(np.int64)
        # a big-endian view of the number's bytes in each row: one pass reads and byte-swaps it
        words = rows[:, self.pos + 1 : self.pos + 1 + self.width].view(self.code)[:, 0]
        return words.astype(np.float64) if self.kind == "f" else words.astype(np.int64)

    def fits(self, rows: npt.NDArray[np.uint8]) -> npt.NDArray[np.bool_]:
        """Rows whose type byte keeps this encoding (a fixint's byte is its value)."""
        marker = rows[:, self.pos]
        fits: npt.NDArray[np.bool_]
        if self.code == "fixint":
            fits = marker < 0x80
        elif self.code == "negfixint":
            fits = marker >= 0xE0
        elif self.code == "bool":
            fits = (marker == _FALSE) | (marker == _TRUE)
        else:
            fits = np.ones(len(rows), dtype=np.bool_)  # its type byte is checked as structure
        return fits


@dataclass(frozen=True)
class _Layout:
    template: npt.NDArray[np.uint8]
    structure: npt.NDArray[np.bool_]  # True where every row must equal the template
    seq: _Number
    t: _Number
    step: _Number
    keys: tuple[str, ...]
    values: tuple[_Number, ...]

    def matches(self, rows: npt.NDArray[np.uint8]) -> npt.NDArray[np.bool_]:
        same: npt.NDArray[np.bool_] = ((rows == self.template) | ~self.structure).all(axis=1)
        for number in (self.seq, self.step, *self.values):
            same &= number.fits(rows)
        return same


def decode_frames(body: bytes, starts: npt.NDArray[np.int64], lengths: npt.NDArray[np.int64]) -> list[IngestItem]:
    """The records of a body whose frames are known good: History runs as blocks.

    Raises msgspec's errors for a frame it cannot decode (the caller then names it).
    """
    if not len(starts):
        return []  # an empty body: the SDK's "where is my stream" probe
    data = np.frombuffer(body, dtype=np.uint8)
    items: list[IngestItem] = []
    history = _history_heads(data, starts, lengths)
    # a group: consecutive frames of one length, all History or all not
    cuts = np.flatnonzero((lengths[1:] != lengths[:-1]) | (history[1:] != history[:-1])) + 1
    bounds = [0, *cuts.tolist(), len(starts)]
    for first, stop in itertools.pairwise(bounds):
        if history[first] and stop - first >= MIN_BLOCK:
            rows = as_strided(
                data[int(starts[first]) :],
                shape=(stop - first, int(lengths[first])),
                strides=(HEADER_SIZE + int(lengths[first]), 1),
            )
            done = 0
            for block, count in _blocks(rows):
                if block is not None:
                    items.append(block)
                else:
                    items.extend(_each(body, starts[first + done : first + done + count], lengths[first]))
                done += count
        else:
            items.extend(_each(body, starts[first:stop], lengths[first:stop]))
    return items


def _history_heads(
    data: npt.NDArray[np.uint8], starts: npt.NDArray[np.int64], lengths: npt.NDArray[np.int64]
) -> npt.NDArray[np.bool_]:
    heads = np.zeros(len(starts), dtype=np.bool_)
    long_enough = lengths >= 2
    at = starts[long_enough]
    heads[long_enough] = (data[at] == _HISTORY_HEAD[0]) & (data[at + 1] == _HISTORY_HEAD[1])
    return heads


def _each(body: bytes, starts: npt.NDArray[np.int64], lengths: npt.NDArray[np.int64] | np.int64) -> list[IngestItem]:
    ends = starts + lengths
    return [decode_record(body[s:e]) for s, e in zip(starts.tolist(), ends.tolist(), strict=True)]


def _blocks(rows: npt.NDArray[np.uint8]) -> Iterator[tuple[HistoryBlock | None, int]]:
    """Split equal-length History payloads into blocks and rows left to msgspec (None)."""
    start, total = 0, len(rows)
    while start < total:
        layout = _layout(bytes(rows[start]))
        end = start + 1 if layout is None else _matching_end(rows, start, layout)
        if layout is None or end - start < MIN_BLOCK:
            yield None, total - start  # an irregular group: not worth more layouts
            return
        block = _block(rows[start:end], layout)
        if len(block.steps) < MIN_BLOCK:  # seqs out of order: the batch is refused anyway
            yield None, total - start
            return
        yield block, len(block.steps)
        start += len(block.steps)


def _matching_end(rows: npt.NDArray[np.uint8], start: int, layout: _Layout) -> int:
    """The end of the rows from ``start`` that match the layout (probes double: linear work)."""
    end, probe = start + 1, _FIRST_PROBE
    while end < len(rows):
        stop = min(end + probe, len(rows))
        bad = np.flatnonzero(~layout.matches(rows[end:stop]))
        if bad.size:
            return end + int(bad[0])
        end, probe = stop, probe * 2
    return end


def _block(rows: npt.NDArray[np.uint8], layout: _Layout) -> HistoryBlock:
    """The rows as a block, cut where seq stops counting up by one."""
    rows = np.ascontiguousarray(rows)  # one copy; each number's bytes are then a cheap strided view
    seqs = layout.seq.read(rows)
    breaks = np.flatnonzero(np.diff(seqs) != 1)
    if breaks.size:
        rows, seqs = rows[: int(breaks[0]) + 1], seqs[: int(breaks[0]) + 1]
    steps = layout.step.read(rows).astype(np.int64)
    columns = tuple(Column(steps, number.read(rows), number.kind) for number in layout.values)
    return HistoryBlock(int(seqs[0]), steps, layout.t.read(rows).astype(np.float64), layout.keys, columns)


class _Parser:
    """Walks one payload, noting structure bytes and numbers; ``None`` from any step: not ours."""

    def __init__(self, payload: bytes) -> None:
        self.payload = payload
        self.pos = 0
        self.structure = np.zeros(len(payload), dtype=np.bool_)

    def fixed(self, size: int) -> bytes | None:
        """``size`` structure bytes."""
        if self.pos + size > len(self.payload):
            return None
        chunk = self.payload[self.pos : self.pos + size]
        self.structure[self.pos : self.pos + size] = True
        self.pos += size
        return chunk

    def number(self, *, signed: bool, floats: bool, bools: bool) -> _Number | None:
        if self.pos >= len(self.payload):
            return None
        pos, marker = self.pos, self.payload[self.pos]
        number: _Number | None = None
        if marker < 0x80:
            number = _Number(pos, "fixint", "i")
        elif signed and marker >= 0xE0:
            number = _Number(pos, "negfixint", "i")
        elif bools and marker in (_FALSE, _TRUE):
            number = _Number(pos, "bool", "b")
        elif floats and marker == _FLOAT64:
            number = _Number(pos, ">f8", "f")
        elif marker in (_INTS if signed else _UINTS):
            number = _Number(pos, (_INTS if signed else _UINTS)[marker][1], "i")
        if number is None:
            return None
        if number.width:
            self.structure[pos] = True  # the type byte; fixints and bools vary in it
        self.pos += 1 + number.width
        return number if self.pos <= len(self.payload) else None

    def string(self) -> str | None:
        marker = self.fixed(1)
        if marker is None:
            return None
        if 0xA0 <= marker[0] <= 0xBF:
            size = marker[0] - 0xA0
        elif marker[0] == 0xD9:
            head = self.fixed(1)
            size = -1 if head is None else head[0]
        else:
            return None
        raw = self.fixed(size) if size >= 0 else None
        try:
            return None if raw is None else raw.decode("utf-8")
        except UnicodeDecodeError:
            return None

    def map_size(self) -> int | None:
        marker = self.fixed(1)
        if marker is None:
            return None
        if 0x81 <= marker[0] <= 0x8F:
            return marker[0] - 0x80
        if marker[0] == 0xDE:
            head = self.fixed(2)
            return None if head is None else int.from_bytes(head, "big") or None
        return None


def _layout(payload: bytes) -> _Layout | None:
    """The layout of one History payload, or None when it is not a plain row of numbers."""
    parser = _Parser(payload)
    if parser.fixed(2) != _HISTORY_HEAD:
        return None
    seq = parser.number(signed=False, floats=False, bools=False)
    t = parser.number(signed=False, floats=True, bools=False)
    step = parser.number(signed=False, floats=False, bools=False)
    size = parser.map_size()
    if seq is None or t is None or t.kind != "f" or step is None or size is None:
        return None
    keys: list[str] = []
    values: list[_Number] = []
    for _ in range(size):
        key = parser.string()
        value = parser.number(signed=True, floats=True, bools=True)
        if key is None or value is None:
            return None
        keys.append(key)
        values.append(value)
    if parser.pos != len(payload) or len(set(keys)) != len(keys):
        return None
    template = np.frombuffer(payload, dtype=np.uint8)
    return _Layout(template, parser.structure, seq, t, step, tuple(keys), tuple(values))

"""The ingest body's fast decode (History runs straight to columns) is the per-frame decode.

``decode_batch`` reads runs of alike History frames with numpy; ``decode_each`` is the
reference (one ``iter_frames`` step and one msgspec call per frame). For any body they
must give the same records (bit for bit: NaN payloads, -0.0, huge ints) or the same
error, and the store must keep the same series, summary and history from either.
"""

from __future__ import annotations

import itertools
import math
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from epochal.server.batch import check_batch, decode_batch, decode_each, last_history_step
from epochal.server.errors import PublicError
from epochal.store.base import RunRef
from epochal.store.factory import open_store
from epochal.store.history_block import HistoryBlock, IngestItem
from epochal.store.sql_store import SqlStore
from epochal.wire.framing import frame
from epochal.wire.records import Record, RunStart, SummaryUpdate, encode_record

T0 = 1_700_000_000.0
REF = RunRef("local", "proj", "run1")


def _history(seq: int, step: int, row: dict[str, Any], t: float | None = None) -> bytes:
    """A History payload as the SDK's ``log()`` encodes it (a plain tuple)."""
    return msgspec.msgpack.encode((2, seq, T0 + seq if t is None else t, step, row))


def _body(payloads: list[bytes]) -> bytes:
    return b"".join(frame(p) for p in payloads)


def _start(seq: int = 1) -> bytes:
    return encode_record(RunStart(seq=seq, t=T0, project=REF.project, run_id=REF.run_id))


def _expanded(items: list[IngestItem]) -> list[Record]:
    return list(itertools.chain.from_iterable(i.records() if isinstance(i, HistoryBlock) else [i] for i in items))


def _assert_same_records(body: bytes) -> list[IngestItem]:
    fast = decode_batch(body)
    # msgpack of the records compares every float bit pattern and every int exactly
    assert msgspec.msgpack.encode(_expanded(fast)) == msgspec.msgpack.encode(decode_each(body))
    return fast


def _nan(payload: int) -> float:
    return float(struct.unpack("<d", struct.pack("<Q", 0x7FF0000000000000 | payload))[0])


def test_a_training_log_decodes_to_blocks_and_the_same_records() -> None:
    rows = [{"loss": 1.0 / (s + 1), "acc": s / 300, "lr": 1e-3} for s in range(300)]
    body = _body([_start()] + [_history(s + 2, s, row) for s, row in enumerate(rows)])
    fast = _assert_same_records(body)
    blocks = [i for i in fast if isinstance(i, HistoryBlock)]
    assert sum(len(b.steps) for b in blocks) >= 290  # the seq/step encodings change width at 128 and 256
    assert blocks[0].keys == ("loss", "acc", "lr")


@pytest.mark.parametrize(
    "value",
    [math.inf, -math.inf, math.nan, _nan(1), _nan(0x8_0000_0000_0001), -0.0, 5e-324, 1.7976931348623157e308],
    ids=["inf", "-inf", "nan", "snan", "nan-payload", "-0", "subnormal", "max"],
)
def test_special_floats_keep_their_bits(value: float) -> None:
    rows = [{"x": value if s % 3 == 0 else float(s), "y": value} for s in range(40)]
    _assert_same_records(_body([_history(s + 1, s, row) for s, row in enumerate(rows)]))


_scalars = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**63), max_value=2**64 - 1),
    st.booleans(),
)
_values = st.one_of(_scalars, st.none(), st.text(max_size=3), st.fixed_dictionaries({"in": _scalars}))


@st.composite
def _payloads(draw: st.DrawFn) -> list[bytes]:
    """Runs of rows with one key set and mostly one encoding per key, other records between."""
    payloads = [_start()]
    step = 0
    for _ in range(draw(st.integers(1, 4))):
        if draw(st.booleans()):
            payloads.append(encode_record(SummaryUpdate(seq=len(payloads) + 1, t=T0, set={"note": 1})))
        keys = draw(
            st.lists(st.sampled_from(["loss", "acc", "é", "a.b", "_step"]), min_size=1, max_size=3, unique=True)
        )
        kinds = {key: draw(_values) for key in keys}
        for _ in range(draw(st.integers(1, 30))):
            row = {key: draw(_values) if draw(st.integers(0, 9)) == 0 else kinds[key] for key in keys}
            payloads.append(_history(len(payloads) + 1, step, row))
            step += draw(st.integers(0, 2))
    return payloads


@settings(max_examples=150, deadline=None)
@given(payloads=_payloads())
def test_any_body_decodes_to_the_same_records(payloads: list[bytes]) -> None:
    _assert_same_records(_body(payloads))


def _error(decode: Any, body: bytes) -> tuple[int, str, str]:
    with pytest.raises(PublicError) as caught:
        decode(body)
    return caught.value.http_code, caught.value.code, str(caught.value)


def _flip(body: bytes, at: int) -> bytes:
    return body[:at] + bytes([body[at] ^ 0x01]) + body[at + 1 :]


_ROWS = [_history(s + 1, s, {"loss": float(s), "acc": 0.5}) for s in range(60)]
_GOOD = _body(_ROWS)
_FRAME = 8 + len(_ROWS[0])


@pytest.mark.parametrize(
    "body",
    [
        _GOOD[:-3],  # truncated payload
        _GOOD + b"\x01\x00",  # truncated header
        _GOOD + b"\x00" * 8,  # empty frame
        _flip(_GOOD, 30 * _FRAME + 20),  # one bit of a payload in a block: CRC mismatch
        _flip(_GOOD, 30 * _FRAME + 4),  # one bit of a stored CRC
        _GOOD[: 30 * _FRAME] + struct.pack("<II", 10**9, 0) + _GOOD[30 * _FRAME + 8 :],  # overlong frame
        _GOOD[: 30 * _FRAME] + frame(b"\xc1") + _GOOD[31 * _FRAME :],  # not msgpack
        _GOOD[: 30 * _FRAME] + frame(_ROWS[30].replace(b"acc\xcb", b"acc\xc1")) + _GOOD[31 * _FRAME :],  # bad marker
        _GOOD[: 30 * _FRAME] + frame(_ROWS[30] + b"\x00") + _GOOD[31 * _FRAME :],  # trailing bytes
        _GOOD[: 30 * _FRAME] + frame(msgspec.msgpack.encode((2, 31, "t", 30, {}))) + _GOOD[31 * _FRAME :],
        _GOOD[: 30 * _FRAME] + frame(msgspec.msgpack.encode((99, 31, 0.0))) + _GOOD[31 * _FRAME :],
    ],
    ids=[
        "short payload",
        "short header",
        "empty frame",
        "payload bit",
        "crc bit",
        "overlong",
        "not msgpack",
        "bad value",
        "trailing bytes",
        "invalid field",
        "unknown kind",
    ],
)
def test_a_malformed_body_is_refused_with_the_reference_error(body: bytes) -> None:
    assert _error(decode_batch, body) == _error(decode_each, body)


def test_two_records_in_one_frame_are_refused_even_when_the_frames_line_up() -> None:
    # frames [r1+r2], [r3 first half], [r3 second half]: one msgpack array of them would parse
    r1, r2, r3 = (_history(s + 1, s, {"loss": 1.0}) for s in range(3))
    body = _body([r1 + r2, r3[:5], r3[5:], *_ROWS[3:]])
    assert _error(decode_batch, body) == _error(decode_each, body)
    assert _error(decode_batch, body)[0] == 400


def test_a_seq_gap_inside_a_run_is_named_like_the_reference() -> None:
    payloads = [_history(s + 1 + (s >= 20), s, {"loss": float(s)}) for s in range(40)]
    body = _body(payloads)
    fast, reference = decode_batch(body), decode_each(body)
    with pytest.raises(PublicError) as fast_error:
        check_batch(REF, fast)
    with pytest.raises(PublicError) as reference_error:
        check_batch(REF, reference)
    assert (
        str(fast_error.value)
        == str(reference_error.value)
        == "records must be in seq order without gaps: 22 follows 20"
    )


def test_the_last_step_for_live_viewers_counts_only_new_rows() -> None:
    body = _body([_history(s + 1, 100 - s if s < 30 else s, {"loss": 1.0}) for s in range(40)])
    fast, reference = decode_batch(body), decode_each(body)
    for after in (0, 5, 29, 35, 40):
        assert last_history_step(fast, after) == last_history_step(reference, after)


# --- the store keeps the same data from either decode ------------------------------------


@pytest.fixture
def stores(tmp_path: Path) -> Iterator[tuple[SqlStore, SqlStore]]:
    pair = [open_store(f"sqlite:///{tmp_path / f'{name}.db'}", tmp_path / name) for name in ("fast", "ref")]
    assert all(isinstance(s, SqlStore) for s in pair)
    try:
        yield pair[0], pair[1]  # type: ignore[return-value]  # checked above
    finally:
        for s in pair:
            s.close()


def _same_data(a: SqlStore, b: SqlStore, ref: RunRef) -> None:
    keys = [k.key for k in a.list_series_keys(ref)]
    assert keys == [k.key for k in b.list_series_keys(ref)]
    for key in keys:
        x, y = a.read_series(ref, key), b.read_series(ref, key)
        assert x.values.dtype == y.values.dtype, key
        assert x.steps.tolist() == y.steps.tolist(), key
        assert x.values.tobytes() == y.values.tobytes(), key  # bit-exact, NaN payloads included
    info_a, info_b = a.get_run(ref), b.get_run(ref)
    assert msgspec.msgpack.encode(info_a.summary) == msgspec.msgpack.encode(info_b.summary)
    assert (info_a.last_step, info_a.runtime, info_a.heartbeat_at) == (
        info_b.last_step,
        info_b.runtime,
        info_b.heartbeat_at,
    )
    history = msgspec.msgpack.encode
    assert history(a.read_history(ref, limit=10_000).rows) == history(b.read_history(ref, limit=10_000).rows)


_runs = itertools.count()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payloads=_payloads(), split=st.integers(1, 60), overlap=st.integers(0, 10))
def test_the_store_keeps_the_same_series_from_either_decode(
    stores: tuple[SqlStore, SqlStore], payloads: list[bytes], split: int, overlap: int
) -> None:
    """Two batches, the second resending ``overlap`` stored records (a retry): stored once."""
    fast, reference = stores
    ref = RunRef(REF.entity, REF.project, f"run{next(_runs)}")
    payloads = [encode_record(RunStart(seq=1, t=T0, project=ref.project, run_id=ref.run_id)), *payloads[1:]]
    first, second = payloads[:split], payloads[max(split - overlap, 0) :]
    for store, decode in ((fast, decode_batch), (reference, decode_each)):
        for part in (first, second):
            if part:
                store.ingest(ref, "s", decode(_body(part)))
    assert fast.stream_ack(ref, "s") == reference.stream_ack(ref, "s") == len(payloads)
    _same_data(fast, reference, ref)


def test_a_retry_that_resends_part_of_a_block_stores_it_once(stores: tuple[SqlStore, SqlStore]) -> None:
    store = stores[0]
    payloads = [_start()] + [_history(s + 2, s, {"loss": float(s)}) for s in range(100)]
    store.ingest(REF, "s", decode_batch(_body(payloads[:50])))
    retried = decode_batch(_body(payloads[20:]))
    assert isinstance(retried[0], HistoryBlock) and retried[0].seq == 21  # the block straddles the ack
    assert store.ingest(REF, "s", retried).acked_seq == 101
    assert store.read_series(REF, "loss").values.tolist() == [float(s) for s in range(100)]


def test_crc_is_checked_on_every_frame_of_a_block() -> None:
    payload = _ROWS[10]
    bad = struct.pack("<II", len(payload), zlib.crc32(payload) ^ 1) + payload
    body = _body(_ROWS[:10]) + bad + _body(_ROWS[11:])
    assert _error(decode_batch, body)[0] == 400


def test_an_empty_body_is_no_records() -> None:
    assert decode_batch(b"") == decode_each(b"") == []

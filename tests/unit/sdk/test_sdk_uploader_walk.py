"""The shipper walks the log by headers and peeks at record kinds: it must agree with the decoder."""

from __future__ import annotations

from pathlib import Path

import msgspec
import numpy as np

import epochal
from epochal.sdk.uploader import frame_spans
from epochal.wire.framing import frame, iter_frames
from epochal.wire.records import decode_record, record_kind


def test_the_peeked_kind_is_the_decoded_kind_for_every_record_a_run_writes(sdk_offline: Path) -> None:
    (sdk_offline / "model.h5").write_bytes(b"weights")
    run = epochal.init(project="p", config={"lr": 0.1}, tags=["a"])
    run.log({"loss": 1.0, "image": epochal.Image(np.zeros((4, 4, 3), dtype=np.uint8))})
    run.log({"loss": 0.5}, step=0)  # refused: a lower step
    run.config.update({"batch": 32})
    run.summary["best"] = 0.5
    run.define_metric("val/*", summary="max")
    run.tags = ("a", "b")
    run.save("model.h5", policy="now")
    run.finish()
    assert run.run_folder is not None
    payloads = [p for _, p in iter_frames((run.run_folder / "run.epochal").read_bytes())]
    kinds = [decode_record(p).__struct_config__.tag for p in payloads]
    assert [record_kind(p) for p in payloads] == kinds
    assert len(set(kinds)) == 10  # every kind of record was written


def test_a_record_with_more_than_15_fields_is_read_by_the_decoder() -> None:
    wide = msgspec.msgpack.encode([7, *range(20)])  # an array16 header: the tag is not the second byte
    assert wide[0] == 0xDC and record_kind(wide) == 7


def test_the_header_walk_finds_the_frames_a_reader_finds_and_stops_where_it_does() -> None:
    payloads = [msgspec.msgpack.encode([2, i, 0.0, i, {"loss": i / 3}]) for i in range(1, 4)]
    log = b"".join(frame(p) for p in payloads)
    spans = list(frame_spans(log + bytes(4096)))  # the mapped log's reserved zeros end the walk
    assert [log[start:end] for start, end in spans] == payloads
    assert [end for _, end in spans] == [end for end, _ in iter_frames(log)]
    assert list(frame_spans(log + frame(b"\x95\x02")[:9])) == spans  # a frame cut short is not whole


def test_an_offline_run_keeps_no_shipping_notes_however_long_its_log(sdk_offline: Path) -> None:
    run = epochal.init(project="p")
    image = epochal.Image(np.zeros((4, 4, 3), dtype=np.uint8))
    for step in range(40_000):  # ~2.6 MiB of log: past the mapping's first slow paths
        run.log({"loss": step / 7, "acc": step / 9, "lr": 0.1, **({"sample": image} if step == 5 else {})})
    writer = run._writer  # what an online shipper would read and forget; offline nobody does
    assert writer.offset > 2 << 20 and writer.cuts == [] and writer.blob_frames == []
    run.finish()

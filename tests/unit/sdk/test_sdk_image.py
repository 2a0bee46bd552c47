"""``Image`` from every input type, the PNG it stores, and clear errors for bad input."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image as PILImage

import epochal
from epochal.wire import limits
from epochal.wire.records import History, MediaSaved, Record

ReadLog = Callable[[epochal.Run], list[Record]]


def pixels(image: epochal.Image) -> np.ndarray:
    return np.asarray(PILImage.open(io.BytesIO(image.png)))


def test_uint8_hwc_round_trips_exactly() -> None:
    data = np.random.default_rng(0).integers(0, 256, size=(5, 7, 3), dtype=np.uint8)
    image = epochal.Image(data, caption="rgb")
    assert (image.width, image.height) == (7, 5)
    assert np.array_equal(pixels(image), data)


def test_chw_float_tensor_and_grayscale_inputs() -> None:
    chw = torch.zeros(3, 4, 6)
    chw[0] = 1.0
    image = epochal.Image(chw)
    assert (image.width, image.height) == (6, 4)
    assert pixels(image)[0, 0].tolist() == [255, 0, 0]
    gray = epochal.Image(np.full((1, 8, 8), 0.5, dtype=np.float32))
    assert pixels(gray).shape == (8, 8) and int(pixels(gray)[0, 0]) == 128
    normalised = epochal.Image(np.array([[-1.0, 1.0]]))  # negative floats: rescaled from their range
    assert pixels(normalised).tolist() == [[0, 255]]
    rgba = epochal.Image(np.zeros((2, 2, 4), dtype=np.uint8))
    assert pixels(rgba).shape == (2, 2, 4)


def test_pil_images_and_paths(tmp_path: Path) -> None:
    pil = PILImage.new("RGB", (3, 2), (10, 20, 30))
    assert pixels(epochal.Image(pil))[1, 2].tolist() == [10, 20, 30]
    path = tmp_path / "pic.png"
    pil.save(path)
    from_path = epochal.Image(str(path), mode="L")
    assert pixels(from_path).shape == (2, 3)
    assert epochal.Image(path).sha256 == epochal.Image(pil).sha256


@pytest.mark.parametrize(
    ("data", "error", "message"),
    [
        (np.zeros((2, 2, 2)), ValueError, r"shape \(2, 2, 2\)"),
        (np.zeros((4,)), ValueError, r"shape \(4,\)"),
        (np.zeros((0, 5)), ValueError, "empty"),
        (np.zeros((1, limits.MAX_IMAGE_SIDE + 1), dtype=np.uint8), ValueError, "too large"),
        (np.array([[np.nan]]), ValueError, "NaN"),
        (np.array([["a"]]), TypeError, "dtype"),
        ([[1, 2]], TypeError, "list"),
        ("/no/such/file.png", ValueError, "not a file"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(data: object, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        epochal.Image(data)


def test_logged_images_become_references_with_their_png_saved_once(sdk_offline: Path, read_log: ReadLog) -> None:
    run = epochal.init(project="img")
    first = epochal.Image(np.zeros((4, 4), dtype=np.uint8), caption="zero")
    second = epochal.Image(np.ones((4, 4), dtype=np.uint8) * 255)
    run.log({"one": first})
    run.log({"many": [first, second]})
    run.finish()
    records = read_log(run)
    media = [r for r in records if isinstance(r, MediaSaved)]
    assert [m.sha256 for m in media] == [first.sha256, second.sha256]
    assert run.run_folder is not None
    for item, image in zip(media, (first, second), strict=True):
        assert (run.run_folder / item.path).read_bytes() == image.png
        assert item.size == len(image.png)
    rows = [r.row for r in records if isinstance(r, History)]
    assert rows[0]["one"] == first.to_ref()
    assert rows[1]["many"] == [first.to_ref(), second.to_ref()]
    assert first.to_ref()["caption"] == "zero" and first.to_ref()["_type"] == "image-file"
    history_seqs = [r.seq for r in records if isinstance(r, History)]
    assert media[0].seq < history_seqs[0] and history_seqs[0] < media[1].seq < history_seqs[1]

"""``Image``: a picture logged in a history row, stored as a PNG blob.

The PNG is made when the ``Image`` is built (so bad input fails at the call site); the
run writes it into ``media/`` and records it the first time a row refers to it. numpy
and Pillow are imported here only when an ``Image`` is made.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from epochal.wire import limits
from epochal.wire.media import IMAGE_TYPE, TYPE_FIELD

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

_CHANNEL_COUNTS = (1, 3, 4)


class Image:
    """An image from a numpy array, a torch tensor, a PIL image or a file path.

    Arrays may be HW, HWC or CHW with 1, 3 or 4 channels; floats in [0, 1] are scaled to
    0-255 (floats with negative values are first rescaled from their min-max range),
    integers are clipped to 0-255. ``mode`` is a Pillow mode to convert to (``"L"``,
    ``"RGB"``, ``"RGBA"``).
    """

    def __init__(self, data_or_path: Any, caption: str | None = None, mode: str | None = None) -> None:
        if caption is not None and not isinstance(caption, str):
            raise TypeError(f"Image caption must be a str, not {type(caption).__name__}")
        pil = _to_pil(data_or_path)
        if mode is not None:
            pil = pil.convert(mode)
        width, height = pil.size
        _check_size(width, height, f"{width}x{height} image")
        buffer = io.BytesIO()
        pil.save(buffer, format="PNG")
        self.png: bytes = buffer.getvalue()
        import hashlib  # here, not at import: it loads OpenSSL (~4 MB); this module is imported by every run

        self.sha256: str = hashlib.sha256(self.png).hexdigest()
        self.width: int = width
        self.height: int = height
        self.caption = caption

    @property
    def path(self) -> str:
        """Where the PNG lives relative to the run folder (and on the server)."""
        return f"media/images/{self.sha256}.png"

    def to_ref(self) -> dict[str, Any]:
        """The reference dict that stands for this image inside a history row."""
        return {
            TYPE_FIELD: IMAGE_TYPE,
            "sha256": self.sha256,
            "path": self.path,
            "width": self.width,
            "height": self.height,
            "format": "png",
            "caption": self.caption,
        }

    def __repr__(self) -> str:
        return f"Image({self.width}x{self.height}, sha256={self.sha256[:12]}, caption={self.caption!r})"


def _check_size(width: int, height: int, what: str) -> None:
    if width == 0 or height == 0:
        raise ValueError(f"cannot make an Image from an empty {what}")
    if max(width, height) > limits.MAX_IMAGE_SIDE:
        raise ValueError(f"{what} is too large: each side must be at most {limits.MAX_IMAGE_SIDE} pixels")


def _to_pil(data: Any) -> Any:
    from PIL import Image as PILImage
    from PIL import UnidentifiedImageError

    if isinstance(data, PILImage.Image):
        data.load()
        return data
    if isinstance(data, str | Path):
        path = Path(data)
        if not path.is_file():
            raise ValueError(f"Image path {str(path)!r} is not a file")
        try:
            with PILImage.open(path) as opened:
                opened.load()
                return opened.copy()
        except UnidentifiedImageError as exc:
            raise ValueError(f"Image path {str(path)!r} is not an image Pillow can read") from exc
    module = type(data).__module__
    if module.startswith("torch"):
        data = data.detach().cpu().numpy()
    elif not module.startswith("numpy"):
        raise TypeError(
            f"Image needs a numpy array, a torch tensor, a PIL image or a file path, not {type(data).__name__}"
        )
    return PILImage.fromarray(_to_uint8_hwc(data))


def _to_uint8_hwc(array: npt.NDArray[Any]) -> npt.NDArray[np.uint8]:
    import numpy as np

    shape = tuple(int(n) for n in array.shape)
    if array.ndim == 3 and shape[-1] not in _CHANNEL_COUNTS and shape[0] in _CHANNEL_COUNTS:
        array = np.transpose(array, (1, 2, 0))  # CHW -> HWC
    if array.ndim == 3 and array.shape[-1] == 1:
        array = array[:, :, 0]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[-1] not in _CHANNEL_COUNTS):
        raise ValueError(
            f"cannot make an Image from an array of shape {shape}: use HW, HWC or CHW with 1, 3 or 4 channels"
        )
    _check_size(int(array.shape[1]), int(array.shape[0]), f"array of shape {shape}")
    kind = array.dtype.kind
    converted: npt.NDArray[np.uint8]
    if kind == "b":
        converted = array.astype(np.uint8) * 255
        return converted
    if kind in "iu":
        converted = np.clip(array, 0, 255).astype(np.uint8)
        return converted
    if kind != "f":
        raise TypeError(f"cannot make an Image from an array of dtype {array.dtype} (shape {shape})")
    values = array.astype(np.float64)
    if not np.isfinite(values).all():
        raise ValueError(f"cannot make an Image from an array of shape {shape} holding NaN or infinity")
    low, high = float(values.min()), float(values.max())
    if low < 0:
        values = (values - low) / (high - low) if high > low else np.zeros_like(values)
        high = float(values.max())
    if high <= 1.0:
        values = values * 255.0
    converted = np.clip(np.rint(values), 0, 255).astype(np.uint8)
    return converted

"""How logged values become msgpack: the encoder hook for types msgpack does not know.

numpy and torch are recognised by their module name, never imported: a training loop
that does not use them pays nothing, and one that does pays only for the values it logs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

from epochal.sdk.image import Image

ImageHook = Callable[[Image], dict[str, Any]]


def unsupported(obj: object, hint: str = "") -> TypeError:
    kind = type(obj)
    return TypeError(f"cannot log a value of type {kind.__module__}.{kind.__qualname__}{hint}")


def to_builtin(obj: object, on_image: ImageHook) -> Any:
    """Convert one value msgspec cannot encode, or raise a TypeError naming its type."""
    if isinstance(obj, Image):
        return on_image(obj)
    if isinstance(obj, bool | int | float | str):  # subclasses such as IntEnum or numpy.float64
        for base in (bool, int, float, str):
            if isinstance(obj, base):
                return base(obj)
    module = type(obj).__module__
    if module == "numpy" or module.startswith("torch"):
        size = _size(obj)
        if size == 1:
            return obj.item()  # type: ignore[attr-defined]
        shape = tuple(getattr(obj, "shape", ()))
        raise unsupported(obj, f" with shape {shape}: only single numbers are logged as values (use .tolist())")
    raise unsupported(obj)


def _size(obj: object) -> int | None:
    numel = getattr(obj, "numel", None)  # torch
    if callable(numel):
        return int(numel())
    size = getattr(obj, "size", None)  # numpy arrays and scalars
    return int(size) if isinstance(size, int) else None


def make_encoder(on_image: ImageHook) -> msgspec.msgpack.Encoder:
    """One encoder per run, reused for every record it writes."""
    return msgspec.msgpack.Encoder(enc_hook=lambda obj: to_builtin(obj, on_image))

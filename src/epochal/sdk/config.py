"""``run.config``: the run's hyperparameters, with wandb's access styles and locking rule.

Keys given to ``init`` and set later are locked: setting a key again to a *different*
value raises ``UsageError`` unless ``allow_val_change=True`` (a silent change would make
the runs table lie about what the run trained with). New keys are always fine. Every
change after ``init`` is written as a ``ConfigUpdate`` record of the top-level keys.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, ItemsView, Iterator, KeysView, Mapping, ValuesView
from typing import TYPE_CHECKING, Any

from epochal.sdk.errors import UsageError
from epochal.wire.keys import InvalidKeyError, check_key

if TYPE_CHECKING:
    import argparse

ConfigSink = Callable[[dict[str, Any]], None]


def as_mapping(values: Mapping[str, Any] | argparse.Namespace | None, what: str) -> dict[str, Any]:
    if values is None:
        return {}
    argparse = sys.modules.get("argparse")  # a Namespace exists only once argparse is imported: not loaded here
    if argparse is not None and isinstance(values, argparse.Namespace):
        return dict(vars(values))
    if isinstance(values, Mapping):
        return dict(values)
    raise TypeError(f"{what} must be a dict or argparse.Namespace, not {type(values).__name__}")


def _same(old: object, new: object) -> bool:
    if old is new:
        return True
    try:
        return bool(old == new)
    except (TypeError, ValueError):  # e.g. numpy arrays compare element-wise
        return False


class Config:
    """Attribute and item access to the config dict (nested values stay plain dicts)."""

    def __init__(self, values: Mapping[str, Any] | None = None) -> None:
        object.__setattr__(self, "_items", {})
        object.__setattr__(self, "_sink", None)
        self._items: dict[str, Any]
        self._sink: ConfigSink | None
        self.update(values or {})

    def attach(self, sink: ConfigSink) -> None:
        """From now on every change is written through ``sink`` (called by ``init``)."""
        object.__setattr__(self, "_sink", sink)

    def detach(self) -> None:
        object.__setattr__(self, "_sink", None)

    def update(self, values: Mapping[str, Any] | argparse.Namespace, allow_val_change: bool = False) -> None:
        """Set several keys; an existing key may change value only with ``allow_val_change``."""
        self._set(as_mapping(values, "config.update() argument"), allow_val_change=allow_val_change)

    def setdefaults(self, values: Mapping[str, Any] | argparse.Namespace) -> None:
        """Set the keys that are not set yet; leave the others alone."""
        new = {k: v for k, v in as_mapping(values, "config.setdefaults() argument").items() if k not in self._items}
        self._set(new, allow_val_change=False)

    def _set(self, values: dict[str, Any], *, allow_val_change: bool) -> None:
        changed: dict[str, Any] = {}
        for key, value in values.items():
            try:
                check_key(key)
            except InvalidKeyError as exc:
                raise InvalidKeyError(f"config: {exc}") from None
            if key in self._items:
                if _same(self._items[key], value):
                    continue
                if not allow_val_change:
                    raise UsageError(
                        f"config key {key!r} is already {self._items[key]!r}; refusing to change it to {value!r}."
                        " Pass allow_val_change=True (config.update(..., allow_val_change=True)) to change it."
                    )
            changed[key] = value
        if not changed:
            return
        if self._sink is not None:
            self._sink(changed)  # raises before anything changes when a value cannot be encoded
        self._items.update(changed)

    def as_dict(self) -> dict[str, Any]:
        return dict(self._items)

    def get(self, key: str, default: Any = None) -> Any:
        return self._items.get(key, default)

    def keys(self) -> KeysView[str]:
        return self._items.keys()

    def values(self) -> ValuesView[Any]:
        return self._items.values()

    def items(self) -> ItemsView[str, Any]:
        return self._items.items()

    def __getitem__(self, key: str) -> Any:
        return self._items[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._set({key: value}, allow_val_change=False)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return self._items[name]
        except KeyError:
            raise AttributeError(f"config has no key {name!r}") from None

    def __setattr__(self, name: str, value: Any) -> None:
        self._set({name: value}, allow_val_change=False)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Config({self._items!r})"

"""``run.summary``: one value per key describing the run's result.

It reads as the last logged value of each top-level key, overridden by explicit
assignments (``run.summary["f1"] = 0.9``), which are written as ``SummaryUpdate``
records so the server keeps them over values derived from history. The last logged values
come from the run's log, brought up to date on each read (``sdk/last_logged.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from epochal.wire.keys import InvalidKeyError, check_key

SummarySink = Callable[[dict[str, Any], list[str]], None]
"""Writes one change: keys set and keys deleted."""
LastValues = Callable[[], dict[str, Any]]
"""Returns the last logged value of each key, up to date: the dict itself, which ``seed`` and
``del`` change."""


class Summary:
    """Dict-like: ``[]``, ``get``, ``in``, ``del``, ``update``, ``keys``, ``items``, attributes."""

    def __init__(self, last_values: LastValues) -> None:
        object.__setattr__(self, "_last_values", last_values)
        object.__setattr__(self, "_explicit", {})
        object.__setattr__(self, "_sink", None)
        self._last_values: LastValues
        self._explicit: dict[str, Any]
        self._sink: SummarySink | None

    def attach(self, sink: SummarySink) -> None:
        object.__setattr__(self, "_sink", sink)

    def detach(self) -> None:
        object.__setattr__(self, "_sink", None)

    def seed(self, values: Mapping[str, Any]) -> None:
        """Start from a resumed run's summary (no record written)."""
        self._last_values().update(values)

    def update(self, values: Mapping[str, Any] | None = None, /, **kwargs: Any) -> None:
        """Set several keys with one record."""
        changed = {**(values or {}), **kwargs}
        for key in changed:
            try:
                check_key(key)
            except InvalidKeyError as exc:
                raise InvalidKeyError(f"summary: {exc}") from None
        if not changed:
            return
        if self._sink is not None:
            self._sink(changed, [])
        self._explicit.update(changed)

    def as_dict(self) -> dict[str, Any]:
        return {**self._last_values(), **self._explicit}

    def get(self, key: str, default: Any = None) -> Any:
        return self.as_dict().get(key, default)

    def keys(self) -> list[str]:
        return list(self.as_dict())

    def items(self) -> list[tuple[str, Any]]:
        return list(self.as_dict().items())

    def values(self) -> list[Any]:
        return list(self.as_dict().values())

    def __getitem__(self, key: str) -> Any:
        if key in self._explicit:
            return self._explicit[key]
        return self._last_values()[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.update({key: value})

    def __delitem__(self, key: str) -> None:
        if key not in self:
            raise KeyError(key)
        if self._sink is not None:
            self._sink({}, [key])
        self._explicit.pop(key, None)
        self._last_values().pop(key, None)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"summary has no key {name!r}") from None

    def __setattr__(self, name: str, value: Any) -> None:
        self.update({name: value})

    def __contains__(self, key: object) -> bool:
        return key in self._explicit or key in self._last_values()

    def __iter__(self) -> Iterator[str]:
        return iter(self.as_dict())

    def __len__(self) -> int:
        return len(self.as_dict())

    def __repr__(self) -> str:
        return f"Summary({self.as_dict()!r})"

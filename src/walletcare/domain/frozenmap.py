"""``FrozenMap``: the read-only, hashable mapping that frozen configuration holds.

Frozen attrs classes hold no dicts: a dict inside a frozen value can still be changed after
the value was checked and compiled, and it makes the value unhashable.
"""

from __future__ import annotations

from collections.abc import Callable, ItemsView, Iterable, Iterator, KeysView, Mapping, ValuesView
from typing import Any, TypeVar, overload

from walletcare.errors import ValidationError

__all__ = ["FrozenMap", "frozen_map"]

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")


class FrozenMap(Mapping[K, V]):
    """An immutable mapping, hashable when its values are, equal to any mapping of its items."""

    __slots__ = ("_data", "_hash")

    def __init__(self, items: Mapping[K, V] | Iterable[tuple[K, V]] = ()) -> None:
        self._data: dict[K, V] = dict(items)
        self._hash: int | None = None

    def __getitem__(self, key: K) -> V:
        return self._data[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    @overload
    def get(self, key: K) -> V | None: ...
    @overload
    def get(self, key: K, default: V) -> V: ...
    @overload
    def get(self, key: K, default: V | T) -> V | T: ...
    def get(self, key: K, default: Any = None) -> Any:
        """The value of ``key``, or ``default`` (the dict's own look-up: no exception raised
        and caught per miss, as the generic ``Mapping.get`` does)."""
        return self._data.get(key, default)

    def lookup(self) -> Callable[[K], V | None]:
        """The dict's own ``get``, bound: for loops that look many keys up in one map."""
        return self._data.get

    # The dict's own views: the Mapping defaults look every key up again, in Python.
    def keys(self) -> KeysView[K]:
        return self._data.keys()

    def values(self) -> ValuesView[V]:
        return self._data.values()

    def items(self) -> ItemsView[K, V]:
        return self._data.items()

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(frozenset(self._data.items()))
        return self._hash

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return self._data == dict(other.items())
        return NotImplemented

    def __repr__(self) -> str:
        return f"FrozenMap({self._data!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenMap, (tuple(self._data.items()),))


def frozen_map(value: Any) -> FrozenMap[Any, Any]:
    """attrs converter: any mapping (or pairs) as a ``FrozenMap``; a ``FrozenMap`` as itself."""
    if isinstance(value, FrozenMap):
        return value
    if isinstance(value, Mapping):
        return FrozenMap(value)
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise ValidationError.of("value", f"must be a mapping, got {type(value).__name__}")
    try:
        return FrozenMap(value)
    except (TypeError, ValueError):
        raise ValidationError.of("value", "must be a mapping or (key, value) pairs") from None

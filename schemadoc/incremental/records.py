"""Frozen model records as JSON values and back, for the cache.

A record is a list of its field values in field order; tuples are lists. Decoding follows the
field types and raises Invalid on anything of another shape, so a corrupt or foreign cache
entry is never taken for a record.
"""

from __future__ import annotations

import dataclasses
import functools
import operator
import types
import typing
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

from .cache import Invalid

T = TypeVar("T")


class Decoded(Mapping[str, T]):
    """The values of ``raw`` decoded as ``kind`` when asked for; a value that does not decode
    is absent. ``good`` holds the keys that decoded."""

    def __init__(self, raw: dict[str, Any], kind: type[T]) -> None:
        self.raw, self.kind = raw, kind
        self.good: dict[str, T] = {}

    def __getitem__(self, key: str) -> T:
        if key not in self.good:
            try:
                self.good[key] = from_json(self.kind, self.raw[key])
            except Invalid:
                raise KeyError(key) from None
        return self.good[key]

    def __contains__(self, key: object) -> bool:
        try:
            self[key]  # type: ignore[index]
        except KeyError:
            return False
        return True

    def __iter__(self) -> Iterator[str]:
        return iter(self.raw)

    def __len__(self) -> int:
        return len(self.raw)


def to_json(value: Any) -> Any:
    """``value`` (a record, a tuple, or a plain str/int/float/bool/None) as a JSON value."""
    if dataclasses.is_dataclass(value):
        return [to_json(getattr(value, f.name)) for f in dataclasses.fields(value)]
    if isinstance(value, tuple):
        return [to_json(v) for v in value]
    return value


def from_json(kind: type[T], raw: Any) -> T:
    """The value of type ``kind`` that ``to_json`` wrote as ``raw``."""
    return _decoder(kind)(raw)


Decoder = Callable[[Any], Any]


@functools.cache
def _decoder(kind: Any) -> Decoder:
    """A function that decodes values of type ``kind`` (built once per type)."""
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return _record(kind)
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        leaves = _leaf_types(args[0])
        if leaves is not None:
            expected = f"items of {sorted(t.__name__ for t in leaves)}"
            return lambda raw: tuple(_check(set(map(type, _list(raw))) <= leaves, raw, expected))
        item = _decoder(args[0])
        return lambda raw: tuple([item(v) for v in _list(raw)])
    if origin in (typing.Union, types.UnionType):
        arms = [_decoder(a) for a in args if a is not type(None)]
        if type(None) in args and len(arms) == 1:
            arm = arms[0]
            return lambda raw: None if raw is None else arm(raw)
        optional = type(None) in args
        return lambda raw: None if raw is None and optional else _first(arms, raw)
    if origin is typing.Literal:
        return lambda raw: _check(raw in args, raw, f"one of {args}")
    if kind in _LEAVES:
        return _leaf(kind)
    raise TypeError(f"no JSON form for {kind!r}")


_LEAVES = (str, int, bool)


def _leaf_types(kind: Any) -> frozenset[type] | None:
    """The exact types a value of ``kind`` may have in JSON when it is a leaf (``str``,
    ``int``, ``bool``, or one of them or None), else None."""
    arms = (
        typing.get_args(kind)
        if typing.get_origin(kind) in (typing.Union, types.UnionType)
        else (kind,)
    )
    if all(arm in _LEAVES or arm is type(None) for arm in arms):
        return frozenset(arms)
    return None


def _leaf(kind: type) -> Decoder:
    def decode(raw: Any) -> Any:
        if type(raw) is not kind:
            raise Invalid(f"expected {kind.__name__}, got {type(raw).__name__}")
        return raw

    return decode


def _record(kind: type) -> Decoder:
    """The decoder of a record: its leaf fields are checked by their exact types all at once
    (``True`` is no ``int``), the others decoded one by one."""
    hints = typing.get_type_hints(kind)
    names = [f.name for f in dataclasses.fields(kind) if f.init]
    size = len(names)
    leaf_types = [_leaf_types(hints[name]) for name in names]
    leaves = [i for i, types_ in enumerate(leaf_types) if types_ is not None]
    allowed = [leaf_types[i] for i in leaves]
    picked = (
        operator.itemgetter(*leaves) if len(leaves) > 1 else lambda raw: [raw[i] for i in leaves]
    )
    nested = [
        (i, _decoder(hints[names[i]])) for i, types_ in enumerate(leaf_types) if types_ is None
    ]

    def decode(raw: Any) -> Any:
        if not isinstance(raw, list) or len(raw) != size:
            raise Invalid(f"{kind.__name__}: expected {size} fields")
        if not all(map(frozenset.__contains__, allowed, map(type, picked(raw)))):
            raise Invalid(f"{kind.__name__}: a field of another type")
        if not nested:
            return kind(*raw)
        values = raw.copy()
        for i, field in nested:
            values[i] = field(values[i])
        return kind(*values)

    return decode


def _list(raw: Any) -> list[Any]:
    return _check(isinstance(raw, list), raw, "a list")


def _check(ok: bool, raw: Any, expected: str) -> Any:
    if not ok:
        raise Invalid(f"expected {expected}, got {type(raw).__name__}")
    return raw


def _first(arms: list[Decoder], raw: Any) -> Any:
    """The value of the first type of a union that fits."""
    for arm in arms:
        try:
            return arm(raw)
        except Invalid:
            continue
    raise Invalid("no type of the union fits")

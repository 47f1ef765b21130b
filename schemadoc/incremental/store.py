"""What the pipeline keeps in the cache, by kind, behind typed calls: no other stage reads
the keys of a cache entry."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..model.schema import Schema
from .cache import Cache, Invalid, expect
from .records import Decoded, to_json

if TYPE_CHECKING:
    from ..extract.extractor import UnitResult
    from ..extract.summary import Summary


def content_hash(cache: Cache, display: str) -> str | None:
    """The hash of a file's content when the cache last saw it."""
    entry = cache.entry(display)
    return None if entry is None else entry.get("hash")


def summary(cache: Cache, display: str) -> Summary | None:
    """A file's summary as its last extraction left it, if that is readable."""
    from .units import summary_from_json  # not on a warm run: it needs the extractor

    try:
        return summary_from_json((cache.entry(display, analysis=True) or {})["summary"])
    except (KeyError, ValueError, TypeError, Invalid):
        return None


def keep_summary(cache: Cache, display: str, found: Summary) -> None:
    if not cache.remembers:
        return
    from .units import summary_to_json

    cache.put(
        display, {**(cache.entry(display, analysis=True) or {}), "summary": summary_to_json(found)}
    )


def keep_unit(cache: Cache, unit: UnitResult) -> None:
    if not cache.remembers:
        return
    from .units import unit_to_json

    entry = cache.entry(unit.display, analysis=True) or {}
    cache.put(unit.display, {**entry, "unit": unit_to_json(unit)})


def class_lines(cache: Cache, display: str) -> list[list[Any]] | None:
    """A file's class statements (``source.class_lines``) as the cache holds them."""
    if display not in cache.files:
        return None
    try:
        found = cache.classes()[display]
        return [[expect(n, str), [expect(b, str) for b in expect(bs, list)]] for n, bs in found]
    except (KeyError, TypeError, ValueError, Invalid):
        return None


def verified_parts(cache: Cache) -> Mapping[str, Schema]:
    """The parts of the schema earlier runs verified, by the key of their statements (none
    without a cache folder); each decoded when first asked for."""
    return Decoded(cache.verified(), Schema) if cache.folder is not None else {}


def keep_verified(cache: Cache, known: Mapping[str, Schema], parts: Mapping[str, Schema]) -> None:
    """Keep the parts of this run (``known`` is what ``verified_parts`` gave)."""
    if isinstance(known, Decoded):
        cache.put_verified(
            {k: known.raw[k] if k in known.good else to_json(p) for k, p in parts.items()}
        )

"""Extraction results as cache entries (JSON), and back; a malformed entry raises Invalid."""

from __future__ import annotations

from typing import Any

from ..extract.extractor import UnitResult
from ..extract.fragments import Fragment
from ..extract.summary import Summary
from ..model.schema import Origin
from ..pyeval.values import Piece, Value
from ..sql.statements import Templated
from .cache import Invalid, diagnostic_from_json, diagnostic_to_json, expect


def _position(raw: Any) -> tuple[str, int, int] | None:
    if raw is None:
        return None
    path, line, column = expect(raw, list)
    _types((path, line, column), (str, int, int))
    return path, line, column


def _types(values: tuple[Any, ...], kinds: tuple[type, ...]) -> None:
    """Check each value's exact type (what JSON gives: ``True`` is no ``int``); read once
    per piece and statement of every file, so without a call per value."""
    if tuple(map(type, values)) != kinds:
        raise Invalid(f"expected {kinds}")


def _strings(raw: Any) -> tuple[str, ...]:
    items = tuple(expect(raw, list))
    if not all(type(item) is str for item in items):
        raise Invalid("expected strings")
    return items


def _fragment_to_json(f: Fragment) -> list[Any]:
    pieces = [
        [p.text, list(p.pos) if p.pos else None, p.exact, p.placeholder] for p in f.value.pieces
    ]
    split = [[t.sql, t.offset, t.description, list(t.placeholders)] for t in f.split]
    origin = [f.origin.function, f.origin.engine, list(f.origin.roles)]
    return [pieces, f.path, origin, split]


def _templated_from_json(raw: Any) -> Templated:
    sql, offset, description, placeholders = expect(raw, list)
    _types((sql, offset), (str, int))
    if description is not None:
        expect(description, str)
    return Templated(sql, offset, description, _strings(placeholders))


def _fragment_from_json(raw: Any) -> Fragment:
    pieces, path, origin, split = expect(raw, list)
    function, engine, roles = expect(origin, list)
    out = []
    for piece in expect(pieces, list):
        text, pos, exact, is_placeholder = expect(piece, list)
        _types((text, exact, is_placeholder), (str, bool, bool))
        out.append(Piece(text, _position(pos), exact, is_placeholder))
    fragment = Fragment(
        Value(tuple(out)),
        expect(path, str),
        Origin(
            None if function is None else expect(function, str),
            None if engine is None else expect(engine, str),
            _strings(roles),
        ),
    )
    return fragment.with_split(tuple(_templated_from_json(t) for t in expect(split, list)))


def _identity_to_json(identity: tuple) -> list[Any]:
    pos, text = identity
    return [list(pos) if pos else None, text]


def _identity_from_json(raw: Any) -> tuple:
    pos, text = expect(raw, list)
    return (_position(pos), expect(text, str))


def unit_to_json(unit: UnitResult) -> dict[str, Any]:
    return {
        "fragments": [_fragment_to_json(f) for f in unit.fragments],
        "raws": [_identity_to_json(r) for r in unit.raws],
        "templates": [_identity_to_json(t) for t in unit.templates],
        "diagnostics": [diagnostic_to_json(d) for d in unit.diagnostics],
        "deps": unit.deps,
        "bases": unit.bases,
    }


def unit_from_json(display: str, raw: Any) -> UnitResult:
    raw = expect(raw, dict)
    fragments = [_fragment_from_json(f) for f in expect(raw["fragments"], list)]
    raws = [_identity_from_json(r) for r in expect(raw["raws"], list)]
    if len(raws) != len(fragments):
        raise Invalid("raws")
    return UnitResult(
        display,
        fragments,
        raws,
        [_identity_from_json(t) for t in expect(raw["templates"], list)],
        [diagnostic_from_json(d) for d in expect(raw["diagnostics"], list)],
        [expect(d, str) for d in expect(raw["deps"], list)],
        [expect(b, str) for b in expect(raw["bases"], list)],
    )


def summary_to_json(summary: Summary) -> dict[str, Any]:
    return {
        "mentions": sorted(summary.mentions),
        "holders": sorted(summary.holders),
        "defines": sorted(summary.defines),
        "bases": [[name, list(bases)] for name, bases in summary.bases],
    }


def _names(raw: Any) -> frozenset[str]:
    return frozenset(expect(n, str) for n in expect(raw, list))


def summary_from_json(raw: Any) -> Summary:
    raw = expect(raw, dict)
    bases = []
    for item in expect(raw["bases"], list):
        name, names = expect(item, list)
        bases.append((expect(name, str), tuple(expect(n, str) for n in expect(names, list))))
    return Summary(
        _names(raw["mentions"]), _names(raw["holders"]), _names(raw["defines"]), tuple(bases)
    )

"""Render the schema: JSON and SQL here; Markdown and Mermaid through Jinja templates."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from typing import Any

import orjson

from ..config import Settings
from ..model.schema import Diagnostic, Index, Schema, Source, Table, in_database


def _source(source: Source | None) -> dict[str, Any] | None:
    if source is None:
        return None
    return {"path": source.path, "line": source.line, "column": source.column}


def _index(ix: Index) -> dict[str, Any]:
    return {
        "name": ix.name,
        "unique": ix.unique,
        "origin": ix.origin,
        "partial": ix.partial,
        "columns": list(ix.column_names),
        "where": ix.where,
        "definition": ix.definition,
        "source": _source(ix.source),
    }


def _in(database: str | None) -> dict[str, Any]:
    """The ``database`` key of an object not in the main database (absent for the main)."""
    return {} if database is None else {"database": database}


def _table(t: Table) -> dict[str, Any]:
    return {
        "name": t.name,
        **_in(t.database),
        "kind": t.kind,
        "source": _source(t.source),
        "sources": [_source(s) for s in t.sources],
        "description": t.description,
        "without_rowid": t.without_rowid,
        "strict": t.strict,
        "temporary": t.temporary,
        "module": t.module,
        "columns": [
            {
                "name": c.name,
                "type": c.type,
                "notnull": c.notnull,
                "default": c.default,
                "pk": c.pk,
                "hidden": c.hidden,
                "collation": c.collation,
                "description": c.description,
                "unique": c.unique,
                "generated": c.generated,
                "checks": [ch.expression for ch in c.checks],
            }
            for c in t.columns
        ],
        "primary_key": list(t.primary_key),
        "indexes": [_index(ix) for ix in t.indexes],
        "foreign_keys": [
            {
                "columns": list(fk.columns),
                "ref_table": fk.ref_table,
                "ref_columns": list(fk.ref_columns),
                "on_delete": fk.on_delete,
                "on_update": fk.on_update,
                "name": fk.name,
            }
            for fk in t.foreign_keys
        ],
        "checks": [ch.expression for ch in t.checks],
    }


def _diagnostic(d: Diagnostic) -> dict[str, Any]:
    return {
        "severity": d.severity,
        "code": d.code,
        "message": d.message,
        "path": d.path,
        "line": d.line,
        "column": d.column,
    }


def to_json(schema: Schema) -> str:
    """The JSON model (the contract in the README), keys in a fixed order."""
    data = {
        "dialect": "sqlite",
        "tables": (_table(t) for t in schema.tables),
        "views": [
            {
                "name": v.name,
                **_in(v.database),
                "sql": v.sql,
                "columns": list(v.columns),
                "source": _source(v.source),
                "sources": [_source(s) for s in v.sources],
                "description": v.description,
            }
            for v in schema.views
        ],
        "triggers": [
            {
                "name": t.name,
                **_in(t.database),
                "table": t.table,
                "sql": t.sql,
                "source": _source(t.source),
                "sources": [_source(s) for s in t.sources],
            }
            for t in schema.triggers
        ],
        "relations": (
            {
                "from_table": r.from_table,
                "from_columns": list(r.from_columns),
                "to_table": r.to_table,
                "to_columns": list(r.to_columns),
                "kind": r.kind,
                "cardinality": r.cardinality,
                **_in(r.database),
            }
            for r in schema.relations
        ),
        "diagnostics": [_diagnostic(d) for d in schema.diagnostics],
    }
    return indented_json(data, end="\n")


def indented_json(value: Any, end: str = "") -> str:
    """``json.dumps(value, indent=2, ensure_ascii=False) + end`` for dicts, lists, strings,
    integers, booleans and None, written by orjson (seven times faster on a large schema).
    An iterator is written as a list, each item made only when it is written (a large
    schema's tables are never all held as dicts). Floats, which no document holds, are
    written as orjson writes them: the same numbers, in the shortest form."""
    out: list[str] = []
    _encode(value, "\n", out)
    out.append(end)
    return "".join(out)


def _encode(value: Any, newline: str, out: list[str]) -> None:
    """Append ``value`` to ``out``; ``newline`` is a line break and the current indent."""
    if isinstance(value, Iterator):
        _members(((None, item) for item in value), "[]", newline, out, _encode)
    elif type(value) is dict and any(isinstance(v, Iterator) for v in value.values()):
        _members(value.items(), "{}", newline, out, _encode)
    else:
        try:
            text = orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()
        except TypeError:  # a lone surrogate, an integer beyond 64 bits, or no JSON value
            _python(value, newline, out)
            return
        # the text shifted to the current indent (a string's line breaks are escaped)
        out.append(text if newline == "\n" else text.replace("\n", newline))


_SCALARS: dict[type, Callable[[Any], str]] = {  # by exact type: subclasses take the long way
    str: encode_basestring,
    int: int.__repr__,
    bool: lambda v: "true" if v else "false",
    type(None): lambda v: "null",
    float: json.dumps,
}


def _python(value: Any, newline: str, out: list[str]) -> None:
    """``_encode`` for what orjson does not write as ``json`` does."""
    scalar = _SCALARS.get(type(value))
    if scalar is not None:
        out.append(scalar(value))
    elif isinstance(value, dict):
        _members(value.items(), "{}", newline, out, _python)
    elif isinstance(value, list | Iterator):
        _members(((None, item) for item in value), "[]", newline, out, _python)
    elif isinstance(value, str):
        out.append(encode_basestring(value))
    elif isinstance(value, int | float):
        _python(float(value) if isinstance(value, float) else int(value), newline, out)
    else:
        raise TypeError(f"no JSON for {type(value).__name__}")


def _members(
    pairs: Iterable[tuple[str | None, Any]],
    brackets: str,
    newline: str,
    out: list[str],
    encode: Callable[[Any, str, list[str]], None],
) -> None:
    """The (key, item) pairs of a dict, or the (None, item) pairs of a list, each item
    written by ``encode``. Each item is joined into one string as soon as it is written:
    ``out`` holds about one string per item, not one per scalar (which took five times the
    document's size)."""
    inner = newline + "  "
    lead = brackets[0] + inner
    for key, item in pairs:
        if key is not None:
            lead += encode_basestring(key) + ": "
        scalar = _SCALARS.get(type(item))
        if scalar is not None:
            out.append(lead + scalar(item))
        else:
            start = len(out)
            out.append(lead)
            encode(item, inner, out)
            out[start:] = ["".join(out[start:])]
        lead = "," + inner
    out.append(brackets if lead[0] == brackets[0] else newline + brackets[1])


def _where(source: Source | None) -> str:
    return f"-- {source.path}:{source.line}\n" if source else ""


SQL_HEADER = "-- Schema verified by schemadoc against SQLite.\n"


def to_sql(schema: Schema) -> str:
    """The verified schema as SQLite stores it, each object under a comment with its source."""
    parts = [SQL_HEADER]
    for t in schema.tables:
        parts.append(f"\n{_where(t.source)}{t.sql};\n")
        for ix in t.indexes:
            if ix.sql:
                parts.append(f"{_where(ix.source)}{ix.sql};\n")
    for v in schema.views:
        parts.append(f"\n{_where(v.source)}{v.sql};\n")
    for tr in schema.triggers:
        parts.append(f"\n{_where(tr.source)}{tr.sql};\n")
    return "".join(parts)


def render(schema: Schema, settings: Settings) -> str:
    """The document in ``settings.format``."""
    if settings.format == "json":
        return to_json(schema)
    if settings.format == "sql":
        return to_sql(schema)
    if settings.format == "tbls":
        from .tbls import to_tbls

        return to_tbls(schema, settings)
    from .templates import render_template

    names = database_names(schema, settings)
    if names and settings.format in ("markdown", "mermaid"):
        main = only(schema, None)
        if settings.format == "mermaid":
            return render_template(main, settings)  # one diagram: the main database's
        return _markdown(main, settings) + "".join(
            _database_section(only(schema, name), name, settings) for name in names
        )
    return _markdown(schema, settings)


def _markdown(schema: Schema, settings: Settings) -> str:
    from .templates import render_template

    if settings.format == "markdown" and len(schema.tables) > settings.diagram_max_tables:
        return _grouped_markdown(schema, settings)
    return render_template(schema, settings)


def database_names(schema: Schema, settings: Settings) -> list[str]:
    """The databases besides the main one that ``schema`` has objects in: the configured
    ones in the order configured, then those the DDL attaches, by name."""
    present = {o.database for o in (*schema.tables, *schema.views, *schema.triggers)}
    configured = [d.name for d in settings.databases if d.name in present]
    return configured + sorted(n for n in present - set(configured) if n is not None)


def only(schema: Schema, database: str | None) -> Schema:
    """The part of ``schema`` in ``database`` (None: the main one, with the diagnostics)."""
    return Schema(
        tables=tuple(t for t in schema.tables if t.database == database),
        views=tuple(v for v in schema.views if v.database == database),
        triggers=tuple(t for t in schema.triggers if t.database == database),
        relations=tuple(r for r in schema.relations if r.database == database),
        diagnostics=schema.diagnostics if database is None else (),
    )


def _database_section(part: Schema, name: str, settings: Settings) -> str:
    """A database besides the main one, as a section of the main document (one level below
    its title): its overview, tables, views, triggers and diagram. None when it has a
    document of its own (``output``): empty."""
    from .headings import shift_headings

    configured = next((d for d in settings.databases if d.name == name), None)
    if configured is not None and configured.output:
        return ""
    title = configured.title if configured and configured.title else f"Database `{name}`"
    own = replace(settings, title=title, intro=None, database_location=None)
    lines = _markdown(part, own).splitlines(keepends=True)
    # the banner belongs to the document, not to each section
    body = lines[:1] + [line for line in lines[1:] if not line.startswith("> ")]
    text = "".join(body).replace("\n\n\n", "\n\n")
    return "\n" + shift_headings(text, 1)


def database_document(schema: Schema, name: str, settings: Settings) -> str:
    """The document of a configured database that has one of its own (``output``)."""
    configured = next(d for d in settings.databases if d.name == name)
    own = replace(settings, title=configured.title or f"Database `{name}`", intro=None)
    return render(in_database(only(schema, name), None), own)


def _grouped_markdown(schema: Schema, settings: Settings) -> str:
    """The Markdown document of a schema with more than ``diagram_max_tables`` tables: its
    diagrams are an overview and one per group of tables (see ``groups.grouped_diagrams``).
    The ``mermaid`` format stays one diagram of the whole schema."""
    from .context import context
    from .groups import grouped_diagrams
    from .templates import ENTRY_TEMPLATES, render_many

    values = context(schema, settings)
    values["diagrams"] = grouped_diagrams(schema, settings.diagram_max_tables, settings.groups)
    return render_many([(ENTRY_TEMPLATES["markdown"], values)], settings)[0]

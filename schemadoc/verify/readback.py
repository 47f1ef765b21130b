"""Reading the scratch databases back: the tables, views, indexes and triggers as SQLite has
them, cross-checked with the parsed model.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from ..model.diagnostics import SD202, SD207, SD301, SD402
from ..model.schema import (
    Check,
    Column,
    Diagnostic,
    ForeignKey,
    Index,
    IndexColumn,
    Schema,
    Source,
    Table,
    Trigger,
    View,
    ascii_fold,
)
from ..sql.heads import unquote
from ..sql.parse import foreign_key_names
from ..sql.statements import tokens
from .groups import _group_of
from .sandbox import SQLITE, Error, Reader, Sandbox, error_text
from .state import _Object, _State


def _index_parts(sql: str | None) -> tuple[list[str], str | None]:
    """The column items and the WHERE clause of a CREATE INDEX statement's text."""
    if not sql:
        return [], None
    toks = list(tokens(sql))
    depth = 0
    items: list[str] = []
    start = None
    where = None
    for i, tok in enumerate(toks):
        if tok.text == "(":
            depth += 1
            if depth == 1 and start is None:
                start = tok.end
                continue
        elif tok.text == ")":
            depth -= 1
            if depth == 0 and start is not None and not items:
                items = _split_commas(sql[start : tok.start])
                rest = toks[i + 1 :]
                for j, r in enumerate(rest):
                    if r.kind == "word" and r.text.upper() == "WHERE":
                        where = sql[r.end :].strip() if j + 1 < len(rest) else None
                        break
                break
    return items, where


def _split_commas(text: str) -> list[str]:
    parts, depth, last = [], 0, 0
    for tok in tokens(text):
        if tok.text == "(":
            depth += 1
        elif tok.text == ")":
            depth -= 1
        elif tok.text == "," and depth == 0:
            parts.append(text[last : tok.start].strip())
            last = tok.end
    parts.append(text[last:].strip())
    return [p for p in parts if p]


# Tried only where a run of spaces begins: once per space in a run would take quadratic time.
_ORDER_SUFFIX = re.compile(
    r"(?<!\s)(?:\s+COLLATE\s+(?P<collation>\S+))?(?:\s+(?:ASC|DESC))?\s*$", re.IGNORECASE
)


def _indexed_expression(item: str, collation: str) -> str:
    """The expression of an index column as written, without its order and without the
    ``COLLATE`` that SQLite took as the index column's own (``collation``). A ``COLLATE`` that
    binds to an operand inside (``a || b COLLATE NOCASE``) is part of the expression; so is
    one naming BINARY, which the definition would not show."""
    found = _ORDER_SUFFIX.search(item)
    assert found is not None  # the pattern matches the empty end of any text
    named = found.group("collation")
    own = named is not None and collation.upper() != "BINARY"
    if own and unquote(named).upper() == collation.upper():
        return item[: found.start()]
    end = found.start("collation") + len(named) if named is not None else found.start()
    return item[:end]


def _read_indexes(
    conn: Reader,
    schema: str,
    table: str,
    sources: dict[str, list[Source]],
    sql_of: dict[str, str],
) -> tuple[Index, ...]:
    out = []
    rows = conn.execute(f"PRAGMA {schema}.index_list({_quote(table)})").fetchall()
    # index_list is newest first; list them in creation order.
    for _seq, name, unique, origin, partial in sorted(rows, key=lambda r: r[0], reverse=True):
        items, where = _index_parts(sql_of.get(name))
        columns = []
        info = conn.execute(f"PRAGMA {schema}.index_xinfo({_quote(name)})").fetchall()
        keys = [r for r in info if r[5]]
        for pos, (_seqno, cid, col_name, desc, coll, _key) in enumerate(keys):
            expression = None
            if cid == -2:
                item = items[pos] if pos < len(items) else "?"
                expression = _indexed_expression(item, coll)
            elif cid == -1:
                col_name = "rowid"
            columns.append(IndexColumn(col_name, expression, bool(desc), coll))
        src = sources.get(ascii_fold(name), [])
        out.append(
            Index(
                name,
                table,
                bool(unique),
                origin,
                bool(partial),
                tuple(columns),
                where if partial else None,
                src[0] if src else None,
                sql_of.get(name),
            )
        )
    return tuple(out)


def _read_foreign_keys(
    conn: Reader, schema: str, table: str, names: dict[tuple[str, ...], str]
) -> tuple[ForeignKey, ...]:
    rows = conn.execute(f"PRAGMA {schema}.foreign_key_list({_quote(table)})").fetchall()
    grouped: dict[int, list[tuple]] = {}
    for row in rows:
        grouped.setdefault(row[0], []).append(row)
    out = []
    for fk_id in sorted(grouped, reverse=True):  # SQLite lists them newest first
        parts = sorted(grouped[fk_id], key=lambda r: r[1])
        columns = tuple(r[3] for r in parts)
        out.append(
            ForeignKey(
                columns=columns,
                ref_table=parts[0][2],
                ref_columns=tuple(r[4] for r in parts),
                on_update=parts[0][5],
                on_delete=parts[0][6],
                name=names.get(tuple(ascii_fold(c) for c in columns)),
            )
        )
    return tuple(out)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _verify_columns(
    obj: _Object, columns: tuple[Column, ...], source: Source | None, uniques: set[str]
) -> list[Diagnostic]:
    """Diagnostics where the parsed columns disagree with SQLite's."""
    if obj.columns is None:
        return []
    problems = []
    parsed = {ascii_fold(c.name): c for c in obj.columns}
    actual = {ascii_fold(c.name): c for c in columns if c.hidden != 1}
    for missing in parsed.keys() - actual.keys():
        problems.append(f"parsed column {parsed[missing].name} is not in SQLite's table")
    for extra in actual.keys() - parsed.keys():
        problems.append(f"SQLite has column {actual[extra].name} that the parser missed")
    for key in sorted(parsed.keys() & actual.keys()):
        p, a = parsed[key], actual[key]
        if p.notnull != a.notnull and not a.pk:
            problems.append(f"{a.name}: NOT NULL parsed as {p.notnull}, SQLite says {a.notnull}")
        if p.has_default != (a.default is not None):
            problems.append(
                f"{a.name}: DEFAULT parsed as {p.has_default}, SQLite says {a.default is not None}"
            )
        if p.pk and not a.pk:
            problems.append(f"{a.name}: parsed as PRIMARY KEY, SQLite says it is not")
        if p.unique and key not in uniques and not a.pk:
            problems.append(f"{a.name}: parsed as UNIQUE, SQLite has no such constraint")
    return [
        SD402.at(source, f"table {obj.name}: {problem}; SQLite's view is documented")
        for problem in problems
    ]


def _read_columns(conn: Reader, schema: str, name: str, obj: _Object | None) -> list[Column]:
    """A table's columns as SQLite has them, with what only the parsed statement says."""
    declared = {ascii_fold(c.name): c for c in (obj.columns or [])} if obj else {}
    columns = []
    for _cid, col_name, col_type, notnull, dflt, pk, hidden in conn.execute(
        f"PRAGMA {schema}.table_xinfo({_quote(name)})"
    ):
        if hidden == 1:
            continue  # a virtual table's hidden column
        d = declared.get(ascii_fold(col_name))
        columns.append(
            Column(
                name=col_name,
                type=col_type,
                notnull=bool(notnull),
                default=dflt,
                pk=pk,
                hidden=hidden,
                collation=d.collation if d else None,
                description=d.description if d else None,
                unique=d.unique if d else False,
                generated=d.generated if d else None,
                checks=d.checks if d else (),
            )
        )
    return columns


def _read_table(
    conn: Reader,
    schema: str,
    name: str,
    kind: str,
    strict: bool,
    without_rowid: bool,
    obj: _Object | None,
    index_sources: dict[str, list[Source]],
    state: _State,
    group: str,
    master: _Master,
) -> Table:
    sql = master.sql.get(("table", name)) or ""
    columns = _read_columns(conn, schema, name, obj)
    fk_names = foreign_key_names(obj.declared) if obj and obj.declared else {}
    indexes = _read_indexes(conn, schema, name, index_sources, master.indexes.get(name, {}))
    uniques = {
        ascii_fold(ix.columns[0].name or "")
        for ix in indexes
        if ix.unique and ix.origin == "u" and len(ix.columns) == 1
    }
    columns = [
        c if c.unique == (unique := ascii_fold(c.name) in uniques) else replace(c, unique=unique)
        for c in columns
    ]
    source = obj.sources[0] if obj and obj.sources else None
    if obj is not None:
        for diagnostic in _verify_columns(obj, tuple(columns), source, uniques):
            state.add(group, diagnostic)
    checks: tuple[Check, ...] = obj.declared.checks if obj and obj.declared else ()
    module = obj.declared.module if obj and obj.declared else None
    if kind == "virtual" and module is None:
        module = _module(sql)
    return Table(
        name=name,
        columns=tuple(columns),
        kind=kind,
        sources=tuple(obj.sources) if obj else (),
        description=obj.description if obj else None,
        without_rowid=without_rowid,
        strict=strict,
        temporary=schema == "temp",
        autoincrement=any(c.autoincrement for c in (obj.columns or [])) if obj else False,
        module=module,
        indexes=indexes,
        foreign_keys=_read_foreign_keys(conn, schema, name, fk_names),
        checks=checks,
        sql=sql,
    )


def _module(sql: str) -> str | None:
    """The module of a virtual table's statement."""
    m = re.search(r"\bUSING\s+(\w+)", sql, re.IGNORECASE)
    return m.group(1).lower() if m else None


class _Master:
    """A schema's ``sqlite_master`` read once: statement text by (type, name), and index
    statements by table (queried per object, it made reading back quadratic)."""

    def __init__(self, conn: Reader, schema: str) -> None:
        self.sql: dict[tuple[str, str], str] = {}
        self.indexes: dict[str, dict[str, str]] = {}
        for kind, name, table, sql in conn.execute(
            f"SELECT type, name, tbl_name, sql FROM {schema}.sqlite_master"
        ):
            self.sql[(kind, name)] = sql
            if kind == "index":
                self.indexes.setdefault(table, {})[name] = sql


def _read_parts(sandboxes: Sequence[Sandbox], state: _State) -> dict[str, Schema]:
    """What the databases hold, by group, with the diagnostics of each group: the part of
    the schema that each group yields (without relations). Each database is closed once
    read, so that what SQLite held for it is free before the next is read."""
    found: dict[str, tuple[list[Table], list[View], list[Trigger]]] = {}
    index_sources = {k: o.sources for k, o in state.objects.items() if o.kind == "INDEX"}
    for sandbox in sandboxes:
        with sandbox.reading() as conn:
            for schema in sandbox.schemas:
                if schema in ("main", "temp"):
                    _read_database(conn, schema, state, index_sources, found)
                    continue
                attached: dict[str, tuple[list[Table], list[View], list[Trigger]]] = {}
                _read_database(conn, schema, state, index_sources, attached)
                _in_database(found, attached, schema)
        sandbox.close()
    diagnostics: dict[str, list[Diagnostic]] = {}
    for group, diagnostic in state.diagnostics:
        diagnostics.setdefault(group, []).append(diagnostic)
    return {
        group: Schema(
            *(tuple(objects) for objects in found.get(group, ([], [], []))),
            diagnostics=tuple(diagnostics.get(group, [])),
        )
        for group in found.keys() | diagnostics.keys()
    }


def _in_database(
    found: dict[str, tuple[list[Table], list[View], list[Trigger]]],
    attached: dict[str, tuple[list[Table], list[View], list[Trigger]]],
    database: str,
) -> None:
    """Add to ``found`` what was read from the attached ``database``, marked as in it (read
    apart: marking what was added to ``found`` went over every group for each database)."""
    for group, objects in attached.items():
        for listed, read in zip(found.setdefault(group, ([], [], [])), objects, strict=True):
            listed.extend(replace(o, database=database) for o in read)


def _read_database(
    conn: Reader,
    schema: str,
    state: _State,
    index_sources: dict[str, list[Source]],
    found: dict[str, tuple[list[Table], list[View], list[Trigger]]],
) -> None:
    """Add the tables, views and triggers of one schema of one scratch database to
    ``found``, by group."""

    def of(name: str) -> tuple[str, tuple[list[Table], list[View], list[Trigger]]]:
        group = _group_of(ascii_fold(name), state.root_of)
        state.unattributed |= group == "?"
        return group, found.setdefault(group, ([], [], []))

    master = _Master(conn, schema)
    for _s, name, kind, _ncol, wr, strict in conn.execute(f"PRAGMA {schema}.table_list"):
        if name.startswith("sqlite_") or kind == "shadow":
            continue
        obj = state.objects.get(ascii_fold(name))
        group, (tables, views, _) = of(name)
        if kind == "view":
            views.append(_read_view(conn, schema, name, obj, state, group, master))
            continue
        try:
            table = _read_table(
                conn,
                schema,
                name,
                kind,
                bool(strict),
                bool(wr),
                obj,
                index_sources,
                state,
                group,
                master,
            )
        except Error as exc:  # a database file's virtual table of a module SQLite lacks here
            if "no such module" not in error_text(exc):
                raise
            sql = master.sql.get(("table", name)) or ""
            table = Table(name, (), kind, sql=sql, module=_module(sql))
            state.add(
                group, SD207(f"table {name}: {error_text(exc)} in {SQLITE}; columns not read")
            )
        tables.append(table)
    for name, table, sql in conn.execute(
        f"SELECT name, tbl_name, sql FROM {schema}.sqlite_master WHERE type = 'trigger'"
    ):
        obj = state.objects.get(ascii_fold(name))
        sources = tuple(obj.sources) if obj else ()
        of(name)[1][2].append(Trigger(name, table, sql, sources, obj.description if obj else None))


def _read_view(
    conn: Reader,
    schema: str,
    name: str,
    obj: _Object | None,
    state: _State,
    group: str,
    master: _Master,
) -> View:
    sql = master.sql.get(("view", name)) or ""
    try:
        columns = tuple(r[1] for r in conn.execute(f"PRAGMA {schema}.table_xinfo({_quote(name)})"))
    except Error as exc:
        columns = ()
        source = obj.sources[0] if obj and obj.sources else None
        words = {ascii_fold(unquote(t.text)) for t in tokens(sql) if t.kind in ("word", "quoted")}
        if words & state.conflicted:
            state.add(
                group,
                SD301.at(
                    source,
                    f"view {name} fails on the other definition of a table it reads: "
                    f"{error_text(exc)}",
                ),
            )
        else:
            state.add(group, SD202.at(source, f"view {name}: {error_text(exc)}"))
    return View(
        name,
        sql,
        columns,
        tuple(obj.sources) if obj else (),
        obj.description if obj else None,
        schema == "temp",
    )

"""The schema as tbls's ``schema.json``, the document tbls's viewers and Liam ERD read.

The shape is tbls's published JSON schema (``spec/tbls.schema.json_schema.json`` in
k1LoW/tbls). Names follow what tbls's own SQLite driver writes for the same database, so a
schemadoc document and one tbls reads from the database look alike:

* tables (views too, typed ``view``; virtual tables ``virtual table``) in the model's order,
  each with its ``CREATE`` statement as ``def``;
* columns: ``nullable`` is false for NOT NULL columns and for primary keys SQLite keeps from
  being NULL (a rowid alias, any key of a WITHOUT ROWID table); ``default`` is the DEFAULT as
  SQLite reports it, left out when there is none; ``extra_def`` holds a collation or a
  generated expression;
* constraints: the primary key (one entry, named after the automatic index SQLite made for
  it, else after its column), each foreign key (its own name, else ``- (Foreign key ID:
  N)`` with SQLite's id), each UNIQUE constraint (named after its automatic index), each CHECK
  (its own name, else ``- (CHECK N)``); names are unique within a table, as Liam ERD keys
  constraints by name;
* indexes: every index SQLite has, automatic ones with ``UNIQUE (...)`` or ``PRIMARY KEY
  (...)`` as ``def``; ``columns`` lists the named columns (not expressions);
* relations: declared foreign keys, and inferred ones with ``virtual`` true; a relation whose
  columns are not all columns of its tables (a key on ``rowid``, a reference to a column the
  parent lacks) is left out, as tbls could not load it; the constraint stays;
* ``driver``: ``sqlite`` and the version of the SQLite that verified the schema;
* the objects of each database besides the main one (configured or attached) come after the
  main one's, named ``database.name``, and relate only within their database.

Keys come in a fixed order and empty lists are left out, as tbls leaves them out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..config import Settings
from ..model.schema import (
    Column,
    ForeignKey,
    Index,
    Relation,
    Schema,
    Table,
    View,
    ascii_fold,
    sql_name,
)
from ..verify.sandbox import SQLITE_VERSION
from .formats import database_names, indented_json, only

# Mermaid's markers (parent side first, as the model writes cardinality) in tbls's words.
_PARENT_SIDE = {
    "||": "exactly_one",
    "|o": "zero_or_one",
    "}o": "zero_or_more",
    "}|": "one_or_more",
}
_CHILD_SIDE = {
    "||": "exactly_one",
    "o|": "zero_or_one",
    "o{": "zero_or_more",
    "|{": "one_or_more",
}
INFERRED_DEF = "inferred from the column name; no FOREIGN KEY is declared"


def _nullable(table: Table, column: Column) -> bool:
    if column.notnull:
        return False
    if column.pk and table.kind == "table":
        if table.without_rowid:
            return False
        alias = len(table.primary_key) == 1 and column.type.upper() == "INTEGER"
        return not alias
    return True


def _extra_def(column: Column) -> str:
    parts = []
    if column.collation and column.collation.upper() != "BINARY":
        parts.append(f"COLLATE {column.collation}")
    if column.generated is not None or column.hidden in (2, 3):
        kind = "STORED" if column.hidden == 3 else "VIRTUAL"
        parts.append(f"GENERATED ALWAYS AS ({column.generated or '?'}) {kind}")
    return " ".join(parts)


def _column(table: Table, column: Column) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": column.name,
        "type": column.type,
        "nullable": _nullable(table, column),
    }
    if column.default is not None:
        out["default"] = column.default
    extra = _extra_def(column)
    if extra:
        out["extra_def"] = extra
    if column.description:
        out["comment"] = column.description
    return out


def _columns_list(names: tuple[str, ...]) -> str:
    return ", ".join(sql_name(n) for n in names)


def _index_def(ix: Index) -> str:
    if ix.sql:
        return ix.sql
    head = "PRIMARY KEY" if ix.origin == "pk" else "UNIQUE"
    return f"{head} ({', '.join(c.label for c in ix.columns)})"


Qualify = Callable[[str], str]  # a table's name as written: database.name outside the main one


def _index(table: Table, ix: Index, q: Qualify) -> dict[str, Any]:
    return {
        "name": ix.name,
        "def": _index_def(ix),
        "table": q(table.name),
        "columns": [c.name for c in ix.columns if c.name is not None],
    }


def _fk_def(fk: ForeignKey, ref_columns: tuple[str, ...]) -> str:
    return (
        f"FOREIGN KEY ({_columns_list(fk.columns)}) REFERENCES {sql_name(fk.ref_table)} "
        f"({_columns_list(ref_columns)}) ON UPDATE {fk.on_update} ON DELETE {fk.on_delete}"
    )


def _ref_columns(schema: Schema, fk: ForeignKey) -> tuple[str, ...]:
    """The referenced columns; one left implicit is the parent's primary key column."""
    parent = schema.table(fk.ref_table)
    key = parent.primary_key if parent is not None else ()
    return tuple(
        r if r is not None else (key[i] if i < len(key) else "rowid")
        for i, r in enumerate(fk.ref_columns)
    )


def _spelled(table: Table | None, names: tuple[str, ...]) -> list[str]:
    """``names`` as ``table`` spells its columns (SQLite folds their case)."""
    found = [table.column(n) if table is not None else None for n in names]
    return [c.name if c is not None else n for c, n in zip(found, names, strict=True)]


def _words(text: str) -> set[str]:
    from ..sql.heads import unquote
    from ..sql.statements import tokens

    return {ascii_fold(unquote(t.text)) for t in tokens(text) if t.kind in ("word", "quoted")}


class _Names:
    """Constraint names within one table, each used once."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def take(self, wanted: str) -> str:
        name, n = wanted, 1
        while ascii_fold(name) in self.used:
            n += 1
            name = f"{wanted} ({n})"
        self.used.add(ascii_fold(name))
        return name


def _constraints(schema: Schema, table: Table, q: Qualify) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    names = _Names()
    pk = table.primary_key
    if pk:
        pk_index = next((ix for ix in table.indexes if ix.origin == "pk"), None)
        out.append(
            {
                "name": names.take(pk_index.name if pk_index else ", ".join(pk)),
                "type": "PRIMARY KEY",
                "def": f"PRIMARY KEY ({_columns_list(pk)})",
                "table": q(table.name),
                "columns": list(pk),
            }
        )
    count = len(table.foreign_keys)
    for position, fk in enumerate(table.foreign_keys):
        ref_columns = _ref_columns(schema, fk)
        parent = schema.table(fk.ref_table)
        # SQLite numbers foreign keys from the last declared (see PRAGMA foreign_key_list).
        fallback = f"- (Foreign key ID: {count - 1 - position})"
        out.append(
            {
                "name": names.take(fk.name or fallback),
                "type": "FOREIGN KEY",
                "def": _fk_def(fk, ref_columns),
                "table": q(table.name),
                "referenced_table": q(parent.name if parent is not None else fk.ref_table),
                "columns": _spelled(table, fk.columns),
                "referenced_columns": _spelled(parent, ref_columns),
            }
        )
    for ix in table.indexes:
        if ix.origin == "u":
            out.append(
                {
                    "name": names.take(ix.name),
                    "type": "UNIQUE",
                    "def": _index_def(ix),
                    "table": q(table.name),
                    "columns": [c.name for c in ix.columns if c.name is not None],
                }
            )
    checks = [(ch, (c.name,)) for c in table.columns for ch in c.checks]
    for ch in table.checks:
        words = _words(ch.expression)
        checks.append((ch, tuple(c.name for c in table.columns if ascii_fold(c.name) in words)))
    for number, (ch, columns) in enumerate(checks, 1):
        entry: dict[str, Any] = {
            "name": names.take(ch.name or f"- (CHECK {number})"),
            "type": "CHECK",
            "def": f"CHECK ({ch.expression})",
            "table": q(table.name),
        }
        if columns:
            entry["columns"] = list(columns)
        out.append(entry)
    return out


def _table(
    schema: Schema, table: Table, triggers: list[dict[str, Any]], q: Qualify
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": q(table.name),
        "type": "virtual table" if table.kind == "virtual" else "table",
    }
    if table.description:
        out["comment"] = table.description
    out["columns"] = [_column(table, c) for c in table.columns]
    indexes = [_index(table, ix, q) for ix in table.indexes]
    if indexes:
        out["indexes"] = indexes
    constraints = _constraints(schema, table, q)
    if constraints:
        out["constraints"] = constraints
    if triggers:
        out["triggers"] = triggers
    if table.sql:
        out["def"] = table.sql
    return out


def _referenced(schema: Schema, view: View) -> list[str]:
    """The tables and views a view reads (not its own common table expressions), in the
    schema's spelling and order; none when its statement does not parse."""
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import SqlglotError

    try:
        tree = sqlglot.parse_one(view.sql, read="sqlite")
    except (SqlglotError, RecursionError):
        return []
    ctes = {ascii_fold(c.alias_or_name) for c in tree.find_all(exp.CTE)}
    read = {ascii_fold(t.name) for t in tree.find_all(exp.Table)} - ctes
    read.discard(ascii_fold(view.name))
    known = [t.name for t in schema.tables] + [v.name for v in schema.views]
    return [name for name in known if ascii_fold(name) in read]


def _view(schema: Schema, view: View, triggers: list[dict[str, Any]], q: Qualify) -> dict[str, Any]:
    out: dict[str, Any] = {"name": q(view.name), "type": "view"}
    if view.description:
        out["comment"] = view.description
    out["columns"] = [{"name": c, "type": "", "nullable": True} for c in view.columns]
    if triggers:
        out["triggers"] = triggers
    out["def"] = view.sql
    referenced = _referenced(schema, view)
    if referenced:
        out["referenced_tables"] = [q(name) for name in referenced]
    return out


def _relation(schema: Schema, r: Relation, q: Qualify) -> dict[str, Any] | None:
    child, parent = schema.table(r.from_table), schema.table(r.to_table)
    if child is None or parent is None:
        return None
    columns = [child.column(c) for c in r.from_columns]
    parent_columns = [parent.column(c) for c in r.to_columns]
    if None in columns or None in parent_columns:
        return None  # tbls finds a relation's columns among its tables' columns, or fails
    out: dict[str, Any] = {
        "table": q(child.name),
        "columns": [c.name for c in columns if c is not None],
    }
    child_side = _CHILD_SIDE.get(r.cardinality[-2:])
    if child_side:
        out["cardinality"] = child_side
    out["parent_table"] = q(parent.name)
    out["parent_columns"] = [c.name for c in parent_columns if c is not None]
    parent_side = _PARENT_SIDE.get(r.cardinality[:2])
    if parent_side:
        out["parent_cardinality"] = parent_side
    if r.kind == "declared":
        folded = tuple(ascii_fold(c) for c in r.from_columns)
        fk = next(
            (
                fk
                for fk in child.foreign_keys
                if tuple(ascii_fold(c) for c in fk.columns) == folded
                and ascii_fold(fk.ref_table) == ascii_fold(parent.name)
            ),
            None,
        )
        out["def"] = _fk_def(fk, r.to_columns) if fk is not None else ""
    else:
        out["def"] = INFERRED_DEF
        out["virtual"] = True
    return out


def _qualifier(database: str | None) -> Qualify:
    return (lambda name: name) if database is None else (lambda name: f"{database}.{name}")


def to_tbls(schema: Schema, settings: Settings) -> str:
    """The tbls ``schema.json`` of ``schema``, keys in a fixed order. The objects of a
    database besides the main one follow the main one's, named ``database.name``, as tbls
    names the tables of a schema that is not the default one."""
    data: dict[str, Any] = {"name": settings.title}
    if settings.intro:
        data["desc"] = settings.intro
    tables: list[dict[str, Any]] = []
    relations: list[dict[str, Any]] = []
    for database in [None, *database_names(schema, settings)]:
        part, q = only(schema, database), _qualifier(database)
        triggers: dict[str, list[dict[str, Any]]] = {}
        for tr in part.triggers:
            entry = {"name": tr.name, "def": tr.sql}
            triggers.setdefault(ascii_fold(tr.table), []).append(entry)
        tables += [_table(part, t, triggers.get(ascii_fold(t.name), []), q) for t in part.tables]
        tables += [_view(part, v, triggers.get(ascii_fold(v.name), []), q) for v in part.views]
        found = (_relation(part, r, q) for r in part.relations)
        relations += [r for r in found if r is not None]
    data["tables"] = tables
    if relations:
        data["relations"] = relations
    data["driver"] = {"name": "sqlite", "database_version": SQLITE_VERSION}
    return indented_json(data, end="\n")

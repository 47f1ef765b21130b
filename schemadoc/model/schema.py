"""The schema model: plain, immutable dataclasses that every stage passes along.

Nothing here imports from the rest of the project. Field names mirror what SQLite reports
through ``PRAGMA table_xinfo``, ``index_list``, ``index_xinfo`` and ``foreign_key_list``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal, TypeVar

Severity = Literal["error", "warning", "note"]


@dataclass(frozen=True, order=True, slots=True)
class Source:
    """A place in a scanned file: 1-based line, 0-based column (code points)."""

    path: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding, printed compiler style: ``path:line:col: severity[CODE]: message``."""

    severity: Severity
    code: str
    message: str
    path: str = ""
    line: int = 0
    column: int = 0

    @classmethod
    def at(cls, source: Source | None, severity: Severity, code: str, message: str) -> Diagnostic:
        if source is None:
            return cls(severity, code, message)
        return cls(severity, code, message, source.path, source.line, source.column)

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.column, self.code, self.message)

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}:{self.column}: " if self.path else ""
        return f"{where}{self.severity}[{self.code}]: {self.message}"


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: str
    notnull: bool = False
    default: str | None = None
    pk: int = 0
    hidden: int = 0
    collation: str | None = None
    description: str | None = None
    unique: bool = False
    generated: str | None = None
    checks: tuple[Check, ...] = ()


@dataclass(frozen=True, slots=True)
class IndexColumn:
    name: str | None
    expression: str | None = None
    desc: bool = False
    collation: str | None = None

    @property
    def label(self) -> str:
        """How the column appears in an index definition (name or expression, order)."""
        text = sql_name(self.name) if self.name is not None else (self.expression or "?")
        if self.collation and self.collation.upper() != "BINARY":
            text += f" COLLATE {self.collation}"
        return text + (" DESC" if self.desc else "")


@dataclass(frozen=True, slots=True)
class Index:
    name: str
    table: str
    unique: bool
    origin: str
    partial: bool
    columns: tuple[IndexColumn, ...]
    where: str | None = None
    source: Source | None = None
    sql: str | None = None  # as SQLite stores it; None for automatic indexes

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name if c.name is not None else (c.expression or "") for c in self.columns)

    @property
    def definition(self) -> str:
        """Full definition, e.g. ``UNIQUE INDEX ux ON t (a, b DESC) WHERE a > 0``."""
        head = "UNIQUE INDEX" if self.unique else "INDEX"
        columns = ", ".join(c.label for c in self.columns)
        text = f"{head} {sql_name(self.name)} ON {sql_name(self.table)} ({columns})"
        return f"{text} WHERE {self.where}" if self.where else text


@dataclass(frozen=True, slots=True)
class ForeignKey:
    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str | None, ...]
    on_delete: str = "NO ACTION"
    on_update: str = "NO ACTION"
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Check:
    expression: str
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    kind: str = "table"  # "table" or "virtual"
    sources: tuple[Source, ...] = ()
    description: str | None = None
    without_rowid: bool = False
    strict: bool = False
    temporary: bool = False
    autoincrement: bool = False
    module: str | None = None  # virtual table module, e.g. "fts5"
    indexes: tuple[Index, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    checks: tuple[Check, ...] = ()
    sql: str = ""
    database: str | None = None  # the database it is in, when not the main one

    @property
    def source(self) -> Source | None:
        return self.sources[0] if self.sources else None

    @property
    def primary_key(self) -> tuple[str, ...]:
        keyed = sorted((c.pk, c.name) for c in self.columns if c.pk)
        return tuple(name for _, name in keyed)

    def column(self, name: str) -> Column | None:
        folded = ascii_fold(name)
        return next((c for c in self.columns if ascii_fold(c.name) == folded), None)


@dataclass(frozen=True, slots=True)
class View:
    name: str
    sql: str
    columns: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()
    description: str | None = None
    temporary: bool = False
    database: str | None = None  # the database it is in, when not the main one

    @property
    def source(self) -> Source | None:
        return self.sources[0] if self.sources else None


@dataclass(frozen=True, slots=True)
class Trigger:
    name: str
    table: str
    sql: str
    sources: tuple[Source, ...] = ()
    description: str | None = None
    database: str | None = None  # the database it is in, when not the main one

    @property
    def source(self) -> Source | None:
        return self.sources[0] if self.sources else None


@dataclass(frozen=True, slots=True)
class Relation:
    """A link from a child table's columns to the parent table's columns."""

    from_table: str
    from_columns: tuple[str, ...]
    to_table: str
    to_columns: tuple[str, ...]
    kind: Literal["declared", "inferred"]
    cardinality: str  # Mermaid notation, parent side first: e.g. "||--o{"
    database: str | None = None  # the database both tables are in, when not the main one


@dataclass(frozen=True, slots=True)
class Schema:
    tables: tuple[Table, ...] = ()
    views: tuple[View, ...] = ()
    triggers: tuple[Trigger, ...] = ()
    relations: tuple[Relation, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = field(default=())

    def table(self, name: str) -> Table | None:
        folded = ascii_fold(name)
        return next((t for t in self.tables if ascii_fold(t.name) == folded), None)


_InDatabase = TypeVar("_InDatabase", "Table", "View", "Trigger", "Relation")


def in_database(schema: Schema, name: str | None) -> Schema:
    """``schema`` with every table, view, trigger and relation marked as in database
    ``name``."""
    return replace(
        schema,
        tables=tuple(replace(t, database=name) for t in schema.tables),
        views=tuple(replace(v, database=name) for v in schema.views),
        triggers=tuple(replace(t, database=name) for t in schema.triggers),
        relations=tuple(replace(r, database=name) for r in schema.relations),
    )


def merged(parts: Sequence[Schema], key: Callable[[str | None], str]) -> Schema:
    """One schema of several databases', their objects side by side, ordered by the ``key``
    of their database (in the order of ``parts`` within one)."""

    def ordered(objects: Iterable[_InDatabase]) -> tuple[_InDatabase, ...]:
        return tuple(sorted(objects, key=lambda o: key(o.database)))

    return Schema(
        tables=ordered(t for p in parts for t in p.tables),
        views=ordered(v for p in parts for v in p.views),
        triggers=ordered(t for p in parts for t in p.triggers),
        relations=ordered(r for p in parts for r in p.relations),
        diagnostics=tuple(
            sorted((d for p in parts for d in p.diagnostics), key=Diagnostic.sort_key)
        ),
    )


def ascii_fold(name: str) -> str:
    """Fold case the way SQLite compares identifiers: ASCII letters only (``lower`` where
    every letter is ASCII: ten times faster)."""
    return name.lower() if name.isascii() else name.translate(_ASCII_LOWER)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


@dataclass(frozen=True, slots=True)
class Origin:
    """Where in the code a statement was found, as the finder knew it: the qualified name of
    its function (outside functions, the constant it is assigned to), the other engine its
    branch or module runs on (``if isinstance(engine, PostgresEngine):``), the keywords of
    the arguments it is passed as (``rollback`` for one after an argument that holds DDL:
    ``step("CREATE ...", "DROP ...")``), and whether it is test code."""

    function: str | None = None
    engine: str | None = None
    roles: tuple[str, ...] = ()
    in_test: bool = False

    @property
    def label(self) -> str | None:
        """All of it in one dotted name (``migrate.postgres.down``): how messages name a
        place, and what statements from one place share."""
        parts = [self.function] if self.function else []
        return ".".join([*parts, *([self.engine] if self.engine else []), *self.roles]) or None


@dataclass(frozen=True, slots=True)
class SqlStatement:
    """One SQL statement found in the sources, ready to parse and apply."""

    sql: str
    source: Source
    description: str | None = None  # from the comments right before it
    placeholders: tuple[str, ...] = ()
    origin: Origin = Origin()


def sql_name(name: str) -> str:
    """``name`` as SQL would need it written: quoted when it is a keyword or not a plain word."""
    if _PLAIN.fullmatch(name) and name.upper() not in _KEYWORDS:
        return name
    return '"' + name.replace('"', '""') + '"'


_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_KEYWORDS = frozenset(  # SQLite's keywords, from its documentation
    """ABORT ACTION ADD AFTER ALL ALTER ALWAYS ANALYZE AND AS ASC ATTACH AUTOINCREMENT BEFORE
    BEGIN BETWEEN BY CASCADE CASE CAST CHECK COLLATE COLUMN COMMIT CONFLICT CONSTRAINT CREATE
    CROSS CURRENT CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP DATABASE DEFAULT DEFERRABLE
    DEFERRED DELETE DESC DETACH DISTINCT DO DROP EACH ELSE END ESCAPE EXCEPT EXCLUDE EXCLUSIVE
    EXISTS EXPLAIN FAIL FILTER FIRST FOLLOWING FOR FOREIGN FROM FULL GENERATED GLOB GROUP GROUPS
    HAVING IF IGNORE IMMEDIATE IN INDEX INDEXED INITIALLY INNER INSERT INSTEAD INTERSECT INTO IS
    ISNULL JOIN KEY LAST LEFT LIKE LIMIT MATCH MATERIALIZED NATURAL NO NOT NOTHING NOTNULL NULL
    NULLS OF OFFSET ON OR ORDER OTHERS OUTER OVER PARTITION PLAN PRAGMA PRECEDING PRIMARY QUERY
    RAISE RANGE RECURSIVE REFERENCES REGEXP REINDEX RELEASE RENAME REPLACE RESTRICT RETURNING
    RIGHT ROLLBACK ROW ROWS SAVEPOINT SELECT SET TABLE TEMP TEMPORARY THEN TIES TO TRANSACTION
    TRIGGER UNBOUNDED UNION UNIQUE UPDATE USING VACUUM VALUES VIEW VIRTUAL WHEN WHERE WINDOW WITH
    WITHOUT""".split()  # noqa: SIM905
)

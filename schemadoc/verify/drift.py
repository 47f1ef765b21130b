"""Drift: the schema the code creates against the schema a real database file holds.

Both sides are what SQLite reports (``PRAGMA table_xinfo``, ``index_list``, ``index_xinfo``,
``foreign_key_list``, ``sqlite_master``), read by the same code (``verify.read_schema``), so
they compare fact by fact: objects missing on either side, and for tables in both their
columns (type, NOT NULL, DEFAULT, primary key, generated), named indexes, UNIQUE
constraints, foreign keys, kind (virtual, WITHOUT ROWID, STRICT) and, when all of that
agrees, the rest of the definition (CHECKs, collations), compared as text without case,
spacing, comments or quotes. Views and triggers compare by their definitions. SQLite's
internal tables (``sqlite_%``), a virtual table's shadow tables and the code's temporary
objects (never in a file) are left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from ..model.schema import (
    Column,
    ForeignKey,
    Index,
    Schema,
    Table,
    Trigger,
    View,
    ascii_fold,
)

# Typical causes, where one is clear.
NEVER_RAN = "a migration the database never ran"
BY_HAND = "created by hand or by an ORM"
NOT_ADDED = "an ADD COLUMN the database never ran, or the table predates this definition"
ADDED_BY_HAND = "added by hand or by an ORM, or a DROP COLUMN the database never ran"
REBUILT = "the table predates this definition (CREATE TABLE IF NOT EXISTS keeps the old one)"
KEPT = "another definition came first (CREATE ... IF NOT EXISTS keeps the old one)"
INDEX_KEPT = "another definition came first (CREATE INDEX IF NOT EXISTS keeps the old one)"
INDEX_NEVER_RAN = "a CREATE INDEX the database never ran"
UNVERIFIED = "its DDL in the code did not verify (see the diagnostics)"


@dataclass(frozen=True)
class Difference:
    """One way the database differs from the code."""

    kind: str  # "missing" (in the code only), "extra" (in the database only), "changed"
    object: str  # table, column, index, unique constraint, foreign key, view, trigger
    name: str  # qualified where it belongs to a table: ``table.column``
    table: str  # the table or view it belongs to (or is): differences are listed by it
    code: str | None = None  # the code's side, for "changed"
    database: str | None = None  # the database's side, for "changed"
    aspect: str | None = None  # what differs, for "changed": type, NOT NULL, ...
    cause: str | None = None

    def sort_key(self) -> tuple[str, str, str, str, str]:
        order = _ORDER.get(self.object, "9")
        return (ascii_fold(self.table), order, ascii_fold(self.name), self.kind, self.aspect or "")

    @property
    def multiline(self) -> bool:
        """Whether the two sides are statements, shown below the line rather than in it."""
        return self.kind == "changed" and (self.aspect or "").startswith("definition")

    def __str__(self) -> str:
        if self.kind == "missing":
            text = f"{self.object} {self.name}: in the code, not in the database"
        elif self.kind == "extra":
            text = f"{self.object} {self.name}: in the database, not in the code"
        elif self.multiline:
            text = f"{self.object} {self.name}: the {self.aspect} differs"
        else:
            text = (
                f"{self.object} {self.name}: {self.aspect} is {self.code} in the code, "
                f"{self.database} in the database"
            )
        return f"{text}; likely cause: {self.cause}" if self.cause else text

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "object": self.object,
            "name": self.name,
            "table": self.table,
            "aspect": self.aspect,
            "code": self.code,
            "database": self.database,
            "cause": self.cause,
        }


_ORDER = {
    "table": "0",
    "view": "0",
    "column": "1",
    "unique constraint": "2",
    "foreign key": "3",
    "index": "4",
    "trigger": "5",
}
_Named = TypeVar("_Named", Table, View, Trigger, Index, Column)


def _by_name(items: Iterable[_Named]) -> dict[str, _Named]:
    return {ascii_fold(item.name): item for item in items}


def _shown(value: object) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return f"{value!r}" if isinstance(value, str) and not value else str(value)


def _same_type(a: str, b: str) -> bool:
    return " ".join(a.upper().split()) == " ".join(b.upper().split())


class _Found(list):
    """The differences of one table (or view), each recorded under it."""

    def __init__(self, table: str) -> None:
        super().__init__()
        self.table = table

    def add(self, kind: str, what: str, name: str, cause: str | None = None, **more: Any) -> None:
        self.append(Difference(kind, what, name, self.table, cause=cause, **more))

    def changed(self, what: str, name: str, aspect: str, code: object, db: object) -> None:
        self.add(
            "changed", what, name, REBUILT, aspect=aspect, code=_shown(code), database=_shown(db)
        )


def _columns(code: Table, db: Table, out: _Found) -> None:
    mine, theirs = _by_name(code.columns), _by_name(db.columns)
    missing = [c for key, c in mine.items() if key not in theirs]
    extra = [c for key, c in theirs.items() if key not in mine]
    renamed = None
    if (
        len(missing) == 1
        and len(extra) == 1
        and _column_shape(missing[0]) == _column_shape(extra[0])
    ):
        renamed = (
            f"a RENAME COLUMN {missing[0].name} TO {extra[0].name} in one of them only "
            "(the columns are alike but for the name)"
        )
    for column in missing:
        out.add("missing", "column", f"{code.name}.{column.name}", renamed or NOT_ADDED)
    for column in extra:
        out.add("extra", "column", f"{code.name}.{column.name}", renamed or ADDED_BY_HAND)
    for key, c in mine.items():
        d = theirs.get(key)
        if d is None:
            continue
        name = f"{code.name}.{c.name}"
        if not _same_type(c.type, d.type):
            out.changed("column", name, "type", c.type or "''", d.type or "''")
        if c.notnull != d.notnull:
            out.changed("column", name, "NOT NULL", c.notnull, d.notnull)
        if (c.default or "").strip() != (d.default or "").strip():
            out.changed("column", name, "DEFAULT", c.default, d.default)
        if c.pk != d.pk:
            out.changed("column", name, "primary key position", c.pk or None, d.pk or None)
        if c.hidden != d.hidden:
            kinds = {0: "stored", 2: "generated (VIRTUAL)", 3: "generated (STORED)"}
            out.changed("column", name, "kind", kinds.get(c.hidden), kinds.get(d.hidden))


def _column_shape(c: Column) -> tuple[Any, ...]:
    """A column but for its name."""
    return (" ".join(c.type.upper().split()), c.notnull, (c.default or "").strip(), c.pk, c.hidden)


def _index_shape(ix: Index) -> tuple[Any, ...]:
    return (
        ix.unique,
        tuple(
            (
                ascii_fold(c.name) if c.name else None,
                " ".join((c.expression or "").lower().split()),
                c.desc,
                (c.collation or "BINARY").upper(),
            )
            for c in ix.columns
        ),
        " ".join((ix.where or "").lower().split()),
    )


def _indexes(code: Table, db: Table, out: _Found) -> None:
    def named(t: Table) -> dict[str, Index]:
        return {ascii_fold(ix.name): ix for ix in t.indexes if ix.origin == "c"}

    mine, theirs = named(code), named(db)
    for key, ix in mine.items():
        other = theirs.get(key)
        if other is None:
            out.add("missing", "index", ix.name, INDEX_NEVER_RAN)
        elif _index_shape(ix) != _index_shape(other):
            out.add(
                "changed",
                "index",
                ix.name,
                INDEX_KEPT,
                aspect="definition",
                code=ix.definition,
                database=other.definition,
            )
    for key, ix in theirs.items():
        if key not in mine:
            out.add("extra", "index", ix.name, BY_HAND)

    def uniques(t: Table) -> dict[tuple[Any, ...], Index]:
        return {_index_shape(ix): ix for ix in t.indexes if ix.origin == "u"}

    mine_u, theirs_u = uniques(code), uniques(db)
    for shape, ix in mine_u.items():
        if shape not in theirs_u:
            label = f"{code.name} ({', '.join(c.label for c in ix.columns)})"
            out.add("missing", "unique constraint", label, REBUILT)
    for shape, ix in theirs_u.items():
        if shape not in mine_u:
            label = f"{code.name} ({', '.join(c.label for c in ix.columns)})"
            out.add("extra", "unique constraint", label, REBUILT)


def _fk_key(fk: ForeignKey) -> tuple[Any, ...]:
    return (
        tuple(ascii_fold(c) for c in fk.columns),
        ascii_fold(fk.ref_table),
        tuple(ascii_fold(c) if c else None for c in fk.ref_columns),
    )


def _fk_label(table: str, fk: ForeignKey) -> str:
    refs = ", ".join(c or "?" for c in fk.ref_columns)
    return f"{table} ({', '.join(fk.columns)}) -> {fk.ref_table} ({refs})"


def _foreign_keys(code: Table, db: Table, out: _Found) -> None:
    mine = {_fk_key(fk): fk for fk in code.foreign_keys}
    theirs = {_fk_key(fk): fk for fk in db.foreign_keys}
    for key, fk in mine.items():
        other = theirs.get(key)
        label = _fk_label(code.name, fk)
        if other is None:
            out.add("missing", "foreign key", label, REBUILT)
            continue
        for aspect, a, b in (
            ("ON DELETE", fk.on_delete, other.on_delete),
            ("ON UPDATE", fk.on_update, other.on_update),
        ):
            if a != b:
                out.changed("foreign key", label, aspect, a, b)
    for key, fk in theirs.items():
        if key not in mine:
            out.add("extra", "foreign key", _fk_label(code.name, fk), REBUILT)


_Definition = Table | View | Trigger


def _same_text(a: _Definition, b: _Definition) -> bool:
    from .apply import normalized_definition

    return normalized_definition(a.sql, a.name) == normalized_definition(b.sql, b.name)


def _table(code: Table, db: Table) -> _Found:
    out = _Found(code.name)
    for aspect, a, b in (
        ("kind", code.kind, db.kind),
        ("virtual table module", code.module, db.module),
        ("WITHOUT ROWID", code.without_rowid, db.without_rowid),
        ("STRICT", code.strict, db.strict),
    ):
        if a != b:
            out.changed("table", code.name, aspect, a, b)
    if db.kind != "virtual" or db.columns:  # no columns: a module this SQLite lacks
        _columns(code, db, out)
        _foreign_keys(code, db, out)
    _indexes(code, db, out)
    if not [d for d in out if d.object != "index"] and not _same_text(code, db):
        out.add(
            "changed",
            "table",
            code.name,
            REBUILT,
            aspect="definition (CHECK, COLLATE or other text no PRAGMA reports)",
            code=code.sql,
            database=db.sql,
        )
    return out


def compare(code: Schema, db: Schema, unverified: Sequence[str] = ()) -> list[Difference]:
    """How ``db`` differs from ``code``, by table. ``unverified`` holds the messages of the
    diagnostics that cost the code's schema an object: an object only the database has, named
    in one of them, is said to come from DDL that did not verify."""

    def extra_cause(name: str) -> str:
        folded = ascii_fold(name)
        named = any(folded in _words(message) for message in unverified)
        return UNVERIFIED if named else BY_HAND

    out: list[Difference] = []
    mine = _by_name(t for t in code.tables if not t.temporary)
    theirs = _by_name(db.tables)
    for key, table in mine.items():
        if key in theirs:
            out.extend(_table(table, theirs[key]))
        else:
            out.append(Difference("missing", "table", table.name, table.name, cause=NEVER_RAN))
    for key, table in theirs.items():
        if key not in mine:
            cause = extra_cause(table.name)
            out.append(Difference("extra", "table", table.name, table.name, cause=cause))
    temporary = {ascii_fold(t.name) for t in code.tables if t.temporary}
    for what, code_objects, db_objects in (
        ("view", [v for v in code.views if not v.temporary], db.views),
        (
            "trigger",
            [t for t in code.triggers if ascii_fold(t.table) not in temporary],
            db.triggers,
        ),
    ):
        mine_o: dict[str, View | Trigger] = _by_name(code_objects)
        theirs_o: dict[str, View | Trigger] = _by_name(db_objects)
        for key, obj in mine_o.items():
            other = theirs_o.get(key)
            where = obj.table if isinstance(obj, Trigger) else obj.name
            if other is None:
                out.append(Difference("missing", what, obj.name, where, cause=NEVER_RAN))
            elif not _same_text(obj, other):
                out.append(
                    Difference(
                        "changed",
                        what,
                        obj.name,
                        where,
                        obj.sql,
                        other.sql,
                        "definition",
                        KEPT,
                    )
                )
        for key, obj in theirs_o.items():
            if key not in mine_o:
                where = obj.table if isinstance(obj, Trigger) else obj.name
                cause = extra_cause(obj.name)
                out.append(Difference("extra", what, obj.name, where, cause=cause))
    return sorted(out, key=Difference.sort_key)


def _words(text: str) -> set[str]:
    return {ascii_fold(w.strip("'\"`[]():,;.")) for w in text.split()}

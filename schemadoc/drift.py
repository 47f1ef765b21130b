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

import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from .config import Settings
from .model import Column, Diagnostic, ForeignKey, Index, Schema, Table, Trigger, View, ascii_fold

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
    from .verify import normalized_definition

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


@dataclass(frozen=True)
class Report:
    """The outcome of comparing a database file with the code."""

    database: str  # the file, as given
    differences: tuple[Difference, ...]
    counts: tuple[int, int, int]  # the code's tables, views and triggers
    notes: tuple[str, ...] = ()  # what could not be read in the database, and why

    @property
    def agree(self) -> bool:
        return not self.differences

    def summary(self) -> str:
        if self.agree:
            tables, views, triggers = self.counts
            return (
                f"{self.database} holds the schema the code creates ({tables} "
                f"table{'s' if tables != 1 else ''}, {views} view{'s' if views != 1 else ''}, "
                f"{triggers} trigger{'s' if triggers != 1 else ''})"
            )
        n = len(self.differences)
        return f"{self.database} differs from the schema the code creates: {n} difference" + (
            "s" if n != 1 else ""
        )


def _indented(label: str, sql: str | None) -> list[str]:
    lines = (sql or "").splitlines() or [""]
    return [f"    {label} {lines[0]}", *(f"    {' ' * len(label)} {line}" for line in lines[1:])]


def to_text(report: Report) -> str:
    from .output import printable

    out = [report.summary()]
    for d in report.differences:
        out.append(str(d))
        if d.multiline:
            out += _indented("code:    ", d.code)
            out += _indented("database:", d.database)
    out += [f"note: {note}" for note in report.notes]
    return printable("\n".join(out)) + "\n"


def to_markdown(report: Report) -> str:
    from .templates import code, fence, md, sql_block

    out = [f"# Schema drift: {code(report.database)}", "", md(report.summary()) + "."]
    if report.differences:
        out += ["", "| Object | Name | Difference | Code | Database | Likely cause |"]
        out.append("|---|---|---|---|---|---|")
        blocks = []
        for n, d in enumerate(report.differences, 1):
            if d.kind == "changed" and d.multiline:
                what, mine, theirs = f"{d.aspect} differs (see {n} below)", "", ""
                blocks += [
                    "",
                    f"### {n}. {md(d.object)} {code(d.name)}",
                    "",
                    "In the code:",
                    "",
                    fence(sql_block(d.code or ""), "sql"),
                    "",
                    "In the database:",
                    "",
                    fence(sql_block(d.database or ""), "sql"),
                ]
            elif d.kind == "changed":
                what, mine, theirs = str(d.aspect), code(d.code, True), code(d.database, True)
            else:
                what = "in the code only" if d.kind == "missing" else "in the database only"
                mine = theirs = ""
            cells = [md(d.object), code(d.name, True), md(what), mine, theirs, md(d.cause or "")]
            out.append("| " + " | ".join(cell or "-" for cell in cells) + " |")
        if blocks:
            out += ["", "## Definitions", *blocks]
    if report.notes:
        out += ["", "## Notes", ""]
        out += [f"- {md(note)}" for note in report.notes]
    return "\n".join(out) + "\n"


def to_json(report: Report) -> str:
    from .render import indented_json

    data = {
        "database": report.database,
        "agree": report.agree,
        "differences": [d.as_json() for d in report.differences],
        "notes": list(report.notes),
    }
    return indented_json(data) + "\n"


REPORTS = {"text": to_text, "markdown": to_markdown, "json": to_json}


def run(
    settings: Settings,
    database: Path,
    form: str,
    show: Callable[[Sequence[Diagnostic]], None],
    name: str | None = None,
) -> int:
    """``schemadoc verify --db``: print the report in ``form``; 0 when the database file holds
    the schema the code creates for the database ``name`` (None: the main one), 1 when it
    differs, 2 when the code's schema has errors. A file that cannot be read as a database
    raises ``database.DatabaseError``; an unknown ``name``, UserError."""
    from .api import scan
    from .database import opened
    from .diagnostics import failed, lost
    from .errors import UserError
    from .render import database_names, only
    from .verify import read_schema

    with opened(database) as conn:
        held = read_schema(conn)
    result = scan(settings.paths, settings)
    show(result.diagnostics)
    known = database_names(result.schema, settings)
    if name is not None and name not in known:
        others = ", ".join(known) if known else "none besides the main one"
        raise UserError(f"--database {name}: the code creates no database {name} ({others})")
    code = only(result.schema, name)
    temporary = {ascii_fold(t.name) for t in code.tables if t.temporary}
    counts = (
        len(code.tables) - len(temporary),
        sum(not v.temporary for v in code.views),
        sum(ascii_fold(t.table) not in temporary for t in code.triggers),
    )
    unverified = [d.message for d in lost(result.schema.diagnostics)]
    notes = tuple(d.message for d in held.diagnostics)
    report = Report(str(database), tuple(compare(code, held, unverified)), counts, notes)
    sys.stdout.write(REPORTS[form](report))
    if failed(result.diagnostics, settings.strict):
        print("schemadoc: error: the code's schema has errors (see above)", file=sys.stderr)
        return 2
    return 0 if report.agree else 1

"""What a change does to the schema: two verified schemas compared, shown as text, Markdown or
JSON.

Objects are matched by name (SQLite's ASCII case folding): tables, their columns, indexes,
UNIQUE constraints, foreign keys (by their columns) and CHECK constraints, then views and
triggers. Each change is ``added``, ``removed``, ``changed`` or ``renamed`` and carries the
source location on each side that has the object.

Renames: the model keeps every statement that altered a table among its sources, so a table
the new side created as ``old`` and renamed with ``ALTER TABLE old RENAME TO new`` is told
from the text of those statements (``Side.statements``): when ``old`` is a table the base had
and the new side lacks, the pair is one renamed table (its other changes listed under it), not
a removed and an added one. ``ALTER TABLE t RENAME COLUMN a TO b`` is told the same way. A
rename whose names are built at run time is shown as a removal and an addition.

A change is *destructive* when applying it to an existing database can lose or reject rows:
a dropped table or column; a column type that is not provably a widening (same SQLite type
affinity, INTEGER and NUMERIC, any type to BLOB or untyped; in a STRICT table only the same
type or ANY); NOT NULL without a default on a column of an existing table (added or made so);
STRICT on an existing table; a new uniqueness (UNIQUE index or constraint, primary key) on an
existing table, unless a key the table already had lies within its columns. New CHECK and
FOREIGN KEY constraints are listed, not counted as destructive.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..model.schema import (
    Column,
    ForeignKey,
    Index,
    Schema,
    Source,
    Table,
    Trigger,
    View,
    ascii_fold,
    sql_name,
)

ADDED, REMOVED, CHANGED, RENAMED = "added", "removed", "changed", "renamed"
ACTIONS = (ADDED, CHANGED, REMOVED, RENAMED)
SIGNS = {ADDED: "+", REMOVED: "-", CHANGED: "~", RENAMED: ">"}
FORMATS = ("text", "markdown", "json")
DIAGRAM_TABLES = 30  # the diagram draws at most this many touched tables
ARROW = "→"


@dataclass(frozen=True)
class Change:
    """One difference. ``table`` is set for the parts of a table (its name on the new side, or
    on the old one when the table was removed); ``before``/``after`` are one-line definitions;
    ``base``/``head`` where the object is defined on each side; ``destructive`` says why the
    change can lose data on an existing database."""

    action: str
    kind: str  # table, column, primary key, index, unique constraint, foreign key, check, ...
    name: str
    table: str | None = None
    details: tuple[str, ...] = ()
    before: str | None = None
    after: str | None = None
    base: Source | None = None
    head: Source | None = None
    destructive: str | None = None

    @property
    def subject(self) -> tuple[str, str]:
        """The top-level object the change belongs to: (kind, name)."""
        return ("table", self.table) if self.table is not None else (self.kind, self.name)

    @property
    def where(self) -> Source | None:
        return self.head or self.base


@dataclass(frozen=True)
class SchemaDiff:
    """The changes from ``base`` to ``head``, grouped by table, view and trigger."""

    base: Schema
    head: Schema
    changes: tuple[Change, ...]
    base_label: str = "base"
    head_label: str = "head"
    base_commit: str | None = None
    head_commit: str | None = None

    @property
    def destructive(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.destructive)

    def counts(self) -> dict[str, int]:
        out = {action: 0 for action in ACTIONS}
        for change in self.changes:
            out[change.action] += 1
        return out

    def groups(self) -> list[tuple[tuple[str, str], list[Change]]]:
        """The changes by the object they belong to, in output order."""
        grouped: dict[tuple[str, str], list[Change]] = {}
        for change in self.changes:
            grouped.setdefault(change.subject, []).append(change)
        return list(grouped.items())


# --- comparing ------------------------------------------------------------------------------

_IDENT = r'(?:"(?:[^"]|"")+"|`[^`]+`|\[[^\]]+\]|[^\W\d][\w$]*)'  # quoted, or a word
_TABLE = rf"\s*ALTER\s+TABLE\s+(?:{_IDENT}\s*\.\s*)?(?P<table>{_IDENT})\s+"
_RENAME_TABLE = re.compile(rf"{_TABLE}RENAME\s+TO\s+(?P<new>{_IDENT})", re.I)
_RENAME_COLUMN = re.compile(
    rf"{_TABLE}RENAME\s+(?:COLUMN\s+)?(?P<old>{_IDENT})\s+TO\s+(?P<new>{_IDENT})", re.I
)
_ADD_COLUMN = re.compile(rf"{_TABLE}ADD\s+(?:COLUMN\s+)?(?P<column>{_IDENT})", re.I)


def _unquote(name: str) -> str:
    if name[:1] == '"':
        return name[1:-1].replace('""', '"')
    if name[:1] in "`[":
        return name[1:-1]
    return name


def _folded(name: str) -> str:
    return ascii_fold(_unquote(name))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _added(
    kind: str,
    name: str,
    table: str | None,
    definition: str,
    head: Source | None,
    reason: str | None = None,
) -> Change:
    return Change(ADDED, kind, name, table, after=definition, head=head, destructive=reason)


def _removed(
    kind: str,
    name: str,
    table: str | None,
    definition: str,
    base: Source | None,
    reason: str | None = None,
) -> Change:
    return Change(REMOVED, kind, name, table, before=definition, base=base, destructive=reason)


def _changed(
    kind: str,
    name: str,
    table: str | None,
    details: Sequence[str],
    definitions: tuple[str | None, str | None],
    sources: tuple[Source | None, Source | None],
    reason: str | None = None,
    action: str = CHANGED,
) -> Change:
    return Change(action, kind, name, table, tuple(details), *definitions, *sources, reason)


def compare(
    base: Schema, head: Schema, statements: Mapping[Source, str] | None = None
) -> SchemaDiff:
    """The changes from ``base`` to ``head``; ``statements``: the new side's text of the
    statements that altered a table, by where each starts (see the module's docstring)."""
    texts = statements or {}
    old = {ascii_fold(t.name): t for t in base.tables}
    new = {ascii_fold(t.name): t for t in head.tables}
    renamed: dict[str, tuple[str, Source]] = {}  # new key: (old key, where it was renamed)
    for key in sorted(set(new) - set(old)):
        for source in new[key].sources[1:]:
            match = _RENAME_TABLE.match(texts.get(source, ""))
            if match is None or _folded(match["new"]) != key:
                continue
            was = _folded(match["table"])
            if was in old and was not in new and all(was != k for k, _ in renamed.values()):
                renamed[key] = (was, source)
    gone = {was for was, _ in renamed.values()}
    changes: list[Change] = []
    for key in sorted((set(old) | set(new)) - gone):
        before, after = old.get(key), new.get(key)
        if key in renamed:
            before = old[renamed[key][0]]
        if before is None and after is not None:
            changes.append(_added("table", after.name, None, after.sql, after.source))
        elif after is None and before is not None:
            reason = "drops the table and its rows"
            changes.append(_removed("table", before.name, None, before.sql, before.source, reason))
        elif before is not None and after is not None:
            where = renamed[key][1] if key in renamed else after.source
            changes += _table_changes(before, after, where, texts)
    changes += _named(base.views, head.views, "view", _view_details)
    changes += _named(base.triggers, head.triggers, "trigger", _trigger_details)
    return SchemaDiff(base, head, tuple(changes))


def _table_changes(
    before: Table, after: Table, where: Source | None, texts: Mapping[Source, str]
) -> list[Change]:
    """The changes of a table both sides have (``before`` may have another name: a rename,
    done at ``where``)."""
    name = after.name
    out: list[Change] = []
    details = []
    renamed = ascii_fold(before.name) != ascii_fold(after.name)
    if renamed:
        details.append(f"renamed from {before.name}")
    for label, was, now in (
        ("kind", _kind(before), _kind(after)),
        ("WITHOUT ROWID", before.without_rowid, after.without_rowid),
        ("STRICT", before.strict, after.strict),
        ("TEMPORARY", before.temporary, after.temporary),
        ("AUTOINCREMENT", before.autoincrement, after.autoincrement),
    ):
        if isinstance(was, bool) and was != now:
            details.append(f"{label} {'added' if now else 'removed'}")
        elif was != now:
            details.append(f"{label} {was} {ARROW} {now}")
    reason = None
    if after.strict and not before.strict:
        reason = "STRICT now enforces the column types: rows of other types are rejected"
    if details:
        definitions = (before.name, after.name) if renamed else (_flags(before), _flags(after))
        action = RENAMED if renamed else CHANGED
        sources = (before.source, where)
        out.append(_changed("table", name, None, details, definitions, sources, reason, action))
    columns, renames = _column_changes(before, after, texts)
    keys = _keys(before, renames)
    old_pk = tuple(ascii_fold(renames.get(ascii_fold(c), c)) for c in before.primary_key)
    new_pk = tuple(ascii_fold(c) for c in after.primary_key)
    if old_pk != new_pk:
        was, now = _key_label(before.primary_key), _key_label(after.primary_key)
        reason = None
        if after.primary_key and not _implied(frozenset(new_pk), keys):
            reason = "a new primary key rejects the rows that repeat its columns"
        sources = (before.source, after.source)
        details = [f"{was} {ARROW} {now}"]
        out.append(_changed("primary key", name, name, details, (was, now), sources, reason))
    out += columns
    out += _unique_changes(before, after, keys)
    out += _index_changes(before, after, keys)
    out += _foreign_key_changes(before, after, renames)
    out += _check_changes(before, after)
    return out


def _kind(table: Table) -> str:
    return f"virtual ({table.module})" if table.kind == "virtual" else table.kind


def _flags(table: Table) -> str:
    words = [_kind(table).upper()]
    for flag, label in (
        (table.temporary, "TEMPORARY"),
        (table.without_rowid, "WITHOUT ROWID"),
        (table.strict, "STRICT"),
        (table.autoincrement, "AUTOINCREMENT"),
    ):
        if flag:
            words.append(label)
    return " ".join(words)


def _key_label(columns: Sequence[str]) -> str:
    return f"({', '.join(columns)})" if columns else "(none)"


def column_definition(column: Column, table: Table | None = None) -> str:
    """A column as a one-line definition: ``name TYPE NOT NULL DEFAULT x ...``; ``PRIMARY
    KEY`` when it is all of ``table``'s primary key."""
    words = [sql_name(column.name)]
    if column.type:
        words.append(column.type)
    if table is not None and column.pk and len(table.primary_key) == 1:
        words.append("PRIMARY KEY")
    if column.notnull:
        words.append("NOT NULL")
    if column.default is not None:
        words.append(f"DEFAULT {column.default}")
    if column.collation:
        words.append(f"COLLATE {column.collation}")
    if column.generated:
        words.append(f"GENERATED ALWAYS AS ({column.generated})")
    words += [f"CHECK ({c.expression})" for c in column.checks]
    return " ".join(words)


def _column_changes(
    before: Table, after: Table, texts: Mapping[Source, str]
) -> tuple[list[Change], dict[str, str]]:
    """The column changes, and the renamed columns (old folded name: new name)."""
    name = after.name
    old = {ascii_fold(c.name): c for c in before.columns}
    new = {ascii_fold(c.name): c for c in after.columns}
    renames: dict[str, str] = {}
    added_at: dict[str, Source] = {}
    for source in after.sources[1:]:
        text = texts.get(source, "")
        match = _RENAME_COLUMN.match(text)
        if match and not _RENAME_TABLE.match(text):
            was, now = _folded(match["old"]), _folded(match["new"])
            if was in old and was not in new and now in new and now not in old:
                renames[was] = new[now].name
        added = _ADD_COLUMN.match(text)
        if added:
            added_at.setdefault(_folded(added["column"]), source)
    renamed_to = {ascii_fold(v): k for k, v in renames.items()}
    out: list[Change] = []
    for key, column in new.items():
        definition = column_definition(column, after)
        was = old.get(renamed_to.get(key, key))
        if was is None:
            reason = None
            if column.notnull and column.default is None and not column.generated:
                reason = "a NOT NULL column without a default cannot be added to a table with rows"
            where = added_at.get(key, after.source)
            out.append(_added("column", column.name, name, definition, where, reason))
            continue
        details, reason = _column_details(was, column, before, after)
        if key in renamed_to:
            details.insert(0, f"renamed from {was.name}")
        if details:
            definitions = (column_definition(was, before), definition)
            sources = (before.source, added_at.get(key, after.source))
            action = RENAMED if key in renamed_to else CHANGED
            out.append(
                _changed("column", column.name, name, details, definitions, sources, reason, action)
            )
    for key, column in old.items():
        if key not in new and key not in renames:
            definition = column_definition(column, before)
            reason = "drops the column and its values"
            out.append(_removed("column", column.name, name, definition, before.source, reason))
    return out, renames


def _shown(value: str | None, empty: str = "none") -> str:
    return empty if value is None or value == "" else value


def _column_details(
    was: Column, now: Column, before: Table, after: Table
) -> tuple[list[str], str | None]:
    """What changed in a column (not its place in a key: see the key changes), and why that
    can lose data."""
    details, reasons = [], []
    if _one_line(was.type).upper() != _one_line(now.type).upper():
        details.append(f"type {_shown(was.type, 'untyped')} {ARROW} {_shown(now.type, 'untyped')}")
        if not widening(was.type, now.type, before.strict, after.strict):
            reasons.append(
                f"type {_shown(was.type, 'untyped')} {ARROW} {_shown(now.type, 'untyped')} "
                "is not a widening: values may be converted or rejected"
            )
    if was.notnull != now.notnull:
        details.append("NOT NULL added" if now.notnull else "NOT NULL removed")
        if now.notnull and now.default is None and not now.generated:
            reasons.append("NOT NULL without a default: rows holding NULL are rejected")
    if was.default != now.default:
        details.append(f"default {_shown(was.default)} {ARROW} {_shown(now.default)}")
    if ascii_fold(was.collation or "BINARY") != ascii_fold(now.collation or "BINARY"):
        details.append(f"collation {was.collation or 'BINARY'} {ARROW} {now.collation or 'BINARY'}")
    if was.generated != now.generated:
        details.append(f"generated {_shown(was.generated)} {ARROW} {_shown(now.generated)}")
    old_checks = {_one_line(c.expression) for c in was.checks}
    new_checks = {_one_line(c.expression) for c in now.checks}
    details += [f"CHECK ({c}) added" for c in sorted(new_checks - old_checks)]
    details += [f"CHECK ({c}) removed" for c in sorted(old_checks - new_checks)]
    return details, "; ".join(reasons) or None


def affinity(declared: str) -> str:
    """SQLite's type affinity of a declared column type (section 3.1 of its datatype page)."""
    upper = declared.upper()
    if "INT" in upper:
        return "INTEGER"
    if "CHAR" in upper or "CLOB" in upper or "TEXT" in upper:
        return "TEXT"
    if "BLOB" in upper or not upper.strip():
        return "BLOB"
    if "REAL" in upper or "FLOA" in upper or "DOUB" in upper:
        return "REAL"
    return "NUMERIC"


_STRICT_SAME = {"INT": "INTEGER"}


def widening(was: str, now: str, strict_before: bool = False, strict_after: bool = False) -> bool:
    """Whether a column's values all survive, unchanged, a type change from ``was`` to
    ``now``: provably so, else False."""
    if strict_after:  # types are enforced
        target = _one_line(now).upper()
        if target == "ANY":
            return True
        source = _one_line(was).upper()
        return strict_before and _STRICT_SAME.get(source, source) == _STRICT_SAME.get(
            target, target
        )
    old, new = affinity(was), affinity(now)
    # INTEGER and NUMERIC affinity store values alike (they differ in CAST only); BLOB
    # affinity stores every value as it is given.
    return old == new or new == "BLOB" or {old, new} <= {"INTEGER", "NUMERIC"}


def _keys(table: Table, renames: Mapping[str, str]) -> list[frozenset[str]]:
    """The sets of (folded, renamed) columns a table keeps unique: its primary key and its
    UNIQUE indexes and constraints on plain columns, partial ones left out."""

    def folded(names: Iterable[str]) -> frozenset[str]:
        return frozenset(ascii_fold(renames.get(ascii_fold(n), n)) for n in names)

    keys = [folded(table.primary_key)] if table.primary_key else []
    for index in table.indexes:
        if index.unique and not index.partial and all(c.name for c in index.columns):
            keys.append(folded(c.name for c in index.columns if c.name))
    return keys


def _implied(columns: frozenset[str], keys: Sequence[frozenset[str]]) -> bool:
    """Whether rows already unique under one of ``keys`` are unique under ``columns``."""
    return any(key <= columns for key in keys)


def _index_key(index: Index) -> frozenset[str] | None:
    if not all(c.name for c in index.columns):
        return None
    return frozenset(ascii_fold(c.name) for c in index.columns if c.name)


def _unique_reason(index: Index, keys: Sequence[frozenset[str]], what: str) -> str | None:
    key = _index_key(index)
    if key is not None and _implied(key, keys):
        return None
    return f"a new {what} rejects the rows that repeat its columns"


def _constraint_label(index: Index) -> str:
    return "UNIQUE (" + ", ".join(c.label for c in index.columns) + ")"


def _unique_changes(before: Table, after: Table, keys: list[frozenset[str]]) -> list[Change]:
    """UNIQUE constraints (SQLite's automatic indexes), by their columns."""

    def constraints(table: Table) -> dict[tuple[str, ...], Index]:
        return {
            tuple(ascii_fold(c.label) for c in ix.columns): ix
            for ix in table.indexes
            if ix.origin == "u"
        }

    old, new = constraints(before), constraints(after)
    out = []
    for key, index in new.items():
        if key not in old:
            label = _constraint_label(index)
            reason = _unique_reason(index, keys, "UNIQUE constraint")
            out.append(_added("unique constraint", label, after.name, label, after.source, reason))
    for key, index in old.items():
        if key not in new:
            label = _constraint_label(index)
            out.append(_removed("unique constraint", label, after.name, label, before.source))
    return out


def _index_changes(before: Table, after: Table, keys: list[frozenset[str]]) -> list[Change]:
    """Indexes made by CREATE INDEX, by name."""
    old = {ascii_fold(ix.name): ix for ix in before.indexes if ix.origin == "c"}
    new = {ascii_fold(ix.name): ix for ix in after.indexes if ix.origin == "c"}
    out = []
    for key, index in new.items():
        was = old.get(key)
        reason = _unique_reason(index, keys, "UNIQUE index") if index.unique else None
        if was is None:
            out.append(
                _added("index", index.name, after.name, index.definition, index.source, reason)
            )
            continue
        details = []
        if was.unique != index.unique:
            details.append("UNIQUE added" if index.unique else "UNIQUE removed")
        old_columns = [c.label for c in was.columns]
        new_columns = [c.label for c in index.columns]
        if [ascii_fold(c) for c in old_columns] != [ascii_fold(c) for c in new_columns]:
            details.append(f"columns ({', '.join(old_columns)}) {ARROW} ({', '.join(new_columns)})")
        if _one_line(was.where or "") != _one_line(index.where or ""):
            details.append(f"WHERE {_shown(was.where)} {ARROW} {_shown(index.where)}")
        if details:
            definitions = (was.definition, index.definition)
            sources = (was.source, index.source)
            out.append(
                _changed("index", index.name, after.name, details, definitions, sources, reason)
            )
    for key, index in old.items():
        if key not in new:
            out.append(_removed("index", index.name, after.name, index.definition, index.source))
    return out


def _fk_target(fk: ForeignKey) -> str:
    refs = [c for c in fk.ref_columns if c is not None]
    return f"{fk.ref_table}({', '.join(refs)})" if refs else fk.ref_table


def _fk_label(fk: ForeignKey) -> str:
    return f"({', '.join(fk.columns)}) {ARROW} {_fk_target(fk)}"


def _fk_text(fk: ForeignKey) -> str:
    text = f"FOREIGN KEY ({', '.join(fk.columns)}) REFERENCES {_fk_target(fk)}"
    for what, value in (("ON DELETE", fk.on_delete), ("ON UPDATE", fk.on_update)):
        if value and value != "NO ACTION":
            text += f" {what} {value}"
    return text


def _foreign_key_changes(before: Table, after: Table, renames: Mapping[str, str]) -> list[Change]:
    """Foreign keys, by their (folded, renamed) columns."""

    def keyed(table: Table, renamed: Mapping[str, str]) -> dict[tuple[str, ...], ForeignKey]:
        return {
            tuple(ascii_fold(renamed.get(ascii_fold(c), c)) for c in fk.columns): fk
            for fk in table.foreign_keys
        }

    old, new = keyed(before, renames), keyed(after, {})
    out = []
    for key, fk in new.items():
        was = old.get(key)
        if was is None:
            out.append(_added("foreign key", _fk_label(fk), after.name, _fk_text(fk), after.source))
            continue
        details = []
        if ascii_fold(_fk_target(was)) != ascii_fold(_fk_target(fk)):
            details.append(f"references {_fk_target(was)} {ARROW} {_fk_target(fk)}")
        for what, a, b in (
            ("ON DELETE", was.on_delete, fk.on_delete),
            ("ON UPDATE", was.on_update, fk.on_update),
        ):
            if a != b:
                details.append(f"{what} {a} {ARROW} {b}")
        if details:
            definitions = (_fk_text(was), _fk_text(fk))
            sources = (before.source, after.source)
            out.append(
                _changed("foreign key", _fk_label(fk), after.name, details, definitions, sources)
            )
    for key, fk in old.items():
        if key not in new:
            out.append(
                _removed("foreign key", _fk_label(fk), after.name, _fk_text(fk), before.source)
            )
    return out


def _check_changes(before: Table, after: Table) -> list[Change]:
    """Table CHECK constraints, by their expression (and name)."""

    def keyed(table: Table) -> dict[str, str]:
        out = {}
        for check in table.checks:
            text = f"CHECK ({_one_line(check.expression)})"
            if check.name:
                text = f"CONSTRAINT {check.name} {text}"
            out[text.casefold()] = text
        return out

    old, new = keyed(before), keyed(after)
    out = [_added("check", t, after.name, t, after.source) for k, t in new.items() if k not in old]
    out += [
        _removed("check", t, after.name, t, before.source) for k, t in old.items() if k not in new
    ]
    return out


def _view_details(was: View, now: View) -> list[str]:
    details = []
    if _one_line(was.sql) != _one_line(now.sql):
        details.append("definition changed")
    if [ascii_fold(c) for c in was.columns] != [ascii_fold(c) for c in now.columns]:
        details.append(f"columns ({', '.join(was.columns)}) {ARROW} ({', '.join(now.columns)})")
    return details


def _trigger_details(was: Trigger, now: Trigger) -> list[str]:
    details = []
    if ascii_fold(was.table) != ascii_fold(now.table):
        details.append(f"on {was.table} {ARROW} {now.table}")
    if _one_line(was.sql) != _one_line(now.sql):
        details.append("definition changed")
    return details


def _named(
    base: Sequence[View] | Sequence[Trigger],
    head: Sequence[View] | Sequence[Trigger],
    kind: str,
    details_of: Callable[[Any, Any], list[str]],
) -> list[Change]:
    """Views or triggers, by name."""
    old = {ascii_fold(o.name): o for o in base}
    new = {ascii_fold(o.name): o for o in head}
    out = []
    for key in sorted(set(old) | set(new)):
        was, now = old.get(key), new.get(key)
        if was is None and now is not None:
            out.append(_added(kind, now.name, None, now.sql, now.source))
        elif now is None and was is not None:
            out.append(_removed(kind, was.name, None, was.sql, was.source))
        elif was is not None and now is not None:
            details = details_of(was, now)
            if details:
                definitions, sources = (was.sql, now.sql), (was.source, now.source)
                out.append(_changed(kind, now.name, None, details, definitions, sources))
    return out


# --- output -----------------------------------------------------------------------------------

_PLURALS = {"index": "indexes", "primary key": "primary keys"}


def _counted(number: int, kind: str) -> str:
    return f"{number} {kind if number == 1 else _PLURALS.get(kind, kind + 's')}"


def _where(source: Source | None) -> str:
    return f"{source.path}:{source.line}" if source is not None else ""


def _place(change: Change) -> str:
    """Where a change is, on the side that has it: the new side's, else the base's."""
    if change.head is not None:
        return _where(change.head)
    return f"base {_where(change.base)}" if change.base is not None else ""


def _summary(diff: SchemaDiff) -> tuple[str, str]:
    """``N changes in M objects (a added, ...)`` and ``K may lose data ...`` (or "")."""
    counts = diff.counts()
    objects = len(diff.groups())
    parts = ", ".join(f"{counts[a]} {a}" for a in ACTIONS if counts[a])
    text = f"{_counted(len(diff.changes), 'change')} in {_counted(objects, 'object')} ({parts})"
    lost = ""
    if diff.destructive:
        lost = f"{len(diff.destructive)} may lose data on an existing database"
    return text, lost


def _headline(change: Change) -> str:
    """A change in a few words: ``column email TEXT NOT NULL``, ``index ix: UNIQUE added``."""
    if change.kind == "column":
        definition = change.after if change.action != REMOVED else change.before
        if change.action in (ADDED, REMOVED):
            return f"column {definition}"
        return f"column {sql_name(change.name)}: {'; '.join(change.details)}"
    if change.kind == "primary key":
        return f"primary key: {'; '.join(change.details)}"
    if change.kind in ("index",) and change.action in (ADDED, REMOVED):
        definition = change.after if change.action == ADDED else change.before
        return definition or f"index {change.name}"
    if change.kind in ("unique constraint", "check"):
        return change.name
    text = f"{change.kind} {change.name}"
    return f"{text}: {'; '.join(change.details)}" if change.details else text


def _group_head(diff: SchemaDiff, subject: tuple[str, str], changes: list[Change]) -> Change:
    """The change that heads a group: the object's own, else a ``changed`` one made up (only
    a table's parts change without the table changing itself)."""
    kind, name = subject
    own = next((c for c in changes if c.table is None and c.kind == kind), None)
    if own is not None:
        return own
    table = diff.head.table(name)
    return Change(CHANGED, kind, name, head=table.source if table else None)


def render_text(diff: SchemaDiff) -> str:
    """The changes for a terminal: one line each, grouped by object, reasons marked ``!``."""
    lines = [f"Schema changes from {diff.base_label} to {diff.head_label}:"]
    if not diff.changes:
        return f"No schema changes from {diff.base_label} to {diff.head_label}.\n"
    lines.append("")
    for subject, changes in diff.groups():
        head = _group_head(diff, subject, changes)
        where = _place(head)
        title = f"{SIGNS[head.action]} {subject[0]} {subject[1]}"
        if head.details:
            title += f": {'; '.join(head.details)}"
        lines.append(f"{title}  ({where})" if where else title)
        if head.destructive:
            lines.append(f"    ! may lose data: {head.destructive}")
        for change in changes:
            if change is head:
                continue
            line = f"    {SIGNS[change.action]} {_headline(change)}"
            where = _place(change)
            if where and where != _place(head):
                line += f"  ({where})"
            lines.append(line)
            if change.destructive:
                lines.append(f"      ! may lose data: {change.destructive}")
    text, lost = _summary(diff)
    lines += ["", f"{text}; {lost}." if lost else f"{text}."]
    return "\n".join(lines) + "\n"


def _md_code(text: object, cell: bool = False) -> str:
    from ..render.templates import code

    return code(text, cell=cell)


def _md_place(change: Change, cell: bool = False) -> str:
    if change.head is not None:
        return _md_code(_where(change.head), cell)
    return f"base {_md_code(_where(change.base), cell)}" if change.base is not None else ""


def _group_summary(head: Change, changes: list[Change]) -> str:
    """What happened to an object, for the short table: ``added``, or ``2 columns added, 1
    index removed``."""
    from ..render.templates import md

    counts: dict[tuple[str, str], int] = {}
    for change in changes:
        if change is not head:
            counts[(change.kind, change.action)] = counts.get((change.kind, change.action), 0) + 1
    parts = []
    if head.action != CHANGED or head.details:
        own = head.action
        if head.action == RENAMED:
            own = f"renamed from {_md_code(head.before, cell=True)}"
        elif head.details:
            own = "; ".join(md(d) for d in head.details)
        parts.append(own)
    parts += [f"{_counted(n, kind)} {action}" for (kind, action), n in counts.items()]
    text = ", ".join(parts) or head.action
    return text + " ⚠️" if any(c.destructive for c in changes) else text


def render_markdown(diff: SchemaDiff) -> str:
    """The changes for a pull-request comment: a short table, the details, and a Mermaid ER
    diagram of the tables touched (their changed parts marked)."""
    from ..render.templates import fence, md

    out = ["## Schema changes", ""]
    base, head = md(diff.base_label), md(diff.head_label)
    if not diff.changes:
        out.append(f"No schema changes from {base} to {head}.")
        return "\n".join(out) + "\n"
    text, lost = _summary(diff)
    line = f"From {base} to {head}: {text}" + (f"; **⚠️ {lost}**." if lost else ".")
    out += [line, "", "| Object | Change | Where |", "| --- | --- | --- |"]
    groups = diff.groups()
    for subject, changes in groups:
        lead = _group_head(diff, subject, changes)
        out.append(
            f"| {subject[0]} {_md_code(subject[1], cell=True)} | "
            f"{_group_summary(lead, changes)} | {_md_place(lead, cell=True)} |"
        )
    out += ["", "### Details", ""]
    for subject, changes in groups:
        lead = _group_head(diff, subject, changes)
        where = _md_place(lead)
        out.append(
            f"**{subject[0]} {_md_code(subject[1])}** ({lead.action}{', ' if where else ''}{where})"
        )
        out.append("")
        items = []
        if lead.details:
            items.append("; ".join(md(d) for d in lead.details))
        if lead.destructive:
            items.append(f"⚠️ may lose data: {md(lead.destructive)}")
        items += _definitions(diff, subject, lead)
        for change in changes:
            if change is lead:
                continue
            text = f"{change.action} {_md_headline(change)}"
            where = _md_place(change)
            if where and where != _md_place(lead):
                text += f" ({where})"
            if change.destructive:
                text += f" ⚠️ may lose data: {md(change.destructive)}"
            items.append(text)
        out += [f"- {item}" for item in items] or ["- (no details)"]
        out.append("")
    diagram = mermaid_diagram(diff)
    if diagram:
        out += ["### Diagram", "", fence(diagram, "mermaid").rstrip("\n"), ""]
    return "\n".join(out).rstrip("\n") + "\n"


def _definitions(diff: SchemaDiff, subject: tuple[str, str], lead: Change) -> list[str]:
    """The definition of an object added or removed whole (a table's columns, a view's or
    trigger's SQL), or both definitions of a changed view or trigger."""
    kind, name = subject
    if kind == "table" and lead.action in (ADDED, REMOVED):
        table = (diff.head if lead.action == ADDED else diff.base).table(name)
        if table is not None:
            columns = ", ".join(_md_code(column_definition(c, table)) for c in table.columns)
            return [f"columns: {columns}"]
    elif kind != "table" and lead.action in (ADDED, REMOVED):
        return [f"definition: {_md_code(lead.after or lead.before)}"]
    elif kind != "table":
        return [f"before: {_md_code(lead.before)}", f"after: {_md_code(lead.after)}"]
    return []


def _md_headline(change: Change) -> str:
    from ..render.templates import md

    if change.kind == "column":
        if change.action in (ADDED, REMOVED):
            return f"column {_md_code(change.after if change.action == ADDED else change.before)}"
        return f"column {_md_code(change.name)}: " + "; ".join(md(d) for d in change.details)
    if change.kind == "primary key":
        return f"primary key {_md_code(change.before)} {ARROW} {_md_code(change.after)}"
    if change.kind == "index" and change.action in (ADDED, REMOVED):
        return f"index {_md_code(change.after if change.action == ADDED else change.before)}"
    text = f"{change.kind} {_md_code(change.name)}"
    return f"{text}: " + "; ".join(md(d) for d in change.details) if change.details else text


def mermaid_diagram(diff: SchemaDiff) -> str:
    """An ER diagram of the tables the changes touch: each labelled with what happened to it,
    each changed column with a comment (``added``, ``removed``, ``changed: ...``)."""
    from ..render.mermaid import attribute_name, attribute_type, entity_ids, escape_text, quoted

    touched: dict[str, tuple[Change, Table]] = {}  # name: (its change, the table drawn)
    for subject, changes in diff.groups():
        if subject[0] != "table":
            continue
        lead = _group_head(diff, subject, changes)
        table = (diff.base if lead.action == REMOVED else diff.head).table(subject[1])
        if table is not None:
            touched[table.name] = (lead, table)
    if not touched:
        return ""
    names = sorted(touched, key=ascii_fold)
    drawn, left = names[:DIAGRAM_TABLES], names[DIAGRAM_TABLES:]
    ids = entity_ids(drawn)
    lines = ["erDiagram"]
    marks = _column_marks(diff)
    for name in drawn:
        lead, table = touched[name]
        action = lead.action
        lines.append(f'    {ids[name]}["{escape_text(f"{name} ({action})")}"] {{')
        fks = {ascii_fold(c) for fk in table.foreign_keys for c in fk.columns}
        rows = [(c, marks.get((ascii_fold(name), ascii_fold(c.name)))) for c in table.columns]
        if action in (CHANGED, RENAMED):
            rows += [(c, REMOVED) for c in _removed_columns(diff, lead, name)]
        for column, mark in rows:
            line = f"        {attribute_type(column.type)} {attribute_name(column.name)}"
            keys = [
                k for k, on in (("PK", column.pk), ("FK", ascii_fold(column.name) in fks)) if on
            ]
            if keys:
                line += " " + ", ".join(keys)
            if mark and action in (CHANGED, RENAMED):
                line += f" {quoted(mark)}"
            lines.append(line)
        lines.append("    }")
    relations = [
        r
        for r in diff.head.relations
        if r.from_table in touched
        and r.to_table in touched
        and r.from_table in drawn
        and r.to_table in drawn
        and REMOVED not in (touched[r.from_table][0].action, touched[r.to_table][0].action)
    ]
    from ..render.mermaid import relation_line

    lines += [relation_line(r, ids).rstrip("\n") for r in relations]
    if left:
        lines.append(f"    %% {len(left)} more tables changed; see the details")
    return "\n".join(lines) + "\n"


def _column_marks(diff: SchemaDiff) -> dict[tuple[str, str], str]:
    """The comment of each added, changed or renamed column, by (table, column) folded."""
    marks = {}
    for change in diff.changes:
        if change.kind != "column" or change.table is None or change.action == REMOVED:
            continue
        text = change.action
        if change.details:
            text += ": " + "; ".join(change.details)
        marks[(ascii_fold(change.table), ascii_fold(change.name))] = text
    return marks


def _removed_columns(diff: SchemaDiff, lead: Change, name: str) -> list[Column]:
    """The base's columns of table ``name`` (``lead`` its change) that the head lacks."""
    before = diff.base.table(lead.before if lead.action == RENAMED and lead.before else name)
    gone = {
        ascii_fold(c.name)
        for c in diff.changes
        if c.kind == "column" and c.action == REMOVED and c.table == name
    }
    return [c for c in before.columns if ascii_fold(c.name) in gone] if before else []


def _source_json(source: Source | None) -> dict[str, object] | None:
    if source is None:
        return None
    return {"path": source.path, "line": source.line, "column": source.column}


def to_json(diff: SchemaDiff) -> dict[str, object]:
    """The changes as plain data (see ``render_json``)."""
    counts = diff.counts()
    return {
        "base": {"commit": diff.base_commit, "label": diff.base_label},
        "head": {"commit": diff.head_commit, "label": diff.head_label},
        "changed": bool(diff.changes),
        "destructive": bool(diff.destructive),
        "summary": {**counts, "changes": len(diff.changes), "destructive": len(diff.destructive)},
        "changes": [
            {
                "action": c.action,
                "kind": c.kind,
                "name": c.name,
                "table": c.table,
                "details": list(c.details),
                "before": c.before,
                "after": c.after,
                "base": _source_json(c.base),
                "head": _source_json(c.head),
                "destructive": c.destructive,
            }
            for c in diff.changes
        ],
    }


def render_json(diff: SchemaDiff) -> str:
    """JSON with sorted keys; changes in the order of the other formats."""
    return json.dumps(to_json(diff), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render(diff: SchemaDiff, fmt: str = "text") -> str:
    if fmt == "markdown":
        return render_markdown(diff)
    if fmt == "json":
        return render_json(diff)
    return render_text(diff)

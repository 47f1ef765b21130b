"""What a change does to the schema: two verified schemas compared (``report`` shows the
differences as text, Markdown or JSON).

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

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..model.schema import Column, Schema, Source, Table, Trigger, View, ascii_fold, sql_name
from .changes import (
    ARROW,
    CHANGED,
    RENAMED,
    Change,
    SchemaDiff,
    _added,
    _changed,
    _one_line,
    _removed,
    _shown,
)
from .constraints import (
    _check_changes,
    _foreign_key_changes,
    _implied,
    _index_changes,
    _keys,
    _unique_changes,
)

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

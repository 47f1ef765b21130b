"""Keys, indexes, UNIQUE, FOREIGN KEY and CHECK constraints of a table compared (see
``compare``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from ..model.schema import ForeignKey, Index, Table, ascii_fold
from .changes import ARROW, Change, _added, _changed, _one_line, _removed, _shown


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

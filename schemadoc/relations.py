"""Relations between tables: declared foreign keys, and ones inferred from column names.

Cardinality follows tbls: the child side is zero-or-one when the child columns are unique
(or the primary key), else zero-or-many; the parent side is exactly-one when the child
columns are NOT NULL, else zero-or-one. Written parent first, in Mermaid's notation.
"""

from __future__ import annotations

from dataclasses import replace

from .diagnostics import SD208
from .model import Relation, Schema, Table, ascii_fold

_GENERIC = frozenset({"id", "rowid", "oid", "_rowid_", "key", "name", "uuid", "pk"})


def _unique(table: Table, columns: tuple[str, ...]) -> bool:
    wanted = {ascii_fold(c) for c in columns}
    if {ascii_fold(c) for c in table.primary_key} == wanted:
        return True
    return any(
        ix.unique and not ix.partial and {ascii_fold(n) for n in ix.column_names} == wanted
        for ix in table.indexes
    )


def cardinality(child: Table, columns: tuple[str, ...], kind: str) -> str:
    notnull = all((c := child.column(name)) is not None and (c.notnull or c.pk) for name in columns)
    parent_side = "||" if notnull else "|o"
    child_side = "o|" if _unique(child, columns) else "o{"
    return f"{parent_side}{'--' if kind == 'declared' else '..'}{child_side}"


def _plural_forms(name: str) -> list[str]:
    forms = [name, name + "s", name + "es"]
    if name.endswith("y"):
        forms.append(name[:-1] + "ies")
    return forms


class _Candidates:
    """Lookups for inference: tables by their one-column key, and by their name."""

    def __init__(self, tables: tuple[Table, ...]) -> None:
        self.by_key: dict[str, list[Table]] = {}
        self.by_name: dict[str, list[Table]] = {}
        for t in tables:
            if len(t.primary_key) == 1:
                self.by_key.setdefault(ascii_fold(t.primary_key[0]), []).append(t)
            self.by_name.setdefault(ascii_fold(t.name), []).append(t)

    def parent(self, child: Table, column: str) -> Table | None:
        """The table a column's name points at, when exactly one fits."""
        folded = ascii_fold(column)
        if folded in _GENERIC:
            return None
        if len(child.primary_key) == 1 and ascii_fold(child.primary_key[0]) == folded:
            return None
        by_key = [t for t in self.by_key.get(folded, []) if t is not child]
        if len(by_key) == 1:
            return by_key[0]
        if by_key or not folded.endswith("_id"):
            return None
        stem = folded[: -len("_id")]
        by_name = [
            t
            for form in _plural_forms(stem)
            for t in self.by_name.get(form, [])
            if t is not child and tuple(ascii_fold(k) for k in t.primary_key) == ("id",)
        ]
        return by_name[0] if len(by_name) == 1 else None


def relate(schema: Schema, *, infer: bool = True) -> Schema:
    """The schema with its relations: every declared foreign key, then inferred ones."""
    relations: dict[tuple, Relation] = {}
    diagnostics = list(schema.diagnostics)
    candidates = _Candidates(schema.tables)
    for child in schema.tables:
        covered: set[str] = set()
        for fk in child.foreign_keys:
            covered.update(ascii_fold(c) for c in fk.columns)
            named = candidates.by_name.get(ascii_fold(fk.ref_table), [])
            parent = named[0] if named else None
            if parent is None:
                diagnostics.append(
                    SD208.at(
                        child.source,
                        f"table {child.name}: foreign key ({', '.join(fk.columns)}) references "
                        f"unknown table {fk.ref_table}",
                    )
                )
                continue
            to_columns = tuple(
                r
                if r is not None
                else (parent.primary_key[i] if i < len(parent.primary_key) else "rowid")
                for i, r in enumerate(fk.ref_columns)
            )
            key = (child.name, fk.columns, parent.name, to_columns)
            relations.setdefault(
                key,
                Relation(
                    child.name,
                    fk.columns,
                    parent.name,
                    to_columns,
                    "declared",
                    cardinality(child, fk.columns, "declared"),
                ),
            )
        if not infer:
            continue
        for column in child.columns:
            if ascii_fold(column.name) in covered:
                continue
            parent = candidates.parent(child, column.name)
            if parent is None:
                continue
            cols = (column.name,)
            key = (child.name, cols, parent.name, parent.primary_key)
            relations.setdefault(
                key,
                Relation(
                    child.name,
                    cols,
                    parent.name,
                    parent.primary_key,
                    "inferred",
                    cardinality(child, cols, "inferred"),
                ),
            )
    ordered = sorted(
        relations.values(),
        key=lambda r: (ascii_fold(r.to_table), ascii_fold(r.from_table), r.from_columns, r.kind),
    )
    return replace(schema, relations=tuple(ordered), diagnostics=tuple(diagnostics))

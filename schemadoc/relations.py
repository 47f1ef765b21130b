"""Relations between tables: declared foreign keys, and ones inferred from column names.

Cardinality follows tbls: the child side is zero-or-one when the child columns are unique
(or the primary key), else zero-or-many; the parent side is exactly-one when the child
columns are NOT NULL, else zero-or-one. Written parent first, in Mermaid's notation.
"""

from __future__ import annotations

from dataclasses import replace

from .model import Diagnostic, Relation, Schema, Table, ascii_fold

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


def _inferred_parent(child: Table, column: str, tables: tuple[Table, ...]) -> Table | None:
    folded = ascii_fold(column)
    if folded in _GENERIC:
        return None
    if (
        child.primary_key
        and len(child.primary_key) == 1
        and ascii_fold(child.primary_key[0]) == folded
    ):
        return None
    by_key = [
        t
        for t in tables
        if t is not child and len(t.primary_key) == 1 and ascii_fold(t.primary_key[0]) == folded
    ]
    if len(by_key) == 1:
        return by_key[0]
    if by_key or not folded.endswith("_id"):
        return None
    stem = folded[: -len("_id")]
    by_name = [
        t
        for t in tables
        if t is not child
        and ascii_fold(t.name) in _plural_forms(stem)
        and tuple(ascii_fold(k) for k in t.primary_key) == ("id",)
    ]
    return by_name[0] if len(by_name) == 1 else None


def relate(schema: Schema, *, infer: bool = True) -> Schema:
    """The schema with its relations: every declared foreign key, then inferred ones."""
    relations: dict[tuple, Relation] = {}
    diagnostics = list(schema.diagnostics)
    for child in schema.tables:
        covered: set[str] = set()
        for fk in child.foreign_keys:
            covered.update(ascii_fold(c) for c in fk.columns)
            parent = schema.table(fk.ref_table)
            if parent is None:
                diagnostics.append(
                    Diagnostic.at(
                        child.source,
                        "warning",
                        "SD208",
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
            parent = _inferred_parent(child, column.name, schema.tables)
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

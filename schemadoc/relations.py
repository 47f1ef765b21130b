"""Relations between tables: declared foreign keys, and ones inferred from column names.

Cardinality follows tbls: the child side is zero-or-one when the child columns are unique
(or the primary key), else zero-or-many; the parent side is exactly-one when the child
columns are NOT NULL, else zero-or-one. Written parent first, in Mermaid's notation.

A relation is inferred only from a column whose name spells out another table
(``<name>_id``, ``<name>Id``), never from generic names such as ``guid`` or ``key``, and
only when exactly one table fits.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .model.diagnostics import SD208
from .model.schema import Diagnostic, Relation, Schema, Table, ascii_fold


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


_CAMEL_ID = re.compile(r"[a-z0-9]I[dD]\Z")  # placeId, userID


def _referenced_name(column: str) -> str | None:
    """The table name a column's name spells out, compacted (folded, no underscores): the
    stem of ``<name>_id`` or of camel-case ``<name>Id``. Any other name (``id``, ``guid``,
    ``uuid``, ``key``, ``name``, ``hash``, ``parent``...) names no table and gives None."""
    folded = ascii_fold(column)
    if folded.endswith("_id"):
        stem = folded[: -len("_id")]
    elif _CAMEL_ID.search(column):
        stem = ascii_fold(column[:-2])
    else:
        return None
    stem = _compact(stem)
    return stem or None


def _compact(name: str) -> str:
    return ascii_fold(name).replace("_", "")


def _name_forms(stem: str) -> set[str]:
    """A compacted stem and the plurals a table named after it may have."""
    forms = {stem, stem + "s", stem + "es"}
    if stem.endswith("y"):
        forms.add(stem[:-1] + "ies")
    return forms


def _prefix(name: str) -> str | None:
    """The leading word of a table name written ``<word>_<rest>`` (``moz`` in
    ``moz_places``), or None."""
    word, sep, rest = ascii_fold(name).partition("_")
    return word if sep and word and rest.strip("_") else None


class _Candidates:
    """Lookups for inference: tables by their compacted name, and by that name without
    their leading word (``moz_places`` is also ``places`` within ``moz``)."""

    def __init__(self, tables: tuple[Table, ...]) -> None:
        self.by_name: dict[str, list[Table]] = {}
        self.by_compact: dict[str, list[Table]] = {}
        self.by_prefixed: dict[tuple[str, str], list[Table]] = {}
        for t in tables:
            self.by_name.setdefault(ascii_fold(t.name), []).append(t)
            self.by_compact.setdefault(_compact(t.name), []).append(t)
            prefix = _prefix(t.name)
            if prefix is not None:
                rest = _compact(ascii_fold(t.name)[len(prefix) + 1 :])
                self.by_prefixed.setdefault((prefix, rest), []).append(t)

    def parent(self, child: Table, column: str) -> tuple[Table, tuple[str, ...]] | None:
        """The table a column's name points at and the key it points at, when the name
        spells out exactly one table (by its own name, or by the name without the leading
        word it shares with the child) and that table has a one-column key named ``id`` or
        like the column."""
        stem = _referenced_name(column)
        if stem is None:
            return None
        folded = ascii_fold(column)
        if len(child.primary_key) == 1 and ascii_fold(child.primary_key[0]) == folded:
            return None
        forms = _name_forms(stem)
        prefix = _prefix(child.name)
        found: dict[str, Table] = {}
        for form in sorted(forms):
            named = self.by_compact.get(form, [])
            if prefix is not None:
                named = named + self.by_prefixed.get((prefix, form), [])
            for t in named:
                if t is not child:
                    found.setdefault(ascii_fold(t.name), t)
        if len(found) != 1:
            return None
        (parent,) = found.values()
        key = _key(parent, folded)
        return (parent, key) if key is not None else None


def _key(table: Table, column: str) -> tuple[str, ...] | None:
    """The table's one-column key a reference named ``column`` (folded) fits: the primary
    key, else a unique column, named ``id`` or like the column."""
    fits = {"id", _compact(column)}
    if len(table.primary_key) == 1 and _compact(table.primary_key[0]) in fits:
        return table.primary_key
    for c in table.columns:
        if _compact(c.name) in fits and _unique(table, (c.name,)):
            return (c.name,)
    return None


def _declared(
    child: Table,
    candidates: _Candidates,
    relations: dict[tuple, Relation],
    diagnostics: list[Diagnostic],
) -> set[str]:
    """Add the relations of ``child``'s foreign keys (a diagnostic for one to an unknown
    table); the columns of its foreign keys, folded."""
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
    return covered


def _inferred(
    child: Table, candidates: _Candidates, covered: set[str], relations: dict[tuple, Relation]
) -> None:
    """Add the relations inferred from the names of ``child``'s columns not in ``covered``."""
    for column in child.columns:
        if ascii_fold(column.name) in covered:
            continue
        found = candidates.parent(child, column.name)
        if found is None:
            continue
        parent, to_columns = found
        cols = (column.name,)
        key = (child.name, cols, parent.name, to_columns)
        relations.setdefault(
            key,
            Relation(
                child.name,
                cols,
                parent.name,
                to_columns,
                "inferred",
                cardinality(child, cols, "inferred"),
            ),
        )


def relate(schema: Schema, *, infer: bool = True) -> Schema:
    """The schema with its relations: every declared foreign key, then inferred ones."""
    relations: dict[tuple, Relation] = {}
    diagnostics = list(schema.diagnostics)
    candidates = _Candidates(schema.tables)
    for child in schema.tables:
        covered = _declared(child, candidates, relations, diagnostics)
        if infer:
            _inferred(child, candidates, covered, relations)
    ordered = sorted(
        relations.values(),
        key=lambda r: (ascii_fold(r.to_table), ascii_fold(r.from_table), r.from_columns, r.kind),
    )
    return replace(schema, relations=tuple(ordered), diagnostics=tuple(diagnostics))

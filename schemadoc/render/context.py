"""The view model of the templates: a table as its section shows it (:class:`TableDoc`, its
columns as :class:`ColumnDoc`, with their constraints and references), and what every
template sees (:func:`context`, documented in the docstring of :mod:`.templates`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..config import Settings
from ..model.diagnostics import lost
from ..model.schema import (
    Check,
    Column,
    Diagnostic,
    ForeignKey,
    Index,
    Relation,
    Schema,
    Source,
    Table,
    Trigger,
    ascii_fold,
)
from .groups import build_diagrams
from .mermaid import MAX_TEXT_SIZE, DiagramSet, full_diagram, sort_key

_LITERAL = re.compile(
    r"""(?isx)
    '(?:[^']|'')*'                      # string
    | [+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?  # number
    | 0x[0-9a-f]+
    | x'[0-9a-f]*'                      # blob
    | null | true | false
    | current_time | current_date | current_timestamp
    """
)


def _wrapped(text: str) -> bool:
    """True when ``text`` is one parenthesised expression."""
    if not (text.startswith("(") and text.endswith(")")):
        return False
    depth, quote = 0, ""
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"`":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0 and i != len(text) - 1:
                return False
    return True


def default_text(default: str) -> str:
    """``DEFAULT`` clause for SQLite's ``dflt_value``: literals as is, expressions in (...)."""
    value = default.strip()
    if _LITERAL.fullmatch(value) or _wrapped(value):
        return value
    return f"({value})"


@dataclass(frozen=True)
class ColumnDoc:
    """A column as the documentation shows it."""

    column: Column
    constraints: str  # e.g. "NOT NULL DEFAULT '{}'"; "" when none
    references: tuple[tuple[str, str | None], ...]  # (parent table, parent column or None)

    @property
    def name(self) -> str:
        return self.column.name

    @property
    def type(self) -> str:
        return self.column.type

    @property
    def description(self) -> str | None:
        return self.column.description


@dataclass(frozen=True)
class TableDoc:
    """A table with what its section shows, computed once."""

    table: Table
    columns: tuple[ColumnDoc, ...]
    indexes: tuple[Index, ...]  # declared with CREATE INDEX (no sqlite_autoindex_*)
    unique_constraints: tuple[tuple[str, ...], ...]  # multi-column UNIQUE (...) constraints
    triggers: tuple[Trigger, ...]  # triggers on this table, sorted
    references: tuple[Relation, ...]  # relations where this table is the child
    referenced_by: tuple[Relation, ...]  # relations where this table is the parent

    @property
    def name(self) -> str:
        return self.table.name

    @property
    def description(self) -> str | None:
        return self.table.description

    @property
    def sources(self) -> tuple[Source, ...]:
        return self.table.sources

    @property
    def primary_key(self) -> tuple[str, ...]:
        return self.table.primary_key

    @property
    def foreign_keys(self) -> tuple[ForeignKey, ...]:
        return self.table.foreign_keys

    @property
    def checks(self) -> tuple[Check, ...]:
        return self.table.checks

    @property
    def has_descriptions(self) -> bool:
        return any(c.description for c in self.columns)

    @property
    def has_references(self) -> bool:
        return bool(self.table.foreign_keys)

    @property
    def options(self) -> tuple[str, ...]:
        """Table options worth a mention: WITHOUT ROWID, STRICT, TEMPORARY, virtual."""
        t = self.table
        out = []
        if t.kind == "virtual":
            out.append(f"virtual table USING {t.module}" if t.module else "virtual table")
        if t.temporary:
            out.append("TEMPORARY")
        if t.without_rowid:
            out.append("WITHOUT ROWID")
        if t.strict:
            out.append("STRICT")
        return tuple(out)


def _unique_singles(table: Table) -> set[str]:
    return {
        ascii_fold(ix.columns[0].name)
        for ix in table.indexes
        if ix.origin == "u" and len(ix.columns) == 1 and ix.columns[0].name
    }


def constraints_text(table: Table, column: Column) -> str:
    """The Constraints cell: ``PRIMARY KEY``, ``NOT NULL DEFAULT '{}'`` ...; empty if none."""
    parts = []
    if column.pk:
        parts.append("PRIMARY KEY")
        if table.autoincrement and len(table.primary_key) == 1:
            parts.append("AUTOINCREMENT")
    if column.notnull:
        parts.append("NOT NULL")
    if column.unique or ascii_fold(column.name) in _unique_singles(table):
        parts.append("UNIQUE")
    if column.collation and column.collation.upper() != "BINARY":
        parts.append(f"COLLATE {column.collation}")
    if column.default is not None:
        parts.append(f"DEFAULT {default_text(column.default)}")
    parts.extend(f"CHECK ({check.expression})" for check in column.checks)
    if column.generated is not None or column.hidden in (2, 3):
        kind = "STORED" if column.hidden == 3 else "VIRTUAL"
        parts.append(f"GENERATED ALWAYS AS ({column.generated or '?'}) {kind}")
    elif column.hidden == 1:
        parts.append("HIDDEN")
    return " ".join(parts)


def _references(table: Table, column: Column) -> tuple[tuple[str, str | None], ...]:
    out = []
    folded = ascii_fold(column.name)
    for fk in table.foreign_keys:
        for i, name in enumerate(fk.columns):
            if ascii_fold(name) == folded:
                ref = fk.ref_columns[i] if i < len(fk.ref_columns) else None
                out.append((fk.ref_table, ref))
    return tuple(out)


@dataclass(frozen=True)
class Links:
    """The triggers and relations of every table, found once per schema."""

    triggers: dict[str, tuple[Trigger, ...]]
    references: dict[str, tuple[Relation, ...]]  # by child table
    referenced_by: dict[str, tuple[Relation, ...]]  # by parent table

    @classmethod
    def of(cls, schema: Schema) -> Links:
        triggers: dict[str, list[Trigger]] = {}
        for tr in sorted(schema.triggers, key=lambda tr: sort_key(tr.name)):
            triggers.setdefault(ascii_fold(tr.table), []).append(tr)
        children: dict[str, list[Relation]] = {}
        parents: dict[str, list[Relation]] = {}
        for r in schema.relations:
            children.setdefault(ascii_fold(r.from_table), []).append(r)
        for r in sorted(
            schema.relations, key=lambda r: (sort_key(r.from_table), r.from_columns, r.kind)
        ):
            parents.setdefault(ascii_fold(r.to_table), []).append(r)
        return cls(
            {k: tuple(v) for k, v in triggers.items()},
            {k: tuple(v) for k, v in children.items()},
            {k: tuple(v) for k, v in parents.items()},
        )


def table_doc(table: Table, links: Links) -> TableDoc:
    folded = ascii_fold(table.name)
    columns = tuple(
        ColumnDoc(c, constraints_text(table, c), _references(table, c)) for c in table.columns
    )
    indexes = tuple(ix for ix in table.indexes if not ix.name.startswith("sqlite_autoindex_"))
    uniques = tuple(
        ix.column_names for ix in table.indexes if ix.origin == "u" and len(ix.columns) > 1
    )
    return TableDoc(
        table,
        columns,
        indexes,
        uniques,
        links.triggers.get(folded, ()),
        links.references.get(folded, ()),
        links.referenced_by.get(folded, ()),
    )


def context(schema: Schema, settings: Settings) -> dict[str, object]:
    """What every template sees (documented in the docstring of :mod:`.templates`)."""
    diagrams: DiagramSet = build_diagrams(schema)
    links = Links.of(schema)
    return {
        "schema": schema,
        "settings": settings,
        "tables": [
            table_doc(t, links) for t in sorted(schema.tables, key=lambda t: sort_key(t.name))
        ],
        "views": sorted(schema.views, key=lambda v: sort_key(v.name)),
        "triggers": sorted(schema.triggers, key=lambda t: sort_key(t.name)),
        "diagrams": diagrams,
        "mermaid": full_diagram(schema) if diagrams.split else diagrams.diagrams[0].text,
        "max_text_size": MAX_TEXT_SIZE,
        "heading_level": 3,
        "not_documented": sorted(lost(schema.diagnostics), key=Diagnostic.sort_key),
    }


__all__ = [
    "ColumnDoc",
    "TableDoc",
    "constraints_text",
    "context",
    "default_text",
    "table_doc",
]

"""``schemadoc lint``: rules over the verified schema, each switched in ``[tool.schemadoc.lint]``.

=====  ======================  ===============================================================
Code   Config key              Fires on
=====  ======================  ===============================================================
SL101  no_primary_key          an ordinary table without a PRIMARY KEY
SL102  unindexed_foreign_key   a relation (declared or inferred) whose child columns lead no index
SL103  redundant_index         an index that is a prefix (or a copy) of another index or the key
SL104  undeclared_relation     an inferred relation that no FOREIGN KEY declares
SL105  unclear_affinity        a column type whose name hides the affinity SQLite gives it
SL106  missing_description     a table or column without a description (off by default)
SL107  conflicting_definition  the same object defined differently in two places
=====  ======================  ===============================================================

Every finding is a warning placed at the table's (or the index's) first definition.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, fields
from typing import Any

from .config import ConfigError
from .model.diagnostics import SD301
from .model.schema import (
    Diagnostic,
    Index,
    IndexColumn,
    Relation,
    Schema,
    Source,
    Table,
    ascii_fold,
)


@dataclass(frozen=True)
class Rule:
    """One lint rule: a stable code, its config key, and what it checks."""

    code: str
    key: str
    summary: str
    check: Callable[[Schema], list[Diagnostic]]
    default: bool = True


def _warn(source: Source | None, code: str, message: str) -> Diagnostic:
    return Diagnostic.at(source, "warning", code, message)


def _ordinary(schema: Schema) -> Iterator[Table]:
    return (t for t in schema.tables if t.kind == "table")


# SL101 -----------------------------------------------------------------------------------------


def _no_primary_key(schema: Schema) -> list[Diagnostic]:
    return [
        _warn(
            t.source,
            "SL101",
            f"table {t.name} has no PRIMARY KEY; its rows are identified "
            "only by the implicit rowid",
        )
        for t in _ordinary(schema)
        if not t.primary_key
    ]


# Index keys shared by SL102 and SL103 ----------------------------------------------------------


def _keys(table: Table) -> list[Index]:
    """Every index of ``table``; a rowid table's INTEGER PRIMARY KEY counts as one too."""
    if not table.primary_key or any(ix.origin == "pk" for ix in table.indexes):
        return list(table.indexes)
    columns = tuple(
        IndexColumn(c.name, collation=c.collation or "BINARY")
        for name in table.primary_key
        if (c := table.column(name)) is not None
    )
    return [Index("", table.name, True, "pk", False, columns), *table.indexes]


def _describe(index: Index) -> str:
    labels = ", ".join(c.label for c in index.columns)
    if index.origin == "pk":
        return f"the primary key ({labels})"
    if index.origin == "u":
        return f"the UNIQUE constraint ({labels})"
    return f"{'unique ' if index.unique else ''}index {index.name} ({labels})"


def _collation(name: str | None) -> str:
    return (name or "BINARY").upper()


def _term(column: IndexColumn) -> tuple[str, str, str]:
    """What an index column sorts by: a column name or an expression, and its collation."""
    if column.name is not None:
        return ("column", ascii_fold(column.name), _collation(column.collation))
    return ("expression", " ".join((column.expression or "").split()), _collation(column.collation))


# SL102 -----------------------------------------------------------------------------------------

_NOT_NULL = re.compile(r'\s*["`\[]?(\w+)["`\]]?\s+(?:IS\s+NOT\s+NULL|NOTNULL)\s*', re.IGNORECASE)


def _serves(index: Index, relation: Relation, parent: Table | None) -> bool:
    """Whether the planner can find child rows by the relation's columns with ``index``.

    SQLite compares child columns under the parent columns' collation, and uses a partial
    index only when its WHERE is ``<column> IS NOT NULL`` on one of those columns.
    """
    width = len(relation.from_columns)
    lead = index.columns[:width]
    if len(lead) < width or any(c.name is None for c in lead):
        return False
    wanted = {}
    for child_col, parent_col in zip(relation.from_columns, relation.to_columns, strict=True):
        found = parent.column(parent_col) if parent is not None else None
        wanted[ascii_fold(child_col)] = _collation(found.collation if found else None)
    if {ascii_fold(c.name or ""): _collation(c.collation) for c in lead} != wanted:
        return False
    if index.partial:
        where = _NOT_NULL.fullmatch(index.where or "")
        return where is not None and ascii_fold(where.group(1)) in wanted
    return True


def _unindexed_foreign_key(schema: Schema) -> list[Diagnostic]:
    out = []
    for relation in schema.relations:
        child = schema.table(relation.from_table)
        if child is None or child.kind != "table":
            continue
        parent = schema.table(relation.to_table)
        if any(_serves(index, relation, parent) for index in _keys(child)):
            continue
        columns = ", ".join(relation.from_columns)
        target = f"{relation.to_table}({', '.join(relation.to_columns)})"
        what = "foreign key" if relation.kind == "declared" else "inferred reference"
        out.append(
            _warn(
                child.source,
                "SL102",
                f"{what} {child.name}({columns}) -> {target}: no index on {child.name} leads with "
                f"({columns}), so looking up {child.name} rows by {target} scans the whole table",
            )
        )
    return out


# SL103 -----------------------------------------------------------------------------------------


def _covers(longer: Index, index: Index) -> bool:
    """Whether ``longer`` serves every lookup and ordering ``index`` does, and enforces as much.

    The shared columns may be all in the same direction or all reversed: SQLite scans an
    index backwards too. A unique index is only covered by one unique on the same columns.
    """
    width = len(index.columns)
    if longer.partial or len(longer.columns) < width:
        return False
    lead = longer.columns[:width]
    if [_term(c) for c in lead] != [_term(c) for c in index.columns]:
        return False
    if len({a.desc != b.desc for a, b in zip(lead, index.columns, strict=True)}) > 1:
        return False
    return not index.unique or (longer.unique and len(longer.columns) == width)


def _redundant_index(schema: Schema) -> list[Diagnostic]:
    out = []
    for table in _ordinary(schema):
        keys = _keys(table)
        for position, index in enumerate(keys):
            if index.origin != "c" or index.partial:
                continue
            for other_position, other in enumerate(keys):
                if other is index or not _covers(other, index):
                    continue
                same = len(other.columns) == len(index.columns)
                if (
                    same
                    and other.origin == "c"
                    and other.unique == index.unique
                    and (other_position > position)
                ):
                    continue  # of two identical indexes only the later one is reported
                labels = ", ".join(c.label for c in index.columns)
                out.append(
                    _warn(
                        index.source or table.source,
                        "SL103",
                        f"index {index.name} on {table.name} ({labels}) is redundant: it "
                        f"{'duplicates' if same else 'is a prefix of'} {_describe(other)}",
                    )
                )
                break
    return out


# SL104 -----------------------------------------------------------------------------------------


def _undeclared_relation(schema: Schema) -> list[Diagnostic]:
    out = []
    for relation in schema.relations:
        if relation.kind != "inferred":
            continue
        child = schema.table(relation.from_table)
        columns = ", ".join(relation.from_columns)
        target = f"{relation.to_table}({', '.join(relation.to_columns)})"
        out.append(
            _warn(
                child.source if child else None,
                "SL104",
                f"{relation.from_table}({columns}) looks like a reference to {target} but no "
                f"FOREIGN KEY declares it; add REFERENCES {target}",
            )
        )
    return out


# SL105 -----------------------------------------------------------------------------------------

# https://www.sqlite.org/datatype3.html#determination_of_column_affinity, in rule order.
_AFFINITY_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("INTEGER", ("INT",)),
    ("TEXT", ("CHAR", "CLOB", "TEXT")),
    ("BLOB", ("BLOB",)),
    ("REAL", ("REAL", "FLOA", "DOUB")),
)
# A word of the type name that plainly names the affinity SQLite derives from it.
_PLAIN = {
    "INTEGER": re.compile(r"(TINY|SMALL|MEDIUM|BIG)?INT(EGER|[0-9]+)?"),
    "TEXT": re.compile(r"(N|VAR|NVAR)?CHAR(ACTER)?[0-9]*|(TINY|MEDIUM|LONG)?TEXT|N?CLOB"),
    "BLOB": re.compile(r"(TINY|MEDIUM|LONG)?BLOB"),
    "REAL": re.compile(r"REAL|FLOAT[0-9]*|DOUBLE"),
    "NUMERIC": re.compile(r"NUMERIC|DECIMAL|NUMBER"),
}


def affinity(declared: str) -> tuple[str, str | None]:
    """The affinity SQLite gives a declared type, and the substring that decided it.

    The substring is None for the last rule: no substring matched, so NUMERIC.
    """
    upper = declared.upper()
    if not upper.strip():
        return "BLOB", None
    for name, needles in _AFFINITY_RULES:
        hit = next((n for n in needles if n in upper), None)
        if hit is not None:
            return name, hit
    return "NUMERIC", None


def unclear_affinity(declared: str) -> str | None:
    """The affinity ``declared`` hides and why, e.g. ``NUMERIC affinity (...)``; None if clear.

    A type is clear when one of its words plainly names the affinity: ``BIGINT``,
    ``VARCHAR(20)``, ``DOUBLE PRECISION``, ``DECIMAL(10, 2)``. ``DATETIME`` and ``BOOLEAN``
    fall through every rule to NUMERIC; ``POINT`` gets INTEGER because it contains "INT".
    """
    name, hit = affinity(declared)
    words = re.findall(r"[A-Z0-9_]+", re.sub(r"\(.*?\)", " ", declared.upper()))
    if not declared.strip() or any(_PLAIN[name].fullmatch(w) for w in words):
        return None
    if hit is None:
        return (
            "NUMERIC affinity (the name contains none of INT, CHAR, CLOB, TEXT, BLOB, "
            "REAL, FLOA or DOUB)"
        )
    return f'{name} affinity (the name contains "{hit}")'


def _unclear_affinity(schema: Schema) -> list[Diagnostic]:
    return [
        _warn(
            table.source,
            "SL105",
            f"column {table.name}.{column.name} is typed "
            f"{column.type}, which SQLite gives {reason}",
        )
        for table in _ordinary(schema)
        if not table.strict
        for column in table.columns
        if (reason := unclear_affinity(column.type)) is not None
    ]


# SL106 -----------------------------------------------------------------------------------------


def _missing_description(schema: Schema) -> list[Diagnostic]:
    out = []
    for table in schema.tables:
        if not table.description:
            out.append(
                _warn(
                    table.source,
                    "SL106",
                    f"table {table.name} has no description; add a comment before its CREATE TABLE",
                )
            )
        out.extend(
            _warn(
                table.source,
                "SL106",
                f"column {table.name}.{column.name} has no description; "
                "add a comment before or after its definition",
            )
            for column in table.columns
            if column.hidden != 1 and not column.description
        )
    return out


# SL107 -----------------------------------------------------------------------------------------


def _conflicting_definition(schema: Schema) -> list[Diagnostic]:
    """The scan's SD301 warnings: an object created twice with different definitions."""
    return [
        Diagnostic("warning", "SL107", d.message, d.path, d.line, d.column)
        for d in schema.diagnostics
        if d.code == SD301.code
    ]


RULES: tuple[Rule, ...] = (
    Rule("SL101", "no_primary_key", "table without a primary key", _no_primary_key),
    Rule(
        "SL102",
        "unindexed_foreign_key",
        "relation whose child columns lead no index",
        _unindexed_foreign_key,
    ),
    Rule(
        "SL103",
        "redundant_index",
        "index that is a prefix of another index or of the key",
        _redundant_index,
    ),
    Rule(
        "SL104",
        "undeclared_relation",
        "inferred relation with no declared FOREIGN KEY",
        _undeclared_relation,
    ),
    Rule(
        "SL105", "unclear_affinity", "column type that hides its SQLite affinity", _unclear_affinity
    ),
    Rule(
        "SL106",
        "missing_description",
        "table or column without a description",
        _missing_description,
        default=False,
    ),
    Rule(
        "SL107",
        "conflicting_definition",
        "object defined differently in two places",
        _conflicting_definition,
    ),
)


@dataclass(frozen=True)
class LintConfig:
    """Which rules run: one switch per rule, named by its key."""

    no_primary_key: bool = True
    unindexed_foreign_key: bool = True
    redundant_index: bool = True
    undeclared_relation: bool = True
    unclear_affinity: bool = True
    missing_description: bool = False
    conflicting_definition: bool = True

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> LintConfig:
        """Parse ``[tool.schemadoc.lint]``; ``require_descriptions`` is ``missing_description``."""
        known = {f.name for f in fields(cls)}
        values: dict[str, bool] = {}
        for key, value in raw.items():
            name = "missing_description" if key == "require_descriptions" else key
            if name not in known:
                raise ConfigError(
                    f"unknown key in [tool.schemadoc.lint]: {key} (known: "
                    f"{', '.join(sorted([*known, 'require_descriptions']))})"
                )
            if not isinstance(value, bool):
                raise ConfigError(
                    f"[tool.schemadoc.lint] {key} must be a bool, not {type(value).__name__}"
                )
            if values.get(name, value) != value:
                raise ConfigError(
                    "[tool.schemadoc.lint] require_descriptions and missing_description disagree"
                )
            values[name] = value
        return cls(**values)

    def enabled(self, rule: Rule) -> bool:
        return bool(getattr(self, rule.key))


def lint(schema: Schema, config: LintConfig = LintConfig()) -> list[Diagnostic]:
    """Every finding of the enabled rules, each once, by place and code, then schema order."""
    found = (d for rule in RULES if config.enabled(rule) for d in rule.check(schema))
    return sorted(dict.fromkeys(found), key=lambda d: (d.path, d.line, d.column, d.code))


__all__ = ["RULES", "LintConfig", "Rule", "affinity", "lint", "unclear_affinity"]

"""Parse one SQLite DDL statement (sqlglot) into a schema operation.

sqlglot gives the structure (which columns, which constraints, which ALTER action); the
original text gives what sqlglot would rewrite (CHECK and generated expressions, collations,
comments). sqlglot's regenerated SQL is never executed or shown.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from ..model.schema import Check
from .heads import unquote
from .statements import Definition, join_comments, split_table_body, tokens

logging.getLogger("sqlglot").setLevel(logging.ERROR)

_WITHOUT_ROWID = re.compile(r"\)\s*((?:(?:WITHOUT\s+ROWID|STRICT)\s*,?\s*)+)$", re.IGNORECASE)


@dataclass(frozen=True)
class DeclaredColumn:
    name: str
    notnull: bool = False
    pk: bool = False
    unique: bool = False
    has_default: bool = False
    collation: str | None = None
    checks: tuple[Check, ...] = ()
    generated: str | None = None
    autoincrement: bool = False
    description: str | None = None


@dataclass(frozen=True)
class CreateTable:
    name: str
    columns: tuple[DeclaredColumn, ...] | None  # None: not understood, SQLite's view only
    checks: tuple[Check, ...] = ()
    foreign_key_names: tuple[tuple[tuple[str, ...], str], ...] = ()
    description: str | None = None
    as_select: bool = False
    module: str | None = None


@dataclass(frozen=True)
class CreateIndex:
    name: str
    table: str


@dataclass(frozen=True)
class CreateView:
    name: str


@dataclass(frozen=True)
class CreateTrigger:
    name: str
    table: str | None


@dataclass(frozen=True)
class AddColumn:
    table: str
    column: DeclaredColumn | None


@dataclass(frozen=True)
class RenameTable:
    table: str
    new_name: str


@dataclass(frozen=True)
class RenameColumn:
    table: str
    old: str
    new: str


@dataclass(frozen=True)
class DropColumn:
    table: str
    column: str


@dataclass(frozen=True)
class Drop:
    kind: str  # TABLE, INDEX, VIEW, TRIGGER
    name: str


@dataclass(frozen=True)
class Unparsed:
    """sqlglot could not represent it; SQLite still decides."""

    reason: str
    line: int = 0
    col: int = 0


Operation = (
    CreateTable
    | CreateIndex
    | CreateView
    | CreateTrigger
    | AddColumn
    | RenameTable
    | RenameColumn
    | DropColumn
    | Drop
    | Unparsed
)


def _name(node: exp.Expression | None) -> str:
    if isinstance(node, exp.Schema):
        node = node.this
    if isinstance(node, exp.Table | exp.Column):
        return node.name
    if isinstance(node, exp.Identifier):
        return node.this
    return node.name if node is not None else ""


def _names(nodes: list[exp.Expression]) -> tuple[str, ...]:
    return tuple(_name(n) for n in nodes)


def _balanced(sql: str, start: int) -> str | None:
    """Text inside the parentheses that open at or after ``start``."""
    depth = 0
    begin = None
    for tok in tokens(sql, start):
        if tok.text == "(":
            depth += 1
            if depth == 1:
                begin = tok.end
        elif tok.text == ")":
            depth -= 1
            if depth == 0 and begin is not None:
                return sql[begin : tok.start].strip()
    return None


def _words(definition: Definition) -> list[tuple[str, int, str]]:
    """(keyword-comparable text, offset, text as written) of each token but spaces/comments."""
    return [
        (t.text.upper() if t.kind == "word" else t.text, t.start, t.text)
        for t in tokens(definition.text)
        if t.kind in ("word", "quoted", "punct")
    ]


def _checks(definition: Definition) -> tuple[Check, ...]:
    words = _words(definition)
    found = []
    for i, (word, start, _) in enumerate(words):
        if word == "CHECK":
            body = _balanced(definition.text, start)
            name = None
            for j in range(i - 1, 0, -1):
                if words[j - 1][0] == "CONSTRAINT":
                    name = unquote(words[j][2])
                    break
                if words[j][0] in ("CHECK", "(", ")"):
                    break
            if body is not None:
                found.append(Check(body, name))
    return tuple(found)


def _after_keyword(definition: Definition, keyword: str) -> str | None:
    words = _words(definition)
    for i, (word, _, _) in enumerate(words[:-1]):
        if word == keyword:
            return unquote(words[i + 1][2])
    return None


def _generated(definition: Definition) -> str | None:
    for word, start, _ in _words(definition):
        if word == "AS":
            return _balanced(definition.text, start)
    return None


def _column(node: exp.ColumnDef | exp.Identifier, definition: Definition | None) -> DeclaredColumn:
    if isinstance(node, exp.Identifier):
        return DeclaredColumn(node.this, description=definition.description if definition else None)
    kinds = [c.args.get("kind") for c in node.args.get("constraints") or []]

    def has(cls: type) -> bool:
        return any(isinstance(k, cls) for k in kinds)

    collation: str | None = None
    checks: tuple[Check, ...] = ()
    generated: str | None = None
    if definition is not None:
        said = definition.text.upper()  # its words are read only for what it says
        collation = _after_keyword(definition, "COLLATE") if "COLLATE" in said else None
        checks = _checks(definition) if "CHECK" in said else ()
        if "AS" in said and has(exp.ComputedColumnConstraint):
            generated = _generated(definition)
    return DeclaredColumn(
        name=node.name,
        notnull=has(exp.NotNullColumnConstraint)
        and not any(
            isinstance(k, exp.NotNullColumnConstraint) and k.args.get("allow_null") for k in kinds
        ),
        pk=has(exp.PrimaryKeyColumnConstraint),
        unique=has(exp.UniqueColumnConstraint),
        has_default=has(exp.DefaultColumnConstraint),
        collation=collation,
        checks=checks,
        generated=generated,
        autoincrement=has(exp.AutoIncrementColumnConstraint),
        description=definition.description if definition else None,
    )


def _create_table(sql: str, tree: exp.Create) -> CreateTable:
    name = _name(tree.this)
    body = split_table_body(sql)
    definitions = list(body.definitions) if body else []
    description = None
    if body and body.head_comments:
        description = join_comments(list(body.head_comments))
    props = tree.args.get("properties")
    module = None
    if props is not None:
        for prop in props.expressions:
            if isinstance(prop, exp.ModuleProperty):
                module = prop.name
    if tree.args.get("expression") is not None:
        return CreateTable(name, None, description=description, as_select=True)
    schema = tree.this
    if module is not None or not isinstance(schema, exp.Schema):
        return CreateTable(name, None, description=description, module=module)
    columns: list[DeclaredColumn] = []
    checks: list[Check] = []
    fk_names: list[tuple[tuple[str, ...], str]] = []
    for item, definition in zip(
        schema.expressions, _pair(schema.expressions, definitions), strict=True
    ):
        if isinstance(item, exp.ColumnDef | exp.Identifier):
            column = _column(item, definition)
            columns.append(column)
            continue
        constraint_name = _name(item.this) if isinstance(item, exp.Constraint) else None
        inner = item.expressions if isinstance(item, exp.Constraint) else [item]
        for part in inner:
            if isinstance(part, exp.ForeignKey) and constraint_name:
                fk_names.append((_names(part.expressions), constraint_name))
            if definition is not None and isinstance(part, exp.CheckColumnConstraint):
                checks.extend(_checks(definition))
                break
    return CreateTable(
        name,
        tuple(columns),
        checks=tuple(dict.fromkeys(checks)),
        foreign_key_names=tuple(fk_names),
        description=description,
    )


def _pair(items: list[exp.Expression], definitions: list[Definition]) -> list[Definition | None]:
    """The body definition of each sqlglot item, matched in order (None when counts differ)."""
    if len(items) == len(definitions):
        return list(definitions)
    return [None] * len(items)


def parse_statement(sql: str) -> Operation:
    """The schema operation of one statement, or Unparsed when sqlglot cannot represent it."""
    text = sql
    m = _WITHOUT_ROWID.search(text)
    if m:  # sqlglot falls back to a Command on table options
        text = text[: m.start(1)]
    try:
        tree = sqlglot.parse_one(text, read="sqlite")
    except SqlglotError as exc:
        errors = getattr(exc, "errors", None) or [{}]
        first = errors[0]
        return Unparsed(
            str(exc).splitlines()[0][:200], first.get("line") or 0, first.get("col") or 0
        )
    except (RecursionError, ValueError) as exc:
        return Unparsed(type(exc).__name__)
    if isinstance(tree, exp.Create):
        kind = (tree.args.get("kind") or "").upper()
        if kind == "TABLE":
            return _create_table(sql, tree)
        if kind == "INDEX":
            index = tree.this
            return CreateIndex(_name(index), _name(index.args.get("table")))
        if kind == "VIEW":
            return CreateView(_name(tree.this))
    if isinstance(tree, exp.Alter):
        table = _name(tree.this)
        for action in tree.args.get("actions") or []:
            if isinstance(action, exp.ColumnDef):
                return AddColumn(table, _column(action, _added_definition(sql)))
            if isinstance(action, exp.AlterRename):
                return RenameTable(table, _name(action.this))
            if isinstance(action, exp.RenameColumn):
                return RenameColumn(table, _name(action.this), _name(action.args.get("to")))
            if isinstance(action, exp.Drop):
                return DropColumn(table, _names(action.args.get("tables") or [])[0])
    if isinstance(tree, exp.Drop):
        kind = (tree.args.get("kind") or "").upper()
        tables = tree.args.get("tables") or []
        if kind in ("TABLE", "INDEX", "VIEW", "TRIGGER") and tables:
            return Drop(kind, _name(tables[0]))
    return Unparsed("not understood by sqlglot")


def _added_definition(sql: str) -> Definition | None:
    """The column definition text of ``ALTER TABLE t ADD [COLUMN] def``."""
    words = [t for t in tokens(sql) if t.kind in ("word", "quoted", "punct")]
    for i, tok in enumerate(words):
        if tok.kind == "word" and tok.text.upper() == "ADD":
            nxt = words[i + 1] if i + 1 < len(words) else None
            begin = nxt.end if nxt and nxt.text.upper() == "COLUMN" else tok.end
            return Definition(sql[begin:].strip(), ())
    return None


def foreign_key_names(op: CreateTable) -> dict[tuple[str, ...], str]:
    """Constraint names of the table's foreign keys, by their (case-folded) child columns."""
    return {tuple(c.lower() for c in cols): name for cols, name in op.foreign_key_names}

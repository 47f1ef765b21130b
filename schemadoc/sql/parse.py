"""Parse one SQLite DDL statement (sqlglot) into a schema operation.

sqlglot gives the structure (which columns, which constraints, which ALTER action); the
original text gives what sqlglot would rewrite (CHECK and generated expressions, collations,
comments). sqlglot's regenerated SQL is never executed or shown.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from ..model.schema import Check
from .statements import Definition, Token, join_comments, split_table_body, tokens

logging.getLogger("sqlglot").setLevel(logging.ERROR)

_WITHOUT_ROWID = re.compile(r"\)\s*((?:(?:WITHOUT\s+ROWID|STRICT)\s*,?\s*)+)$", re.IGNORECASE)
_HEAD = re.compile(
    r"\s*(?P<verb>CREATE|ALTER|DROP)\s+(?:(?P<temp>TEMP|TEMPORARY)\s+)?(?P<unique>UNIQUE\s+)?"
    r"(?P<virtual>VIRTUAL\s+)?(?P<kind>TABLE|INDEX|VIEW|TRIGGER)\b",
    re.IGNORECASE,
)
# Markers of DDL written for another engine (SQLite would store it as if it were its own).
FOREIGN_DIALECT = re.compile(  # one leading \b for the words: five times faster to search
    r"::\s*\w|\b(?:(?:BIG|SMALL)?SERIAL\b|ENGINE\s*=|AUTO_INCREMENT\b|ALTER\s+COLUMN\b|"
    r"CHARACTER\s+SET\b|DEFAULT\s+CHARSET\b|USING\s+(?:GIN|GIST|BRIN|HASH|BTREE)\b|"
    r"ON\s+[^\s(]+\s+USING\s+\w+|"  # an index method: ``USING hnsw (embedding)``
    r"CONCURRENTLY\b|ON\s+UPDATE\s+CURRENT_TIMESTAMP\b|CREATE\s+OR\s+REPLACE\b|"
    r"GENERATED\s+(?:ALWAYS|BY\s+DEFAULT)\s+AS\s+IDENTITY\b|ADD\s+CONSTRAINT\b|"
    r"UNSIGNED\b(?!\s+BIG\s+INT)|INCLUDE\s*\(|TABLESPACE\b|"
    r"IDENTITY\s*\(|NVARCHAR\s*\(\s*MAX\b)"
    r"|\)\s*USING\s+\w+\s*(?:;|$)",  # a table access method: ``) USING heap``
    re.IGNORECASE,
)
# A part of every sign above, lower-cased: an ASCII statement holding none of them holds no
# sign, and is not searched (IGNORECASE also folds a few non-ASCII letters: those are).
_FOREIGN_PARTS = (
    "::",
    "serial",
    "engine",
    "auto_increment",
    "alter",
    "character",
    "charset",
    "using",
    "concurrently",
    "current_timestamp",
    "replace",
    "identity",
    "constraint",
    "unsigned",
    "include",
    "tablespace",
    "nvarchar",
)
# What may follow a column's type: ``id SERIAL PRIMARY KEY`` is a type, ``serial TEXT`` a name.
_AFTER_TYPE = re.compile(
    r"\s*(?:[,)]|$|(?:PRIMARY|NOT|NULL|UNIQUE|DEFAULT|REFERENCES|CHECK|CONSTRAINT|COLLATE)\b)",
    re.IGNORECASE,
)


def foreign_dialect(sql: str) -> str | None:
    """What in a statement's text is another engine's SQL (see ``FOREIGN_DIALECT``), if
    anything. ``SERIAL`` counts only where a type is written, not as a name (``serial TEXT``,
    ``SELECT serial``, ``(serial)``)."""
    if sql.isascii():
        lowered = sql.lower()
        if not any(part in lowered for part in _FOREIGN_PARTS):
            return None
    for found in FOREIGN_DIALECT.finditer(sql):
        sign = found.group()
        if sign.upper().endswith("SERIAL"):
            before = sql[: found.start()].rstrip()
            if not before or before[-1] in "(," or not _AFTER_TYPE.match(sql, found.end()):
                continue
            if before.rsplit(None, 1)[-1].upper() in ("AS", "SELECT", "BY", "ON"):
                continue
        return " ".join(sign.split())
    return None


# Types of other engines that SQLite takes as written: code shared by several engines uses
# them too, so they mark a table as another engine's only beside a definition without them.
FOREIGN_TYPE = re.compile(r"\b(?:BYTEA|JSONB|TIMESTAMPTZ|WITH\s+TIME\s+ZONE)\b", re.IGNORECASE)


def unquote(name: str) -> str:
    """An SQL identifier without its quotes."""
    if len(name) >= 2 and name[0] in '"`[' and name[-1] in '"`]':
        inner = name[1:-1]
        return inner.replace('""', '"') if name[0] == '"' else inner
    return name


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


@dataclass(frozen=True)
class Head:
    """What a statement is, read off its first keywords."""

    verb: str  # CREATE, ALTER, DROP, or the first word of anything else
    kind: str | None  # TABLE, INDEX, VIEW, TRIGGER
    temporary: bool = False
    virtual: bool = False


def head(sql: str) -> Head:
    """The verb and object kind of a statement (comments may stand between its words)."""
    m = _HEAD.match(sql)
    words = [] if m else [t.text for t in itertools.islice(_word_tokens(sql), 5)]
    m = m or _HEAD.match(" ".join(words))
    if m:
        return Head(m["verb"].upper(), m["kind"].upper(), bool(m["temp"]), bool(m["virtual"]))
    return Head(words[0].upper() if words else "", None)


def _word_tokens(sql: str) -> Iterator[Token]:
    return (t for t in tokens(sql) if t.kind == "word")


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


def qualifier(sql: str) -> str | None:
    """The database a CREATE/ALTER/DROP statement's object is named in, if it says
    (``mem`` of ``CREATE TABLE IF NOT EXISTS mem.cache``). Reads only the statement's head."""
    return None if _PLAIN_HEAD.match(sql) else qualified_by_tokens(sql)


def qualified_by_tokens(sql: str) -> str | None:
    """``qualifier``, read token by token."""
    words = [t for t in itertools.islice(tokens(sql), 60) if t.kind in ("word", "quoted", "punct")]
    for i, tok in enumerate(words):
        if tok.kind == "word" and tok.text.upper() in ("TABLE", "INDEX", "VIEW", "TRIGGER"):
            j = i + 1
            while j < len(words) and words[j].text.upper() in ("IF", "NOT", "EXISTS"):
                j += 1
            if j + 2 < len(words) and words[j + 1].text == ".":
                return unquote(words[j].text)
            return None
    return None


# The plain heads of statements on a table or view, an index or a trigger, each name one word
# followed by what cannot qualify it: what ``object_names`` reads token by token, matched at once.
_SKIP = r"(?:(?:IF|NOT|EXISTS)\s+)*(?!(?:IF|NOT|EXISTS)\b)"
_ONE_WORD = r"[A-Za-z_][A-Za-z0-9_$]*(?![A-Za-z0-9_$])"
_PLAIN_HEAD = re.compile(
    rf"\s*(?:(?:CREATE|ALTER|DROP)\s+(?:(?:TEMP|TEMPORARY|VIRTUAL)\s+)?(?:TABLE|VIEW)\s+"
    rf"{_SKIP}(?P<name>{_ONE_WORD})"
    rf"|CREATE\s+(?:UNIQUE\s+)?INDEX\s+{_SKIP}(?P<index>{_ONE_WORD})\s+ON\s+(?P<indexed>{_ONE_WORD})"
    rf"|CREATE\s+(?:(?:TEMP|TEMPORARY)\s+)?TRIGGER\s+{_SKIP}(?P<trigger>{_ONE_WORD})\s+"
    rf"(?:(?:BEFORE|AFTER|INSTEAD\s+OF)\s+)?(?:INSERT|DELETE|UPDATE)\s+ON\s+(?P<on>{_ONE_WORD}))"
    r"(?=\s*(?:[(;]|\Z|[A-Za-z]))",
    re.ASCII | re.IGNORECASE,
)


def object_names(sql: str) -> tuple[str | None, str | None]:
    """The object a CREATE/ALTER/DROP statement names, and for an index or trigger the table
    after ``ON``. Reads only the statement's head (its first 200 tokens at most)."""
    plain = _PLAIN_HEAD.match(sql)
    if plain:
        return plain["name"] or plain["index"] or plain["trigger"], plain["indexed"] or plain["on"]
    return named_by_tokens(sql)


def named_by_tokens(sql: str) -> tuple[str | None, str | None]:
    """``object_names``, read token by token."""
    stream = (
        t for t in itertools.islice(tokens(sql), 200) if t.kind in ("word", "quoted", "punct")
    )
    toks: list[Token] = []

    def word(i: int) -> str | None:
        """The ``i``-th token, upper-cased if a word; None past the head."""
        while len(toks) <= i:
            tok = next(stream, None)
            if tok is None:
                return None
            toks.append(tok)
        return toks[i].text.upper() if toks[i].kind == "word" else toks[i].text

    kind = 0
    while (w := word(kind)) not in ("TABLE", "INDEX", "VIEW", "TRIGGER"):
        if w is None:
            return None, None
        kind += 1
    i = kind + 1
    while word(i) in ("IF", "NOT", "EXISTS"):
        i += 1
    if word(i) is None:
        return None, None
    name = toks[i].text
    if word(i + 1) == "." and word(i + 2) is not None:
        i += 2
        name = toks[i].text
    on = None
    if toks[kind].text.upper() in ("INDEX", "TRIGGER"):
        j = i + 1
        while (w := word(j)) is not None and w != "ON":
            j += 1
        if w == "ON" and word(j + 1) is not None:
            j += 1
            on = (
                toks[j + 2].text if word(j + 1) == "." and word(j + 2) is not None else toks[j].text
            )
    return _identifier(name), _identifier(on) if on else None


def _identifier(name: str) -> str:
    """An object name as written: SQLite takes a string literal there as a name, too."""
    if len(name) >= 2 and name[0] == name[-1] == "'":
        return name[1:-1].replace("''", "'")
    return unquote(name)

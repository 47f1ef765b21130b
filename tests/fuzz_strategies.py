"""Hypothesis strategies for the fuzz tests: Python modules holding valid and mangled DDL.

A generated *case* is a set of Python modules (file name to source text) and, for every valid
table in them, the column names SQLite must report in order. Valid tables are named ``t_...``
(or a quoted name starting with ``t``); mangled statements only ever name tables made of
``m``, digits and ``_``, so no mutation can turn one into a valid table's name.

Every statement is written in one of the literal forms schemadoc evaluates: plain, raw,
triple-quoted, bytes, implicit concatenation, ``+``, f-strings with constant names,
``.format``, ``%``, ``textwrap.dedent``, class attributes and lists.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import strategies as st

LOWER = "abcdefghijklmnopqrstuvwxyz"
WORD = LOWER + "0123456789_"
QUOTED = LOWER + "0123456789_ éüßøçñ中ё"
TYPES = [
    "",
    "INTEGER",
    "INT",
    "TEXT",
    "REAL",
    "BLOB",
    "NUMERIC",
    "VARCHAR(30)",
    "DECIMAL(10, 2)",
    "BOOLEAN",
    "DATETIME",
    "UNSIGNED BIG INT",
    "DOUBLE PRECISION",
    "CHARACTER(20)",
    "ANY",
]
STRICT_TYPES = {"INTEGER", "INT", "TEXT", "REAL", "BLOB", "ANY"}
DEFAULTS = ["0", "1", "-1", "3.5", "'x'", "''", "'it''s'", "NULL", "(1 + 2)", "X'00ff'", "TRUE"]
COMMENT_WORDS = ["the", "id", "name", "of", "when", "created", "owner", "note", "a", "café"]
MUTATION_TOKENS = [
    ",",
    ",,",
    "(",
    ")",
    "'",
    '"',
    "`",
    "[",
    "]",
    "--",
    "/*",
    "*/",
    ";",
    "NOT",
    "NULL",
    "DEFAULT",
    "PRIMARY KEY",
    "UNIQUE",
    "CHECK (",
    "REFERENCES",
    "AS",
    "0x",
    "\\",
    "{",
    "}",
    "%",
    "%s",
    "{}",
    "\n",
    "\x00",
    "é",
    "\u2028",
    "COLLATE",
    "GENERATED ALWAYS",
    "WITHOUT ROWID",
    "STRICT",
    "BEGIN",
    "END",
]


@dataclass
class Column:
    name: str  # as SQLite reports it
    sql: str  # the definition


@dataclass
class Table:
    name: str
    sql_name: str  # as written in SQL (maybe quoted)
    columns: list[Column]
    temp: bool = False
    strict: bool = False  # set when its CREATE is drawn

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


@dataclass
class Statement:
    sql: str
    form: str
    valid: bool
    constant: str | None = None  # the table name, for forms that take it from a constant


@dataclass
class Case:
    modules: dict[str, str] = field(default_factory=dict)
    expected: dict[str, list[str]] = field(default_factory=dict)  # table -> column names
    xfail: str | None = None  # a known bug, for saved regressions

    def write(self, folder: Path) -> None:
        for name, text in self.modules.items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")

    def to_json(self) -> str:
        data: dict[str, object] = {"modules": self.modules, "expected": self.expected}
        if self.xfail:
            data["xfail"] = self.xfail
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Case:
        data = json.loads(text)
        expected = {k: list(v) for k, v in data["expected"].items()}
        return cls(dict(data["modules"]), expected, data.get("xfail"))


def quote(name: str, style: str) -> str:
    if style == "bare":
        return name
    if style == "double":
        return '"' + name.replace('"', '""') + '"'
    if style == "bracket":
        return f"[{name}]"
    return f"`{name}`"


@st.composite
def identifiers(draw: st.DrawFn, prefix: str) -> tuple[str, str]:
    """(name, as written): a bare ``prefix_word`` or a quoted name starting with ``prefix``."""
    if draw(st.integers(0, 4)) == 0:
        body = draw(st.text(alphabet=QUOTED, min_size=1, max_size=10))
        name = f"{prefix}{body}".rstrip()
        return name, quote(name, draw(st.sampled_from(["double", "bracket", "backtick"])))
    name = prefix + "_" + draw(st.text(alphabet=WORD, min_size=1, max_size=10))
    return name, quote(name, draw(st.sampled_from(["bare", "bare", "double"])))


@st.composite
def comments(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.sampled_from(COMMENT_WORDS), min_size=1, max_size=4))
    return " ".join(words)


@st.composite
def column_sql(
    draw: st.DrawFn, sql_name: str, *, pk: bool, added: bool, strict: bool = False
) -> str:
    col_type = draw(st.sampled_from(sorted(STRICT_TYPES) if strict else TYPES))
    parts = [sql_name, col_type] if col_type else [sql_name]
    if pk:
        parts.append(draw(st.sampled_from(["PRIMARY KEY", "PRIMARY KEY DESC", "PRIMARY KEY ASC"])))
    default = draw(st.none() | st.sampled_from(DEFAULTS))
    if draw(st.booleans()) and (not added or default not in (None, "NULL")):
        parts.append("NOT NULL")
    if default is not None:
        parts.append(f"DEFAULT {default}")
    if not added and not pk and draw(st.integers(0, 5)) == 0:
        parts.append("UNIQUE")
    if draw(st.integers(0, 5)) == 0:
        parts.append(f"CHECK ({sql_name} IS NOT NULL OR {sql_name} IS NULL)")
    if draw(st.integers(0, 6)) == 0:
        parts.append("COLLATE NOCASE")
    return " ".join(parts)


@st.composite
def tables(draw: st.DrawFn, taken: set[str]) -> Table:
    name, sql_name = draw(identifiers("t").filter(lambda n: n[0].lower() not in taken))
    taken.add(name.lower())
    count = draw(st.integers(1, 8))
    names = draw(
        st.lists(identifiers("c"), min_size=count, max_size=count, unique_by=lambda n: n[0].lower())
    )
    pk_at = draw(st.none() | st.integers(0, count - 1))
    columns = [
        Column(n, draw(column_sql(q, pk=i == pk_at, added=False))) for i, (n, q) in enumerate(names)
    ]
    if draw(st.integers(0, 4)) == 0:  # a generated column reading the first one
        gen_name, gen_sql = draw(
            identifiers("g").filter(lambda n: n[0].lower() not in {x.lower() for x, _ in names})
        )
        stored = draw(st.sampled_from(["", " VIRTUAL", " STORED"]))
        columns.append(Column(gen_name, f"{gen_sql} AS ({names[0][1]} IS NULL){stored}"))
    return Table(name, sql_name, columns, temp=draw(st.integers(0, 9)) == 0)


@st.composite
def create_sql(draw: st.DrawFn, table: Table) -> str:
    lines = []
    for i, col in enumerate(table.columns):
        comma = "," if i < len(table.columns) - 1 else ""
        note = f"  -- {draw(comments())}" if draw(st.integers(0, 3)) == 0 else ""
        lines.append(f"    {col.sql}{comma}{note}")
    head = "CREATE TEMP TABLE" if table.temp else "CREATE TABLE"
    if draw(st.booleans()):
        head += " IF NOT EXISTS"
    options = []
    has_pk = any("PRIMARY KEY" in c.sql for c in table.columns)
    types_ok = all(
        _type_of(c.sql, c.name) in STRICT_TYPES for c in table.columns if " AS (" not in c.sql
    )
    if has_pk and draw(st.integers(0, 4)) == 0 and not any(" AS (" in c.sql for c in table.columns):
        options.append("WITHOUT ROWID")
    generated = any(" AS (" in c.sql for c in table.columns)
    if types_ok and not generated and draw(st.integers(0, 3)) == 0:
        options.append("STRICT")
    table.strict = "STRICT" in options
    tail = ")" + (" " + ", ".join(options) if options else "")
    if draw(st.booleans()):
        return f"{head} {table.sql_name} (\n" + "\n".join(lines) + f"\n{tail}"
    flat = ", ".join(c.sql for c in table.columns)
    return f"{head} {table.sql_name} ({flat}{tail}"


def _type_of(sql: str, name: str) -> str:
    """The declared type of a column definition (first words after its name)."""
    rest = sql.split(" ", 1)[1] if " " in sql else ""
    for t in sorted(TYPES, key=len, reverse=True):
        if t and rest.startswith(t):
            return t
    return ""


@st.composite
def add_column_sql(draw: st.DrawFn, table: Table, taken: set[str]) -> tuple[str, Column]:
    name, sql_name = draw(identifiers("a").filter(lambda n: n[0].lower() not in taken))
    taken.add(name.lower())
    definition = draw(column_sql(sql_name, pk=False, added=True, strict=table.strict))
    keyword = draw(st.sampled_from(["ADD COLUMN", "ADD", "add column"]))
    schema = "temp." if table.temp and draw(st.booleans()) else ""
    return f"ALTER TABLE {schema}{table.sql_name} {keyword} {definition}", Column(name, definition)


MANGLED_NAMES = st.builds(lambda a, b: f"m{a}_{b}", st.integers(0, 10**6), st.integers(0, 10**6))


@st.composite
def mangled_sql(draw: st.DrawFn) -> str:
    """A broken statement about an ``m..`` table (it may still happen to be valid)."""
    name = draw(MANGLED_NAMES)
    kind = draw(st.integers(0, 5))
    if kind == 0:  # arbitrary text after a DDL head
        junk = draw(st.text(st.characters(blacklist_categories=("Cs",)), max_size=60))
        return f"CREATE TABLE {name} {junk}"
    columns = draw(
        st.lists(st.text(alphabet="bcdefghijk", min_size=1, max_size=5), min_size=1, max_size=5)
    )
    text = f"CREATE TABLE {name} ({', '.join(c + ' INTEGER' for c in columns)})"
    if kind == 1:
        text = f"CREATE INDEX {name}_ix ON {name} ({columns[0]})"
    elif kind == 2:
        text = f"CREATE VIEW {name}_v AS SELECT {columns[0]} FROM {name}"
    elif kind == 3:
        text = f"ALTER TABLE {name} ADD COLUMN zz INTEGER"
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.integers(0, 3))
        at = draw(st.integers(0, len(text)))
        if op == 0:
            text = text[:at]
        elif op == 1:
            text = text[:at] + text[at + 1 :]
        elif op == 2:
            text = text[:at] + draw(st.sampled_from(MUTATION_TOKENS)) + text[at:]
        else:
            text = text[:at] + text[at:] + text[at:]
    # The head must keep naming an m.. object: mutations never reach a valid table's name.
    if not re.match(r"\s*(CREATE|ALTER)\s+(TABLE|INDEX|VIEW)\s+m", text):
        text = f"CREATE TABLE {name} (" + text.replace("t_", "x_")
    return text.replace("t_", "x_").replace("T_", "x_")


# --- literal forms ------------------------------------------------------------------------

SIMPLE_FORMS = ["plain", "raw", "triple", "bytes", "implicit", "plus", "dedent", "class", "list"]
NAME_FORMS = ["fstring", "format", "format_kw", "percent"]


def _plain(text: str) -> str:
    return repr(text)


def literal(text: str, form: str, split_at: int, constant: str | None) -> str | None:
    """A Python expression whose value is ``text``, or None when the form cannot hold it."""
    if form == "raw":
        if any(c in text for c in '"\\\n\r') or not text.isprintable():
            return None
        return f'r"{text}"'
    if form == "triple":
        if '"""' in text or "\\" in text or text.endswith('"') or not _printable(text):
            return None
        return f'"""{text}"""'
    if form == "bytes":
        if not text.isascii():
            return None
        return repr(text.encode("ascii"))
    if form in ("implicit", "plus"):
        at = split_at % (len(text) + 1)
        head = _HEAD.match(text)
        if head and 0 < at < head.end():
            # Known bug (tests/regressions/keyword-split-*.json): a statement whose head
            # keywords are split across parts is dropped. Split after the head instead.
            at = head.end()
        joiner = "\n    " if form == "implicit" else " + "
        return f"({_plain(text[:at])}{joiner}{_plain(text[at:])})"
    if form == "dedent":
        if '"""' in text or "\\" in text or text.endswith('"') or not _printable(text):
            return None
        body = "\n".join("        " + line if line else "" for line in text.split("\n"))
        return f'textwrap.dedent("""\n{body}\n        """)'
    if form in NAME_FORMS and constant is not None:
        return _with_name(text, form, constant)
    return _plain(text)


_HEAD = re.compile(
    r"\s*(?:CREATE|ALTER|DROP)\s+(?:(?:TEMP|TEMPORARY)\s+)?(?:UNIQUE\s+)?(?:VIRTUAL\s+)?"
    r"(?:TABLE|INDEX|VIEW|TRIGGER)\b",
    re.IGNORECASE,
)


def _printable(text: str) -> bool:
    return all(c.isprintable() or c == "\n" for c in text) and "\u2028" not in text


def _with_name(text: str, form: str, constant: str) -> str | None:
    marker = "\x01NAME\x01"
    if form == "fstring":
        escaped = repr(text.replace("{", "{{").replace("}", "}}")).replace(
            repr(marker)[1:-1], "{" + constant + "}"
        )
        return "f" + escaped
    if form in ("format", "format_kw"):
        field_ = "{}" if form == "format" else "{name}"
        template = repr(text.replace("{", "{{").replace("}", "}}")).replace(
            repr(marker)[1:-1], field_
        )
        call = f"({constant})" if form == "format" else f"(name={constant})"
        return f"{template}.format{call}"
    template = repr(text.replace("%", "%%")).replace(repr(marker)[1:-1], "%s")
    return f"{template} % {constant}"


@st.composite
def cases(draw: st.DrawFn) -> Case:
    taken: set[str] = set()
    valid = draw(st.lists(tables(taken), min_size=0, max_size=5))
    n_modules = draw(st.integers(1, 3))
    module_items: list[list[Statement]] = [[] for _ in range(n_modules)]
    case = Case()
    for table in valid:
        where = draw(st.integers(0, n_modules - 1))
        sql = draw(create_sql(table))
        columns = list(table.columns)
        name_form_ok = table.sql_name == table.name and not table.temp
        form = draw(st.sampled_from(SIMPLE_FORMS + (NAME_FORMS if name_form_ok else [])))
        constant = None
        if form in NAME_FORMS:
            constant = f"NAME_{len(case.expected)}"
            sql = sql.replace(f" {table.sql_name} (", " \x01NAME\x01 (", 1)
        module_items[where].append(Statement(sql, form, True, constant))
        taken_cols = {c.name.lower() for c in columns}
        for _ in range(draw(st.integers(0, 2))):
            alter, column = draw(add_column_sql(table, taken_cols))
            columns.append(column)
            form = draw(st.sampled_from(SIMPLE_FORMS))
            module_items[where].append(Statement(alter, form, True))
        case.expected[table.name] = [c.name for c in columns]
        if constant:
            case.expected[f"\x02{constant}"] = [table.name]  # where the constant goes
    for _ in range(draw(st.integers(0, 5))):
        where = draw(st.integers(0, n_modules - 1))
        # Not in lists: a list whose first item is an incomplete statement is joined with the
        # items after it (pieces of one statement), which would swallow a valid statement.
        form = draw(st.sampled_from([f for f in SIMPLE_FORMS if f != "list"]))
        at = draw(st.integers(0, len(module_items[where])))
        module_items[where].insert(at, Statement(draw(mangled_sql()), form, False))
    for i, items in enumerate(module_items):
        splits = draw(st.lists(st.integers(0, 200), min_size=len(items), max_size=len(items)))
        case.modules[f"pkg/m{i}.py" if i else "m0.py"] = _module(items, splits, case.expected)
    case.expected = {k: v for k, v in case.expected.items() if not k.startswith("\x02")}
    return case


def _module(items: list[Statement], splits: list[int], expected: dict[str, list[str]]) -> str:
    head = ['"""Generated for fuzzing."""', "import textwrap", ""]
    constants = [
        f"{key[1:]} = {_plain(value[0])}" for key, value in expected.items() if key[0] == "\x02"
    ]
    body: list[str] = []
    listed: list[str] = []
    classes = 0
    for n, (stmt, split_at) in enumerate(zip(items, splits, strict=True)):
        text = literal(stmt.sql, stmt.form, split_at, stmt.constant)
        if text is None:
            text = _plain(stmt.sql)
        if stmt.constant and text == _plain(stmt.sql):
            text = _with_name(stmt.sql, "fstring", stmt.constant)
        if stmt.form != "list" and listed:  # keep source order: flush the pending list first
            body.append(f"SCHEMA_{n}_ = [{listed[0]}]")
            listed = []
        if stmt.form == "class":
            classes += 1
            body.append(f"\n\nclass Models{classes}:\n    DDL = {text}\n")
        elif stmt.form == "list":
            listed.append(text)
            if len(listed) == 2 or n == len(items) - 1:
                body.append(f"SCHEMA_{n} = [\n    " + ",\n    ".join(listed) + ",\n]")
                listed = []
        else:
            body.append(f"DDL_{n} = {text}")
    if listed:
        body.append(f"SCHEMA_END = [{', '.join(listed)}]")
    used = [c for c in constants if any(c.split(" = ")[0] in b for b in body)]
    return "\n".join(head + used + [""] + body) + "\n"

"""The byte prefilter never drops a file that holds DDL, however the code spells it."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from projects import extracted

from schemadoc.discover.source import may_hold_ddl
from schemadoc.extract.summary import summarize
from schemadoc.pipeline import statements_of

VERBS = [
    (
        "CREATE",
        [
            "TABLE",
            "TEMP TABLE",
            "TEMPORARY TABLE",
            "VIRTUAL TABLE",
            "INDEX",
            "UNIQUE INDEX",
            "VIEW",
            "TEMP VIEW",
            "TRIGGER",
        ],
    ),
    ("ALTER", ["TABLE"]),
    ("DROP", ["TABLE", "INDEX", "VIEW", "TRIGGER"]),
]
TAILS = {
    "TABLE": " t (a INTEGER PRIMARY KEY, b TEXT)",
    "INDEX": " ix ON t (b)",
    "VIEW": " v AS SELECT a FROM t",
    "TRIGGER": " tr AFTER INSERT ON t BEGIN SELECT 1; END",
}


@st.composite
def statement(draw: st.DrawFn) -> str:
    verb, kinds = draw(st.sampled_from(VERBS))
    kind = draw(st.sampled_from(kinds))
    last = kind.split()[-1]
    if verb == "ALTER":
        tail = " t ADD COLUMN c INTEGER"
    elif verb == "DROP":
        tail = " IF EXISTS t"
    elif "VIRTUAL" in kind:
        tail = " f USING fts5(a)"
    else:
        tail = TAILS[last]
    words = f"{verb} {kind}{tail}"
    case = draw(st.sampled_from([str.upper, str.lower, str.title, lambda s: s]))
    return case(words)


def _python(sql: str, style: str, cut: int, anywhere: bool) -> str:
    """``sql`` written into Python the way real code does: split between words, or
    ``anywhere`` (a long line wrapped at a fixed width splits a keyword too)."""
    spaces = [i for i, ch in enumerate(sql) if ch == " "]
    at = cut % (len(sql) - 1) + 1 if anywhere else spaces[cut % len(spaces)] + 1
    a, b = sql[:at], sql[at:]
    if style == "adjacent":
        return f"SQL = ({a!r}\n       {b!r})\n"
    if style == "commented":
        return f"SQL = ({a!r}  # wrapped\n       {b!r})\n"
    if style == "continued":
        return f"SQL = {a!r} + \\\n    {b!r}\n"
    if style == "plus":
        return f"SQL = {a!r} + {b!r}\n"
    if style == "name":
        return f"def make(name):\n    return {sql.split(' t ')[0] + ' '!r} + name\n"
    if style == "fstring":
        return f"T = 't'\nSQL = f{sql.replace(' t ', ' {T} ')!r}\n"
    if style == "percent":
        return f"SQL = {sql.replace(' t ', ' %s ')!r} % 't'\n"
    if style == "format":
        return f"SQL = {sql.replace(' t ', ' {} ')!r}.format('t')\n"
    if style == "triple":
        return f'SQL = """\n    {sql};\n"""\n'
    if style in ("block_comment", "line_comment"):  # an SQL comment between two words
        at = spaces[cut % len(spaces)]
        note = " /* note */" if style == "block_comment" else " -- note\n   "
        return f'SQL = """\n    {sql[:at]}{note}{sql[at:]};\n"""\n'
    return f"SQL = {sql!r}\n"


STYLES = ["plain", "adjacent", "commented", "continued", "plus", "name", "fstring", "percent"]
STYLES += ["format", "triple", "block_comment", "line_comment"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sql=statement(),
    style=st.sampled_from(STYLES),
    cut=st.integers(min_value=0, max_value=40),
    anywhere=st.booleans(),
    encoding=st.sampled_from(["utf-8", "latin-1"]),
)
def test_prefilter_keeps_every_file_with_ddl(
    sql: str, style: str, cut: int, anywhere: bool, encoding: str
) -> None:
    source = _python(sql, style, cut, anywhere)
    assert may_hold_ddl(source.encode(encoding)), source


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    sql=statement(),
    style=st.sampled_from([s for s in STYLES if s != "name"]),
    cut=st.integers(min_value=0, max_value=40),
    anywhere=st.booleans(),
)
def test_what_passes_the_prefilter_is_found(
    tmp_path_factory, sql: str, style: str, cut: int, anywhere: bool
) -> None:  # type: ignore[no-untyped-def]
    folder: Path = tmp_path_factory.mktemp("m")
    path = folder / "m.py"
    path.write_text(_python(sql, style, cut, anywhere))
    fragments, _ = extracted({"m.py": path}, {"m.py": path.read_text()})
    statements = statements_of(fragments)
    assert statements, path.read_text()
    assert statements[0].sql.split()[0].upper() == sql.split()[0].upper()


def test_files_without_ddl_are_skipped() -> None:
    prose = textwrap.dedent('''
        """Create a table of contents, then drop the index card."""
        def create_table_widget(table): return table.drop(index=True)
        TABLE_NAME = "users"
    ''').encode()
    assert not may_hold_ddl(prose)


@pytest.mark.parametrize(
    ("source", "holds"),
    [
        ("# CREATE TABLE t (x)\nX = 1\n", False),
        ('"""CREATE TABLE t (x)"""\n', False),
        ('def f():\n    """Create table of contents."""\n    return 1\n', False),
        ("class C:\n    # Whether ALTER TABLE needs an action\n    FLAG = True\n", False),
        (
            'X = "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"  # CREATE TABLE t (x)\n',
            False,
        ),
        ('SQL = "CREATE TABLE t (x)"\n', True),
        ('SQL = b"CREATE TABLE t (x)"\n', True),
        ('create = "CREATE "\nSQL = create + "TABLE t (x)"\n', True),
        ('SQL = f"CREATE {kind} TABLE t (x)"\n', True),
        ('def f():\n    """Docs."""\n    return "DROP TABLE t"\n', True),
    ],
)
def test_only_a_shape_reaching_into_a_string_makes_a_ddl_module(source: str, holds: bool) -> None:
    """Modules whose DDL words are only in comments or docstrings are not extracted."""
    summary, _ = summarize(source, "m.py")
    assert summary is not None
    assert summary.holds_ddl is holds

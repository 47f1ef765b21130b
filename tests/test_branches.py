"""Which engine a branch of Python code runs on, read from the ``if`` tests around it."""

from __future__ import annotations

import libcst as cst
import pytest

from schemadoc.pyeval.branches import engine_labels


def engines(source: str) -> dict[str, str | None]:
    """The engine of each ``run("...")`` call of a function, by its argument."""
    fn = cst.parse_module(source).body[0]
    assert isinstance(fn, cst.FunctionDef)
    labels = engine_labels(fn.body)
    out: dict[str, str | None] = {}
    for node in _lines(fn.body):
        call = node.body[0].value
        out[call.args[0].value.evaluated_value] = labels.get(id(node))
    return out


def _lines(node: cst.CSTNode) -> list[cst.SimpleStatementLine]:
    found = []
    for child in node.children:
        if isinstance(child, cst.SimpleStatementLine) and isinstance(child.body[0], cst.Expr):
            found.append(child)
        else:
            found.extend(_lines(child))
    return found


@pytest.mark.parametrize(
    ("test", "body", "orelse"),
    [
        ("isinstance(engine, PostgresEngine)", "PostgresEngine", None),
        ("not isinstance(engine, PostgresEngine)", None, "PostgresEngine"),
        ("scheme == Scheme.SQLITE", "sqlite", "non-sqlite"),
        ("scheme != Scheme.SQLITE", "non-sqlite", "sqlite"),
        ("scheme is not Scheme.SQLITE", "non-sqlite", "sqlite"),
        ("scheme not in (Scheme.POSTGRES, Scheme.COCKROACH)", None, "COCKROACH"),
        ('"mysql" in url', "mysql", None),
        ("sqlite3.sqlite_version_info >= (3, 35)", None, None),  # a feature test
        ("is_sqlite and isinstance(engine, PostgresEngine)", None, None),
        ("scheme in (Scheme.SQLITE, Scheme.POSTGRES)", None, None),  # both
        ("cache_enabled", None, None),
    ],
)
def test_the_test_names_the_engine_of_each_branch(
    test: str, body: str | None, orelse: str | None
) -> None:
    source = f'def f():\n    if {test}:\n        run("body")\n    else:\n        run("else")\n'
    assert engines(source) == {"body": body, "else": orelse}


def test_elif_has_its_own_test_within_the_alternative() -> None:
    source = (
        "def f():\n"
        "    if isinstance(engine, PostgresEngine):\n"
        '        run("pg")\n'
        "    elif isinstance(engine, Sqlite3Engine):\n"
        '        run("lite")\n'
        "    else:\n"
        '        run("other")\n'
        "    if engine == 'sqlite':\n"
        '        run("lite2")\n'
        "    elif fast:\n"
        '        run("not lite")\n'
    )
    assert engines(source) == {
        "pg": "PostgresEngine",
        "lite": "sqlite",
        "other": "non-sqlite",  # neither PostgreSQL nor SQLite
        "lite2": "sqlite",
        "not lite": "non-sqlite",
    }


def test_a_guard_clause_labels_the_rest_of_its_block() -> None:
    source = (
        "def f():\n"
        '    run("before")\n'
        "    for step in steps:\n"
        "        if scheme == Scheme.SQLITE:\n"
        "            continue\n"
        '        run("in loop")\n'
        '    run("after loop")\n'
        "    if not isinstance(engine, PostgresEngine):\n"
        "        return\n"
        '    run("pg")\n'
        "    with conn:\n"
        '        run("pg nested")\n'
    )
    assert engines(source) == {
        "before": None,
        "in loop": "non-sqlite",
        "after loop": None,
        "pg": "PostgresEngine",
        "pg nested": "PostgresEngine",
    }


def test_an_outer_branch_decides_for_the_inner_ones() -> None:
    source = (
        "def f():\n"
        "    if isinstance(engine, PostgresEngine):\n"
        "        if scheme == Scheme.SQLITE:\n"
        '            run("odd")\n'
        "        try:\n"
        '            run("pg try")\n'
        "        except Error:\n"
        '            run("pg except")\n'
    )
    assert engines(source) == {
        "odd": "PostgresEngine",
        "pg try": "PostgresEngine",
        "pg except": "PostgresEngine",
    }

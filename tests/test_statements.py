"""Splitting scripts into statements and table bodies into definitions; reading the names
and the other-engine signs of a statement."""

from __future__ import annotations

from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from schemadoc.sql import heads, statements
from schemadoc.sql.heads import (
    foreign_dialect,
    named_by_tokens,
    object_names,
    qualified_by_tokens,
    qualifier,
)
from schemadoc.sql.statements import (
    split_statements,
    split_table_body,
    split_templated,
    statements_by_tokens,
    table_body_by_tokens,
)


def texts(sql: str) -> list[str]:
    return [s.text for s in split_statements(sql)]


def test_semicolons_in_strings_comments_and_identifiers_do_not_split() -> None:
    sql = (
        "CREATE TABLE a (x TEXT DEFAULT 'a;b'); -- c;d\n"
        'CREATE TABLE "b;c" (y /* ; */ INT);'
        "CREATE TABLE [d;e] (z);"
    )
    assert texts(sql) == [
        "CREATE TABLE a (x TEXT DEFAULT 'a;b')",
        'CREATE TABLE "b;c" (y /* ; */ INT)',
        "CREATE TABLE [d;e] (z)",
    ]


def test_trigger_bodies_stay_whole() -> None:
    sql = (
        "CREATE TRIGGER t AFTER INSERT ON a BEGIN\n"
        "  UPDATE a SET x = 1; DELETE FROM b;\n"
        "END;\n"
        "CREATE INDEX i ON a (x);"
    )
    got = texts(sql)
    assert len(got) == 2
    assert got[0].endswith("END")
    assert got[1] == "CREATE INDEX i ON a (x)"


def test_offsets_and_leading_comments() -> None:
    sql = "\n  -- the users\n  CREATE TABLE u (a);\n\nCREATE TABLE v (b)"
    first, second = split_statements(sql)
    assert sql[first.offset :].startswith("CREATE TABLE u")
    assert first.description == "the users"
    assert second.description is None
    assert second.text == "CREATE TABLE v (b)"


def test_unterminated_string_runs_to_the_end() -> None:
    assert texts("CREATE TABLE a (x DEFAULT 'oops); CREATE TABLE b (y);") == [
        "CREATE TABLE a (x DEFAULT 'oops); CREATE TABLE b (y);"
    ]


def test_table_body_comments_belong_to_their_columns() -> None:
    body = split_table_body(
        "CREATE TABLE t ( -- about t\n"
        "  -- the key\n"
        "  id INTEGER PRIMARY KEY,\n"
        "  name TEXT NOT NULL, -- shown to users\n"
        "  /* block */ note TEXT,\n"
        "  CHECK (length(name) > 0)\n"
        ")"
    )
    assert body is not None
    assert [c for c in body.head_comments] == ["-- about t"]
    assert [(d.text.split()[0], d.description) for d in body.definitions] == [
        ("id", "the key"),
        ("name", "shown to users"),
        ("note", "block"),
        ("CHECK", None),
    ]


def test_placeholders_become_quoted_identifiers() -> None:
    text = "CREATE TABLE {t} (a INT); CREATE INDEX ix_{t} ON {t} (a DEFAULT '{t}')"
    spans = [(i, i + 3) for i in range(len(text)) if text.startswith("{t}", i)]
    first, second = split_templated(text, spans)
    assert first.sql == 'CREATE TABLE "{t}" (a INT)'
    assert first.placeholders == ("{t}",)
    # Inside a name the whole name is quoted; inside a string literal nothing changes.
    assert second.sql == 'CREATE INDEX "ix_{t}" ON "{t}" (a DEFAULT \'{t}\')'


def test_object_names_read_plain_heads_and_the_rest_token_by_token() -> None:
    assert object_names("CREATE TABLE IF NOT EXISTS users (id)") == ("users", None)
    assert object_names("create temp view v AS SELECT 1") == ("v", None)
    assert object_names("ALTER TABLE t RENAME TO u") == ("t", None)
    assert object_names("DROP TABLE IF EXISTS old;") == ("old", None)
    assert object_names("CREATE TABLE main.t (x)") == ("t", None)
    assert object_names("CREATE TABLE /* c */ t (x)") == ("t", None)
    assert object_names('CREATE TABLE "my table" (x)') == ("my table", None)
    assert object_names("CREATE TABLE if (x)") == ("(", None)  # ``IF`` is never a name
    assert object_names("CREATE TABLE x --c\n.y (z)") == ("y", None)
    assert object_names("CREATE INDEX i ON main.t (x)") == ("i", "t")
    assert qualifier("CREATE TABLE IF NOT EXISTS mem.cache (x)") == "mem"
    assert qualifier("CREATE TABLE cache (x)") is None
    assert object_names("CREATE INDEX IF NOT EXISTS ix ON t (x)") == ("ix", "t")
    assert object_names("CREATE TRIGGER tr AFTER UPDATE ON t BEGIN SELECT 1; END") == ("tr", "t")
    assert object_names("CREATE TRIGGER tr AFTER UPDATE OF a ON t BEGIN SELECT 1; END") == (
        "tr",
        "t",
    )


_HEAD_WORDS = st.sampled_from(
    [
        "CREATE",
        "create",
        "DROP",
        "ALTER",
        "TEMP",
        "VIRTUAL",
        "UNIQUE",
        "TABLE",
        "table",
        "VIEW",
        "INDEX",
        "TRIGGER",
        "AFTER",
        "INSTEAD",
        "OF",
        "UPDATE",
        "INSERT",
        "BEGIN",
        "IF",
        "if",
        "NOT",
        "EXISTS",
        "x",
        "t1",
        "IF$x",
        "a$b",
        "_",
        "ON",
        "AS",
        "USING",
        "main",
        ".",
        "(",
        ")",
        ";",
        "/*c*/",
        "--c\n",
        '"q"',
        "[b]",
        "`c`",
        "'s'",
        "\u00e9",
        "\u017f",
        "\u0131",
        "\u00a0",
    ]
)


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(
        [
            "",
            "CREATE TABLE ",
            "DROP TABLE IF EXISTS ",
            "CREATE TEMP VIEW ",
            "CREATE UNIQUE INDEX IF NOT EXISTS ",
            "CREATE TRIGGER ",
        ]
    ),
    st.lists(st.tuples(_HEAD_WORDS, st.sampled_from(["", " ", "\t", "\n"])), max_size=8),
)
def test_plain_heads_name_what_the_token_reading_names(start: str, parts: list) -> None:
    sql = start + "".join(word + space for word, space in parts)
    assert object_names(sql) == named_by_tokens(sql)
    assert qualifier(sql) == qualified_by_tokens(sql)


_SIGN_WORDS = st.sampled_from(
    [
        "::",
        "int",
        "SERIAL",
        "bigserial",
        "ENGINE",
        "=",
        "AUTO_INCREMENT",
        "ALTER",
        "COLUMN",
        "CHARACTER",
        "SET",
        "DEFAULT",
        "CHARSET",
        "USING",
        "gin",
        "ON",
        "t",
        "(",
        ")",
        ";",
        ",",
        "CONCURRENTLY",
        "UPDATE",
        "CURRENT_TIMESTAMP",
        "CREATE",
        "OR",
        "REPLACE",
        "GENERATED",
        "ALWAYS",
        "BY",
        "AS",
        "IDENTITY",
        "ADD",
        "CONSTRAINT",
        "UNSIGNED",
        "BIG",
        "INCLUDE",
        "TABLESPACE",
        "NVARCHAR",
        "MAX",
        "PRIMARY",
        "KEY",
        "\u017ferial",
        "\u0131dentity",
    ]
)


def test_every_sign_of_another_engine_is_found_alone() -> None:
    statements = [
        "SELECT a::text",
        "CREATE TABLE t (id BIGSERIAL PRIMARY KEY)",
        "CREATE TABLE t (x) ENGINE=InnoDB",
        "CREATE TABLE t (id INTEGER AUTO_INCREMENT)",
        "ALTER TABLE t ALTER COLUMN x TYPE text",
        "CREATE TABLE t (x TEXT CHARACTER SET utf8)",
        "CREATE TABLE t (x) DEFAULT CHARSET=utf8",
        "CREATE INDEX i ON t USING gin (x)",
        "CREATE INDEX i ON t USING hnsw (x)",
        "CREATE INDEX CONCURRENTLY i ON t (x)",
        "CREATE TABLE t (x TIMESTAMP ON UPDATE CURRENT_TIMESTAMP)",
        "CREATE OR REPLACE VIEW v AS SELECT 1",
        "CREATE TABLE t (id INT GENERATED ALWAYS AS IDENTITY)",
        "ADD CONSTRAINT c UNIQUE (x)",
        "CREATE TABLE t (x INT UNSIGNED)",
        "CREATE INDEX i ON t (x) INCLUDE (y)",
        "CREATE TABLE t (x) TABLESPACE fast",
        "CREATE TABLE t (id INT IDENTITY(1, 1))",
        "CREATE TABLE t (x NVARCHAR(MAX))",
        "CREATE TABLE t (x) USING heap",
    ]
    assert [s for s in statements if foreign_dialect(s) is None] == []


@settings(max_examples=400, deadline=None)
@given(st.lists(_SIGN_WORDS, min_size=1, max_size=8))
def test_statements_without_a_sign_word_are_not_searched_yet_found_alike(words: list) -> None:
    """An ASCII statement holding no part of a sign is not searched: what is found is what
    searching every statement finds."""
    sql = " ".join(words)
    with mock.patch.object(heads, "_FOREIGN_PARTS", ("",)):  # every statement searched
        searched = foreign_dialect(sql)
    assert foreign_dialect(sql) == searched


_BODY_PARTS = st.sampled_from(
    [
        "CREATE TABLE t ",
        "(",
        ")",
        ",",
        " ",
        "\n",
        "id INTEGER",
        "CHECK (x > 0)",
        "DEFAULT (1)",
        "x",
        "AS SELECT 1",
        "\xa0",
        "\x1c",
        "'a,b'",
        '"c)"',
        "-- n\n",
        "/* m */",
        "[d]",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_BODY_PARTS, max_size=14))
def test_table_bodies_without_quotes_or_comments_split_as_token_by_token(parts: list) -> None:
    sql = "".join(parts)
    assert split_table_body(sql) == table_body_by_tokens(sql)


_SCRIPT_PARTS = st.sampled_from(
    [
        ";",
        " ",
        "\n",
        "CREATE TABLE t (x)",
        "DROP TABLE t",
        "CREATE TRIGGER r AFTER INSERT ON t BEGIN",
        "END",
        "x",
        "'a;b'",
        "-- c;\n",
        "/* ; */",
        "\x1c",
        "\xa0",
        "[d;]",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_SCRIPT_PARTS, max_size=14))
def test_scripts_without_quotes_comments_or_triggers_split_as_token_by_token(parts: list) -> None:
    sql = "".join(parts)
    assert split_statements(sql) == statements_by_tokens(sql)


_PIECE_PARTS = st.sampled_from(
    [
        ";",
        ",",
        "(",
        ")",
        " ",
        "  ",
        "\n",
        "\t",
        "\xa0",
        "CREATE TABLE t",
        "CREATE TRIGGER r AFTER INSERT ON t BEGIN",
        "END",
        "id INTEGER NOT NULL",
        "x.y",
        "a-b",
        "-",
        "/",
        "*",
        "a/b",
        "]",
        "$1",
        "é",
        "'",
        "'a;b'",
        "''",
        '"c,)"',
        "`e`",
        "[d;]",
        "[",
        "-- c;\n",
        "--",
        "/* ; */",
        "/*",
        "*/",
    ]
)


@settings(max_examples=800, deadline=None)
@given(st.lists(_PIECE_PARTS, max_size=16))
def test_splitting_by_pieces_is_splitting_token_by_token(parts: list) -> None:
    """The splitters read a run of words, operators and spaces as one piece; with every
    token apart they split the same."""
    sql = "".join(parts)
    by_pieces = statements_by_tokens(sql), table_body_by_tokens(sql)
    with mock.patch.object(statements, "pieces", statements.tokens):
        assert (statements_by_tokens(sql), table_body_by_tokens(sql)) == by_pieces

"""Splitting scripts into statements and table bodies into definitions."""

from __future__ import annotations

from schemadoc.sql.statements import split_statements, split_table_body, split_templated


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

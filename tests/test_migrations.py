"""Down migrations in .sql files are not applied; the up part keeps its lines and columns."""

from __future__ import annotations

from pathlib import Path

import pytest
from scanned import run, survived

from schemadoc.sql.migrations import up_part

DBMATE = """-- migrate:up
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);

-- migrate:down
DROP TABLE users;
"""


def test_a_down_section_is_blank_and_the_rest_keeps_its_place() -> None:
    up, note = up_part(DBMATE, "db/migrations/20240101_users.sql")
    assert up.splitlines()[:3] == DBMATE.splitlines()[:3]
    assert up.splitlines()[4].strip() == ""
    assert len(up) == len(DBMATE) and up.count("\n") == DBMATE.count("\n")
    assert note is not None
    assert (note.code, note.severity, note.line) == ("SD306", "note", 4)


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("-- +goose Up\nCREATE TABLE a (x);\n-- +goose Down\nDROP TABLE a;\n", ["CREATE TABLE a"]),
        (
            "-- +migrate Up\nCREATE TABLE a (x);\n-- +migrate Down\nDROP TABLE a;\n"
            "-- +migrate Up\nCREATE TABLE b (y);\n",
            ["CREATE TABLE a", "CREATE TABLE b"],
        ),
        (
            "-- migrate:up transaction:false\nCREATE TABLE a (x);\n"
            "-- migrate:down transaction:false\nDROP TABLE a;\n",
            ["CREATE TABLE a"],
        ),
    ],
)
def test_markers_of_each_tool(text: str, kept: list[str]) -> None:
    up, _ = up_part(text, "m.sql")
    assert [line.split(" (")[0] for line in up.splitlines() if line.strip()] == [
        line.split(" (")[0] for line in text.splitlines() if line.startswith(("--", *kept))
    ]


@pytest.mark.parametrize(
    ("name", "down"),
    [
        ("0002_posts.down.sql", True),
        ("down.sql", True),
        ("0003-rollback.sql", True),
        ("0002_posts.up.sql", False),
        ("countdown.sql", False),
    ],
)
def test_a_file_named_as_a_down_migration_is_left_out(name: str, down: bool) -> None:
    text = "DROP TABLE posts;\n"
    up, note = up_part(text, f"migrations/{name}")
    assert (up.strip() == "") is down
    assert (note is not None) is down


def test_down_migrations_are_not_applied(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        {
            "db/migrations/20240101_users.sql": DBMATE,
            "db/migrations/0002_posts.up.sql": "CREATE TABLE posts (id INTEGER PRIMARY KEY);\n",
            "db/migrations/0002_posts.down.sql": "DROP TABLE posts;\n",
        },
    )
    assert [t.name for t in result.schema.tables] == ["posts", "survivor", "users"]
    notes = sorted((d.path, d.line) for d in result.diagnostics if d.code == "SD306")
    assert notes == [
        ("db/migrations/0002_posts.down.sql", 1),
        ("db/migrations/20240101_users.sql", 4),
    ]
    assert [d.code for d in result.diagnostics if d.code != "SD306"] == []
    assert survived(result)


def test_a_sql_template_has_placeholders_for_its_fields(tmp_path: Path) -> None:
    """A ``.sql`` file read by code that fills ``{name}`` fields (``SQL.format(...)``)."""
    steps = """CREATE TEMP TABLE temp_split (depth INTEGER, name TEXT);
INSERT INTO temp_split VALUES ('{path}', 1);
CREATE TEMP TABLE temp_steps AS
SELECT nodes.id, nodes.name FROM nodes WHERE nodes.pid == {root};
CREATE TABLE {prefix}_log (line TEXT);
"""
    init = "CREATE TABLE nodes (id INTEGER PRIMARY KEY, pid INTEGER, name TEXT);\n"
    result = run(tmp_path, {"sql/init.sql": init, "sql/steps.sql": steps})
    steps_table = result.schema.table("temp_steps")
    assert steps_table is not None and steps_table.temporary
    assert [c.name for c in steps_table.columns] == ["id", "name"]
    log = result.schema.table("{prefix}_log")
    assert log is not None and [c.name for c in log.columns] == ["line"]
    warned = sorted((d.code, d.line, d.column, d.message) for d in result.diagnostics)
    lines = steps.splitlines()
    assert warned == [
        (
            "SD103",
            4,
            lines[3].index("{root}"),
            "cannot resolve {root} statically; a placeholder stands for it",
        ),
        (
            "SD103",
            5,
            lines[4].index("{prefix}"),
            "cannot resolve {prefix} statically; a placeholder stands for it",
        ),
    ]
    assert survived(result)

"""Down migrations in .sql files are not applied; the up part keeps its lines and columns."""

from __future__ import annotations

from pathlib import Path

import pytest
from scanned import run, survived

from schemadoc.migrations import up_part

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

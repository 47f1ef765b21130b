"""--split DIR: an index plus one document per table, safe names, links, stale files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from projects import small_project

from schemadoc.cli import main
from schemadoc.output.per_table import INDEX, MARK, file_names

DDL = '''
import sqlite3

def setup(conn: sqlite3.Connection) -> None:
    conn.executescript("""
    -- People who log in.
    CREATE TABLE "Users" (id INTEGER PRIMARY KEY, name TEXT);
    CREATE TABLE "a/b" (id INTEGER PRIMARY KEY, owner INTEGER REFERENCES "Users"(id));
    CREATE TABLE "my table" (id INTEGER PRIMARY KEY, ab INTEGER REFERENCES "a/b"(id));
    CREATE TABLE "we""ird" (id INTEGER PRIMARY KEY);
    CREATE TABLE README (id INTEGER PRIMARY KEY);
    CREATE TABLE orders (id INTEGER PRIMARY KEY, buyer INTEGER REFERENCES "Users"(id));
    """)
'''
LINK = re.compile(r"\]\(([^)\s]+)\)")
SAFE = re.compile(r"[a-z0-9_]+(-[0-9a-f]{10})?\.md\Z")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return small_project(tmp_path, monkeypatch, 'split = "docs/schema"\ntitle = "Shop"\n', DDL)


def _docs(project: Path) -> dict[str, str]:
    folder = project / "docs" / "schema"
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.iterdir())}


def test_index_and_one_document_per_table(project: Path) -> None:
    assert main(["generate"]) == 0
    docs = _docs(project)
    names = file_names(["Users", "a/b", "my table", 'we"ird', "README", "orders"])
    assert sorted(docs) == sorted([INDEX, *names.values()])
    assert names["orders"] == "orders.md"
    assert all(SAFE.match(n) for n in names.values())
    assert all(text.startswith(MARK + "\n") for text in docs.values())
    index = docs[INDEX]
    assert "# Shop\n" in index
    assert f"| [`Users`]({names['Users']}) | 2 | People who log in. |" in index
    weird = names['we"ird']
    assert f'| [`we"ird`]({weird}) | 1 | - |' in index
    assert "```mermaid\nerDiagram\n" in index
    users = docs[names["Users"]]
    assert users.startswith(f"{MARK}\n[Shop](README.md) / `Users`\n")
    assert "\n# `Users`\n" in users and "\n## Columns\n" in users
    assert f"- [`a/b`]({names['a/b']})" in users and f"- [`orders`]({names['orders']})" in users
    assert "[Back to all tables](README.md)" in users
    assert main(["check"]) == 0


def test_excerpt_draws_the_table_and_its_neighbours(project: Path) -> None:
    assert main(["generate"]) == 0
    names = file_names(["a/b"])
    diagram = _docs(project)[names["a/b"]].split("```mermaid\n", 1)[1].split("```")[0]
    assert "Users {" in diagram and '["a/b"] {' in diagram and '["my table"] {' in diagram
    assert "orders" not in diagram and "README" not in diagram
    lonely = _docs(project)[file_names(["README"])["README"]].split("```mermaid\n")[1]
    assert lonely.startswith("erDiagram\n    README {\n") and "||" not in lonely


def test_every_relative_link_points_at_a_file(project: Path) -> None:
    assert main(["generate"]) == 0
    folder = project / "docs" / "schema"
    seen = 0
    for path in folder.iterdir():
        for target in LINK.findall(path.read_text(encoding="utf-8")):
            if "://" in target or target.startswith("#"):
                continue
            assert (folder / target.split("#")[0]).is_file(), (path.name, target)
            seen += 1
    assert seen >= 6 + 6 * 2  # index -> each table; each table -> index twice; neighbours


def test_file_names_are_safe_and_unique_ignoring_case() -> None:
    names = [
        "users",
        "Users",
        "USERS",
        "a/b",
        "a b",
        "a_b",
        "a-b",
        "../etc",
        "..",
        ".",
        "",
        'q"uote',
        "it's",
        "README",
        "readme",
        "con",
        "Con",
        "x" * 300,
        "élan",
        "ÉLAN",
        "table",
        "a\\b",
        "a:b",
        "nul.txt",
    ]
    files = file_names(names)
    assert len({f.lower() for f in files.values()}) == len(names)
    assert all(SAFE.match(f) and len(f) < 80 for f in files.values())
    assert INDEX.lower() not in {f.lower() for f in files.values()}
    assert files["users"] == "users.md" and files["Users"] != "users.md"
    assert file_names(["Users"]) == {"Users": files["Users"]}  # independent of the others


def test_stale_and_missing_files(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate"]) == 0
    folder = project / "docs" / "schema"
    notes = folder / "notes.md"
    notes.write_text("my own notes\n")
    lookalike = folder / "gone.md"
    lookalike.write_text("not generated\n")
    (project / "app" / "db.py").write_text(
        DDL.replace(
            'CREATE TABLE orders (id INTEGER PRIMARY KEY, buyer INTEGER REFERENCES "Users"(id));',
            "",
        )
    )
    capsys.readouterr()
    assert main(["check"]) == 1
    err = capsys.readouterr().err
    assert "docs/schema/orders.md is stale: its table no longer exists" in err
    assert "docs/schema/README.md is stale" in err
    assert (folder / "orders.md").exists()  # check never writes

    assert main(["generate"]) == 0
    assert "removed docs/schema/orders.md" in capsys.readouterr().err
    assert not (folder / "orders.md").exists()
    assert notes.read_text() == "my own notes\n" and lookalike.exists()
    assert main(["check"]) == 0

    (folder / file_names(["my table"])["my table"]).unlink()
    capsys.readouterr()
    assert main(["check"]) == 1
    captured = capsys.readouterr()
    assert "is missing" in captured.err and "+++ b/docs/schema/my_table-" in captured.out
    assert main(["generate"]) == 0
    assert main(["check"]) == 0


def test_a_foreign_file_in_the_way_is_an_error(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = project / "docs" / "schema"
    folder.mkdir(parents=True)
    (folder / INDEX).write_text("# My hand-written index\n")
    for command in ("generate", "check"):
        assert main([command]) == 2
        assert "docs/schema/README.md exists and was not written by schemadoc" in (
            capsys.readouterr().err
        )
    assert (folder / INDEX).read_text() == "# My hand-written index\n"
    assert [p.name for p in folder.iterdir()] == [INDEX]


def test_split_on_the_command_line_only(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.schemadoc]\npaths = ["app"]\noutput = "schema.md"\n'
    )
    assert main(["generate", "--split", "out"]) == 0
    assert (project / "out" / INDEX).exists() and not (project / "schema.md").exists()
    assert main(["check", "--split", "out"]) == 0
    assert main(["check"]) == 1  # schema.md is missing


def test_split_without_a_folder_needs_config(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "pyproject.toml").write_text('[tool.schemadoc]\npaths = ["app"]\n')
    assert main(["generate", "--split"]) == 2
    assert "--split without a value needs split in [tool.schemadoc]" in capsys.readouterr().err


def test_the_index_of_a_large_schema_has_an_overview_and_group_diagrams(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small_project(tmp_path, monkeypatch, 'split = "docs/schema"\ndiagram_max_tables = 3\n', DDL)
    assert main(["generate"]) == 0
    index = (tmp_path / "docs" / "schema" / INDEX).read_text(encoding="utf-8")
    assert "### Overview" in index
    assert index.count("```mermaid") >= 3  # the overview, then the groups
    assert "too many for one diagram" in index

"""Several databases stay apart: [tool.schemadoc.databases.NAME] and attached databases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from schemadoc.cli import main
from schemadoc.config import ConfigError, load

MAIN = '''SCHEMA = """
CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
"""
'''
CACHE = '''SCHEMA = """
CREATE TABLE entries (id INTEGER PRIMARY KEY, user_id INTEGER, body BLOB);
CREATE TABLE meta (k TEXT PRIMARY KEY, v BLOB, expires INTEGER);
"""
'''
ATTACHED = 'TEMP = "CREATE TABLE IF NOT EXISTS mem.scratch (hash_id INTEGER)"\n'


def project(root: Path, monkeypatch: pytest.MonkeyPatch, settings: str) -> Path:
    (root / "app" / "cache").mkdir(parents=True)
    (root / "app" / "db.py").write_text(MAIN)
    (root / "app" / "cache" / "store.py").write_text(CACHE)
    (root / "app" / "jobs.py").write_text(ATTACHED)
    (root / "pyproject.toml").write_text("[tool.schemadoc.databases.cache]\n" + settings)
    monkeypatch.chdir(root)
    return root


def headings(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("#")]


def test_each_database_is_verified_and_documented_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two ``meta`` tables in two databases are no conflict; a relation is never inferred
    from one database to another; each database is a section with its own diagram, the
    configured one first, then the one the DDL attaches."""
    project(tmp_path, monkeypatch, 'paths = ["app/cache"]\ntitle = "Cache database"\n')
    assert main(["generate", "--output", "schema.json", "--format", "json"]) == 0
    data = json.loads((tmp_path / "schema.json").read_text())
    assert [(t["name"], t.get("database")) for t in data["tables"]] == [
        ("meta", None),
        ("users", None),
        ("entries", "cache"),
        ("meta", "cache"),
        ("scratch", "mem"),
    ]
    assert data["relations"] == [] and data["diagnostics"] == []
    assert main(["generate", "--output", "schema.md"]) == 0
    text = (tmp_path / "schema.md").read_text()
    assert headings(text)[0] == "# Database Schema Documentation"
    sections = [h for h in headings(text) if h.startswith("## ")]
    assert sections == [
        "## Overview",
        "## Tables",
        "## Mermaid ER Diagram",
        "## Cache database",
        "## Database `mem`",
    ]
    cache = text[text.index("## Cache database") : text.index("## Database `mem`")]
    assert "#### `entries`" in cache and "#### `meta`" in cache and "`users`" not in cache
    assert cache.count("```mermaid") == 1 and "Auto-generated" not in cache
    assert text.count("Auto-generated documentation") == 1


def test_a_database_with_a_document_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project(tmp_path, monkeypatch, 'paths = ["app/cache/*.py"]\noutput = "docs/cache.md"\n')
    assert main(["generate", "--output", "docs/main.md"]) == 0
    own = (tmp_path / "docs" / "cache.md").read_text()
    assert headings(own)[0] == "# Database `cache`"
    assert "### `entries`" in own and "### `meta`" in own and "`users`" not in own
    main_doc = (tmp_path / "docs" / "main.md").read_text()
    assert "`entries`" not in main_doc and "## Database `mem`" in main_doc
    assert main(["check", "--output", "docs/main.md"]) == 0
    (tmp_path / "app" / "cache" / "store.py").write_text(CACHE.replace("body BLOB", "data BLOB"))
    capsys.readouterr()
    assert main(["check", "--output", "docs/main.md"]) == 1
    assert "docs/cache.md is stale" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ('paths = ["app"]\nwhere = 1\n', "unknown key(s) where"),
        ("title = 'x'\n", "paths must be a non-empty list"),
        ("paths = []\n", "paths must be a non-empty list"),
        ('paths = ["a"]\ntitle = 3\n', "title must be a str"),
    ],
)
def test_database_settings_are_checked(tmp_path: Path, settings: str, message: str) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.schemadoc.databases.cache]\n" + settings)
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load(cwd=tmp_path)


@pytest.mark.parametrize("name", ["main", "temp", "a-b", "x.y"])
def test_a_database_name_is_a_plain_word(tmp_path: Path, name: str) -> None:
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.schemadoc.databases."{name}"]\npaths = ["app"]\n'
    )
    with pytest.raises(ConfigError, match="plain word"):
        load(cwd=tmp_path)


def test_a_database_output_is_confined(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project(tmp_path, monkeypatch, 'paths = ["app/cache"]\noutput = "../outside.md"\n')
    assert main(["generate", "--output", "docs/main.md"]) == 2
    assert not (tmp_path.parent / "outside.md").exists()

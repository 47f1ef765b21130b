"""Shapes real repositories build their schema with, each written from the shape."""

from __future__ import annotations

from pathlib import Path

from scanned import run, survived

from schemadoc.api import Result


def sources(result: Result) -> dict[str, tuple[str, int]]:
    """Each index and table documented, with the file and line its statement starts on."""
    out = {}
    for table in result.schema.tables:
        out[table.name] = (table.source.path, table.source.line)
        for index in table.indexes:
            out[index.name] = (index.source.path, index.source.line)
    return out


def codes(result: Result) -> list[str]:
    return [d.code for d in result.diagnostics]


SPLIT = '''\
def create(db):
    db.execute("CREATE TABLE feed (id INTEGER PRIMARY KEY, url TEXT, title TEXT)")
    INDEXES = """
    CREATE UNIQUE INDEX feed_url ON feed (url)
    CREATE INDEX feed_title ON feed (title)
    """
    for sql in INDEXES.strip().split("\\n"):
        db.execute(sql)
    INDEXES = """
    CREATE INDEX feed_both ON feed (url, title)
    """
    for sql in INDEXES.splitlines():
        db.execute(sql)
    for sql in "CREATE INDEX a ON feed (id, url); CREATE INDEX b ON feed (id, title)".split(";"):
        db.execute(sql)
'''


def test_statements_the_code_splits_into_lines_or_at_semicolons(tmp_path: Path) -> None:
    """One statement per line, run by ``SQL.strip().split("\\n")`` or ``.splitlines()``, or
    several split at ``;``: each is documented where it is written, none is an error."""
    result = run(tmp_path, {"db.py": SPLIT})
    assert codes(result) == []
    assert sources(result) == {
        "feed": ("db.py", 2),
        "feed_url": ("db.py", 4),
        "feed_title": ("db.py", 5),
        "feed_both": ("db.py", 10),
        "a": ("db.py", 14),
        "b": ("db.py", 14),
        "survivor": ("zz_good.py", 3),
    }
    feed = result.schema.table("feed")
    assert feed is not None
    unique = {ix.name: ix.unique for ix in feed.indexes}
    assert unique == {
        "feed_url": True,
        "feed_title": False,
        "feed_both": False,
        "a": False,
        "b": False,
    }
    assert survived(result)


PRODUCTION = """\
TABLE = "pages"


def create(db, table=TABLE):
    db.execute(f"CREATE TABLE IF NOT EXISTS {table} (id INTEGER PRIMARY KEY, title TEXT)")
    db.execute("CREATE TABLE links (source INTEGER, target INTEGER)")
"""

TEST = """\
from zpkg.store import create


def test_create(db):
    db.execute("CREATE TABLE links (id INTEGER PRIMARY KEY, href TEXT)")
    create(db, table="scratch_pages")
    db.execute("DROP TABLE pages")
"""


def test_included_test_code_never_wins(tmp_path: Path) -> None:
    """With tests included, a test's definition of a table, a value a test passes at a call
    site, and a test's DROP never replace what production code creates, even where the test
    file comes first in path order."""
    from schemadoc.api import scan
    from schemadoc.config import Settings

    files = {"zpkg/__init__.py": "", "zpkg/store.py": PRODUCTION, "tests/test_store.py": TEST}
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    result = scan([tmp_path], Settings(root=str(tmp_path), include_tests=True))
    links = result.schema.table("links")
    assert links is not None
    assert [c.name for c in links.columns] == ["source", "target"]
    assert (links.source.path, links.source.line) == ("zpkg/store.py", 6)
    pages = result.schema.table("pages")
    assert pages is not None and [c.name for c in pages.columns] == ["id", "title"]
    assert result.schema.table("scratch_pages") is None
    conflict = [d for d in result.diagnostics if d.code == "SD301"]
    assert [(d.path, d.line) for d in conflict] == [("tests/test_store.py", 5)]


APPENDED = '''\
def create(db, fts=False, archive=True):
    stmt = """CREATE TABLE entries (
        id INTEGER PRIMARY KEY,
        title TEXT"""
    if fts:
        stmt += ", body TEXT"
    else:
        stmt += ", summary TEXT"
    stmt += ", created INTEGER"
    stmt += ")"
    db.execute(stmt)
    if archive:
        sql = "CREATE TABLE archive (id INTEGER PRIMARY KEY"
        sql += ", moved INTEGER"
        sql += ")"
        db.execute(sql)
'''


def test_a_statement_built_by_appends_under_conditions(tmp_path: Path) -> None:
    """``stmt = "CREATE TABLE t (..."``, ``if cond: stmt += ", col T"``, ``stmt += ")"``:
    the table is documented whole, each conditional column noted as conditional."""
    result = run(tmp_path, {"db.py": APPENDED})
    assert codes(result) == []
    entries = result.schema.table("entries")
    assert entries is not None
    assert [(c.name, c.type, c.description) for c in entries.columns] == [
        ("id", "INTEGER", None),
        ("title", "TEXT", None),
        ("body", "TEXT", "only when fts"),
        ("summary", "TEXT", "only when not (fts)"),
        ("created", "INTEGER", None),
    ]
    assert (entries.source.path, entries.source.line) == ("db.py", 2)
    archive = result.schema.table("archive")
    assert archive is not None
    assert [(c.name, c.description) for c in archive.columns] == [("id", None), ("moved", None)]

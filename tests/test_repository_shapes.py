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

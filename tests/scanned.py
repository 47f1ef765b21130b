"""Scanning a folder of hostile or broken files next to one good file that must survive."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from schemadoc.config import Settings
from schemadoc.model.schema import Diagnostic
from schemadoc.pipeline import Result, scan

GOOD = '''"""Scanned last: the run must reach it."""

GOOD_DDL = "CREATE TABLE survivor (id INTEGER PRIMARY KEY, note TEXT)"
'''


def write(folder: Path, files: dict[str, str | bytes], *, good: bool = True) -> None:
    """Write ``files`` into ``folder``, and the good file unless ``good`` is False."""
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    if good:
        (folder / "zz_good.py").write_text(GOOD, encoding="utf-8")


def run(folder: Path, files: dict[str, str | bytes] | None = None, *paths: Path) -> Result:
    """Write ``files`` and the good file into ``folder``; scan ``paths`` (default: folder)."""
    write(folder, files or {})
    return scan(list(paths) or [folder], Settings(root=str(folder)))


def survived(result: Result) -> bool:
    table = result.schema.table("survivor")
    return table is not None and [c.name for c in table.columns] == ["id", "note"]


def found(result: Result, code: str, path: str, line: int, *words: str) -> Diagnostic:
    matches = [
        d
        for d in result.diagnostics
        if d.code == code
        and d.path == path
        and d.line == line
        and all(w.lower() in d.message.lower() for w in words)
    ]
    assert len(matches) == 1, "\n".join(str(d) for d in result.diagnostics)
    return matches[0]


@contextmanager
def working_directory(folder: Path) -> Iterator[None]:
    """Run the block in ``folder``, the project folder of a command-line run."""
    before = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)

"""The benchmark's floor: the least work a run of schemadoc over a tree could do.

    python bench/floor.py ROOT      (run by bench/run.py with the project venv's python)

In one process, as schemadoc would: import libcst, sqlglot and jinja2 (what a cold run of
schemadoc loads), list the files exactly as schemadoc discovers them, read every file as
bytes, apply schemadoc's bytes prefilter to the ``.py`` and ``.pyi`` files and run
``ast.parse`` on each that passes. Run as a subprocess, it pays the same interpreter startup
as schemadoc. It prints its counts as one line of JSON: ``files`` (found), ``bytes`` (read),
``candidates`` (Python files that pass the prefilter), ``parsed`` and ``unparsable``.
"""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path
from typing import Any

import jinja2  # noqa: F401  (imported for its cost, as schemadoc's cold run pays it)
import libcst  # noqa: F401
import sqlglot  # noqa: F401

from schemadoc.discover.files import discover
from schemadoc.discover.source import may_hold_ddl

PYTHON = (".py", ".pyi")


def _parses(data: bytes, display: str) -> bool:
    try:
        ast.parse(data, display)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def count(root: Path) -> dict[str, Any]:
    """The floor's work on the tree ``root``, and its counts."""
    counts = {"files": 0, "bytes": 0, "candidates": 0, "parsed": 0, "unparsable": 0}
    for found in discover([root], root=root):
        counts["files"] += 1
        try:
            data = Path(found.file).read_bytes()
        except OSError:
            continue
        counts["bytes"] += len(data)
        if found.display.endswith(PYTHON) and may_hold_ddl(data):
            counts["candidates"] += 1
            counts["parsed" if _parses(data, found.display) else "unparsable"] += 1
    return counts


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: floor.py ROOT", file=sys.stderr)
        return 2
    print(json.dumps(count(Path(argv[0]).resolve())))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

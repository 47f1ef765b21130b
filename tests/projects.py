"""Projects tests run in: Python modules written from source, and the small configured project
that command-line tests run in."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest


def write_modules(root: Path, **sources: str) -> dict[str, Path]:
    """Each source, dedented, as the module of its name below ``root`` (dots make folders):
    the files by their display path."""
    files = {}
    for name, source in sources.items():
        path = root / f"{name.replace('.', '/')}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))
        files[path.relative_to(root).as_posix()] = path
    return files


USERS = 'SCHEMA = "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"\n'


def small_project(
    root: Path, monkeypatch: pytest.MonkeyPatch, settings: str = "", ddl: str = USERS
) -> Path:
    """``root`` as a project: ``app/db.py`` holding ``ddl``, a ``pyproject.toml`` scanning
    ``app`` with the further ``[tool.schemadoc]`` lines ``settings``; the working folder."""
    (root / "app").mkdir()
    (root / "app" / "db.py").write_text(ddl)
    (root / "pyproject.toml").write_text(f'[tool.schemadoc]\npaths = ["app"]\n{settings}')
    monkeypatch.chdir(root)
    return root

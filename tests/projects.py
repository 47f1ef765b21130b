"""The small configured project that command-line tests run in."""

from __future__ import annotations

from pathlib import Path

import pytest

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

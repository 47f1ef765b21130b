"""Projects tests run in: Python modules written from source, the small configured project
that command-line tests run in, the command line run in a process of its own, and git run
in a project."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from schemadoc.extract.extractor import Extractor, merge
from schemadoc.extract.fragments import Fragment
from schemadoc.extract.summary import summarize
from schemadoc.model.schema import Diagnostic


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


def extracted(
    files: dict[str, Path], texts: dict[str, str]
) -> tuple[list[Fragment], list[Diagnostic]]:
    """The DDL fragments the Extractor finds in ``texts`` (display path to source text) and
    the base classes they need; ``files`` maps every scanned display path to its file, so
    that names defined in modules without DDL resolve too."""
    summaries, problems = {}, []
    for display in sorted(texts):
        summary, problem = summarize(texts[display], display)
        if summary is None:
            problems.append(problem)
        elif summary.holds_ddl:
            summaries[display] = summary
    fragments, found = merge(Extractor(files, summaries).process_all(sorted(summaries), texts.get))
    return fragments, problems + found


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


def cli_process(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """``python -m schemadoc args`` in a process of its own (text output; a hang fails the
    test, not the suite)."""
    return subprocess.run(
        [sys.executable, "-m", "schemadoc", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def git(cwd: Path, *args: str) -> str:
    """The output of ``git args`` in ``cwd``, as a committer named ``a``; fails the test when
    git does."""
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "a",
        "GIT_AUTHOR_EMAIL": "a@example.invalid",
        "GIT_COMMITTER_NAME": "a",
        "GIT_COMMITTER_EMAIL": "a@example.invalid",
    }
    return subprocess.run(
        ["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True
    ).stdout

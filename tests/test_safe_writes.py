"""Writes are atomic: a failure at any point leaves the previous document whole."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest
from projects import USERS, small_project

from schemadoc.cli import main

DDL = USERS


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    small_project(tmp_path, monkeypatch, 'output = "docs/schema.md"\n')
    assert main(["generate", "--quiet"]) == 0
    (tmp_path / "app" / "db.py").write_text(DDL.replace("name TEXT", "name TEXT, email TEXT"))
    return tmp_path


def leftovers(project: Path) -> list[str]:
    return sorted(p.name for p in (project / "docs").iterdir() if p.name != "schema.md")


def test_the_file_mode_is_kept(project: Path) -> None:
    doc = project / "docs" / "schema.md"
    doc.chmod(0o640)
    assert main(["generate", "--quiet"]) == 0
    assert "email" in doc.read_text()
    assert doc.stat().st_mode & 0o777 == 0o640


def test_a_failure_while_rendering_leaves_the_old_doc(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = project / "docs" / "schema.md"
    before = doc.read_bytes()

    def broken(*args: object, **kwargs: object) -> str:
        raise RuntimeError("renderer exploded")

    monkeypatch.setattr("schemadoc.render.formats.render", broken)
    assert main(["generate"]) == 2
    assert "renderer exploded" in capsys.readouterr().err
    assert doc.read_bytes() == before
    assert leftovers(project) == []


@pytest.mark.parametrize(
    ("failure", "code", "message"),
    [
        (KeyboardInterrupt(), 130, "interrupted"),
        (OSError(errno.ENOSPC, "No space left on device"), 2, "No space left on device"),
    ],
)
def test_an_interrupted_or_failed_write_leaves_the_old_doc(
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    failure: BaseException,
    code: int,
    message: str,
) -> None:
    doc = project / "docs" / "schema.md"
    before = doc.read_bytes()

    def fail(fd: int) -> None:
        raise failure

    monkeypatch.setattr(os, "fsync", fail)
    assert main(["generate"]) == code
    assert message in capsys.readouterr().err
    assert doc.read_bytes() == before
    assert leftovers(project) == []


def test_concurrent_runs_never_interleave(project: Path) -> None:
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "schemadoc", "generate", "--quiet", "--no-cache"], cwd=project
        )
        for _ in range(6)
    ]
    assert [p.wait(timeout=60) for p in runs] == [0] * 6
    assert main(["check", "--quiet"]) == 0  # exactly the expected bytes
    assert leftovers(project) == []


def test_check_writes_nothing_even_with_an_unwritable_cache(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "blocker").write_text("a file where the cache folder would be\n")
    (project / "pyproject.toml").write_text(
        '[tool.schemadoc]\npaths = ["app"]\noutput = "docs/schema.md"\n'
        'cache_dir = "blocker/cache"\n'
    )
    doc = project / "docs" / "schema.md"
    before = doc.read_bytes()
    snapshot = {p: p.stat().st_mtime_ns for p in project.rglob("*")}
    assert main(["check", "--quiet", "--output", "docs/schema.md"]) == 1
    assert "email" in capsys.readouterr().out
    assert doc.read_bytes() == before
    after = {p: p.stat().st_mtime_ns for p in project.rglob("*")}
    assert after == snapshot  # not the doc, not the cache, nothing

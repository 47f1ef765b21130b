"""The bundled example: its committed document is current, and check catches drift."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from schemadoc.cli import main

ROOT = Path(__file__).resolve().parent.parent
PERSISTENCE = "fixtures/seed_project/dipeo/infrastructure/execution/state/persistence_manager.py"


def test_the_committed_document_is_current(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert main(["check", "--quiet"]) == 0


@pytest.fixture
def copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(ROOT / "fixtures" / "seed_project", tmp_path / "fixtures" / "seed_project")
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_check_fails_after_a_new_column_and_passes_after_regeneration(
    copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = copy / PERSISTENCE
    source.write_text(
        source.read_text().replace(
            "            payload TEXT NOT NULL,\n",
            "            payload TEXT NOT NULL,\n            retries INTEGER NOT NULL DEFAULT 0,\n",
        )
    )
    capsys.readouterr()
    assert main(["check"]) == 1
    diff = capsys.readouterr().out
    assert "+| `retries` | `INTEGER` | NOT NULL DEFAULT 0 |" in diff
    assert "+        INTEGER retries" in diff
    assert main(["generate", "--quiet"]) == 0
    assert main(["check", "--quiet"]) == 0


def test_check_exits_2_on_ddl_that_sqlite_rejects(
    copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = copy / PERSISTENCE
    source.write_text(
        source.read_text().replace(
            "CREATE INDEX IF NOT EXISTS idx_status ON executions(status);",
            "CREATE INDEX IF NOT EXISTS idx_status ON executions(statuss);",
        )
    )
    assert main(["check"]) == 2
    err = capsys.readouterr().err
    assert f"{PERSISTENCE}:52:8: error[SD201]" in err
    assert "no such column: statuss" in err

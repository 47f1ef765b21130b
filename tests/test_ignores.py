"""Silencing a known limitation: ignores in the settings and on the line, unused ones."""

from __future__ import annotations

from pathlib import Path

import pytest
from projects import small_project

from schemadoc.cli import main

BROKEN = '''DDL = """
CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);
CREATE INDEX by_nick ON users (nick);{comment}
"""
'''


def broken(comment: str = "") -> str:
    return BROKEN.format(comment=comment)


def test_a_setting_silences_a_code_below_a_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = 'output = "docs/schema.md"\n[tool.schemadoc.ignore]\n"app/*" = ["SD201"]\n'
    small_project(tmp_path, monkeypatch, settings, broken())
    assert main(["generate"]) == 0
    assert "SD201" not in capsys.readouterr().err
    doc = (tmp_path / "docs" / "schema.md").read_text()
    assert "CREATE INDEX by\\_nick" in doc[doc.index("## Not documented") :]  # still listed


def test_a_setting_for_another_path_or_code_silences_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = (
        'output = "docs/schema.md"\n[tool.schemadoc.ignore]\n"lib/*" = ["SD201"]\n'
        '"app/*" = ["SD105"]\n'
    )
    small_project(tmp_path, monkeypatch, settings, broken())
    assert main(["generate"]) == 2
    assert "app/db.py:3:0: error[SD201]" in capsys.readouterr().err


@pytest.mark.parametrize("comment", [" -- schemadoc: ignore[SD201]", " -- schemadoc: ignore"])
def test_a_comment_on_the_line_silences_it(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    comment: str,
) -> None:
    small_project(tmp_path, monkeypatch, 'output = "docs/schema.md"\n', broken(comment))
    assert main(["generate", "--strict"]) == 0
    assert "SD201" not in capsys.readouterr().err


def test_a_comment_for_another_code_silences_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ddl = broken(" -- schemadoc: ignore[SD105]")
    small_project(tmp_path, monkeypatch, 'output = "docs/schema.md"\n', ddl)
    assert main(["generate"]) == 2
    assert "error[SD201]" in capsys.readouterr().err


def test_a_python_comment_silences_a_statement_on_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ddl = (
        'USERS = "CREATE TABLE users (id INTEGER PRIMARY KEY)"\n'
        'INDEX = "CREATE INDEX by_nick ON users (nick)"  # schemadoc: ignore[SD201]\n'
    )
    small_project(tmp_path, monkeypatch, 'output = "docs/schema.md"\n', ddl)
    assert main(["generate"]) == 0
    assert "SD201" not in capsys.readouterr().err


def test_unused_ignores_are_reported_under_strict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ddl = 'USERS = "CREATE TABLE users (id INTEGER PRIMARY KEY)"  # schemadoc: ignore[SD201]\n'
    settings = 'output = "docs/schema.md"\n[tool.schemadoc.ignore]\n"*" = ["SD206"]\n'
    small_project(tmp_path, monkeypatch, settings, ddl)
    assert main(["generate"]) == 0
    assert "SD110" not in capsys.readouterr().err
    assert main(["generate", "--strict"]) == 2
    err = capsys.readouterr().err
    assert "app/db.py:1:0: warning[SD110]: ignore[SD201] silences nothing here" in err
    assert "warning[SD110]: [tool.schemadoc.ignore] '*' = 'SD206' silences nothing" in err


def test_an_unknown_code_is_a_settings_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = '[tool.schemadoc.ignore]\n"*" = ["SD999"]\n'
    small_project(tmp_path, monkeypatch, settings)
    assert main(["generate"]) == 2
    assert "unknown code(s) SD999" in capsys.readouterr().err

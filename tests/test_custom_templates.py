"""--templates DIR: user templates replace built-in ones by name; errors name file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from projects import USERS, small_project

from schemadoc.cli import main

DDL = USERS
TABLE = "## Table {{ table.name }} ({{ table.columns | length }} columns)\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    small_project(tmp_path, monkeypatch, 'output = "schema.md"\n')
    (tmp_path / "tpl").mkdir()
    return tmp_path


def test_a_user_template_replaces_the_builtin_one_of_its_name(project: Path) -> None:
    (project / "tpl" / "table.md.j2").write_text(TABLE)
    assert main(["generate", "--templates", "tpl"]) == 0
    doc = (project / "schema.md").read_text()
    assert "## Table users (2 columns)\n" in doc
    assert doc.startswith("# Database Schema Documentation\n")  # markdown.md.j2: built-in
    assert "```mermaid\nerDiagram\n" in doc  # diagrams.md.j2: built-in
    assert "#### Columns" not in doc
    assert main(["check", "--templates", "tpl"]) == 0
    assert main(["check"]) == 1  # the built-in templates make another document


def test_configured_templates_are_relative_to_pyproject(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "tpl" / "table.md.j2").write_text(TABLE)
    (project / "pyproject.toml").write_text(
        '[tool.schemadoc]\npaths = ["app"]\noutput = "schema.md"\ntemplates = "tpl"\n'
    )
    monkeypatch.chdir(project / "app")
    assert main(["generate"]) == 0
    assert "## Table users (2 columns)" in (project / "schema.md").read_text()


def test_entry_template_override(project: Path) -> None:
    (project / "tpl" / "markdown.md.j2").write_text(
        "# {{ settings.title }}\n{% for table in tables %}\n{% include 'table.md.j2' %}"
        "{% endfor %}\n"
    )
    assert main(["generate", "--templates", "tpl", "--title", "Mine"]) == 0
    doc = (project / "schema.md").read_text()
    assert doc.startswith("# Mine\n### `users`\n")
    assert "Mermaid" not in doc


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("table.md.j2", "ok\n{% if %}\n", "tpl/table.md.j2:2: template syntax error: "),
        ("table.md.j2", "{% for x in y %}\n", "tpl/table.md.j2:"),  # unclosed block
        ("table.md.j2", "a\nb\n{{ table.nope }}\n", "tpl/table.md.j2:3: undefined in template: "),
        (
            "table.md.j2",
            "{{ no_such_name }}\n",
            "tpl/table.md.j2:1: undefined in template: 'no_such_name' is undefined",
        ),
        (
            "table.md.j2",
            "\n{{ 1 // 0 }}\n",
            "tpl/table.md.j2:2: template failed: ZeroDivisionError: ",
        ),
        ("table.md.j2", "{{ table.name | no_filter }}\n", "tpl/table.md.j2:1: template syntax"),
        (
            "table.md.j2",
            "{% include 'missing.md.j2' %}\n",
            "tpl/table.md.j2:1: template not found: missing.md.j2",
        ),
        (
            "markdown.md.j2",
            "# x\n\n{{ settings.nope }}\n",
            "tpl/markdown.md.j2:3: undefined in template: ",
        ),
    ],
)
def test_template_errors_name_file_and_line_and_exit_2(
    project: Path, capsys: pytest.CaptureFixture[str], name: str, text: str, expected: str
) -> None:
    (project / "tpl" / name).write_text(text)
    for command in ("generate", "check"):
        assert main([command, "--templates", "tpl"]) == 2
        err = capsys.readouterr().err
        assert f"schemadoc: error: {expected}" in err, err
        assert "Traceback" not in err
    assert not (project / "schema.md").exists()


def test_error_in_a_split_table_template(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "tpl" / "table.md.j2").write_text("\n\n{{ table.nope }}\n")
    assert main(["generate", "--templates", "tpl", "--split", "docs"]) == 2
    assert "tpl/table.md.j2:3: undefined in template" in capsys.readouterr().err
    assert not (project / "docs").exists()


def test_missing_templates_folder(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "--templates", "nope"]) == 2
    assert "schemadoc: error: nope: templates folder not found" in capsys.readouterr().err


def test_split_uses_user_templates(project: Path) -> None:
    (project / "tpl" / "table.md.j2").write_text(TABLE)
    assert main(["generate", "--templates", "tpl", "--split", "docs"]) == 0
    assert "## Table users (2 columns)" in (project / "docs" / "users.md").read_text()

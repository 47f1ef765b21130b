"""The command line: exit codes, diagnostics on stderr, check mode that never writes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import apsw
import pytest
from projects import USERS, cli_process, small_project

from schemadoc.cli import main

GOOD = USERS
BAD = 'SCHEMA = "CREATE TABLE broken (id INTEGER PRIMARY KEY,, name TEXT)"\n'


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return small_project(tmp_path, monkeypatch, 'output = "schema.json"\nformat = "json"\n')


def test_generate_writes_the_configured_output(project: Path) -> None:
    assert main(["generate"]) == 0
    data = json.loads((project / "schema.json").read_text())
    assert [t["name"] for t in data["tables"]] == ["users"]
    assert data["tables"][0]["source"] == {"path": "app/db.py", "line": 1, "column": 10}


def test_generate_to_stdout(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "--format", "sql", "--output", "-"]) == 0
    out = capsys.readouterr().out
    assert "-- app/db.py:1\nCREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);" in out


def test_errors_exit_2_and_json_still_carries_them(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "app" / "bad.py").write_text(BAD)
    assert main(["generate"]) == 2
    err = capsys.readouterr().err
    rejects = f"SQLite {apsw.sqlite_lib_version()} rejects CREATE TABLE broken"  # the one used
    assert f"app/bad.py:1:10: error[SD201]: {rejects}" in err
    data = json.loads((project / "schema.json").read_text())
    assert [d["code"] for d in data["diagnostics"]] == ["SD201"]


def test_check_current_stale_missing(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 1  # missing
    assert "schema.json is missing" in capsys.readouterr().err
    assert not (project / "schema.json").exists()
    assert main(["generate"]) == 0
    assert main(["check"]) == 0
    (project / "app" / "db.py").write_text(GOOD.replace("name TEXT", "name TEXT, email TEXT"))
    before = (project / "schema.json").read_bytes()
    capsys.readouterr()
    assert main(["check"]) == 1
    captured = capsys.readouterr()
    assert '+          "name": "email",' in captured.out
    assert captured.out.startswith("--- a/schema.json\n+++ b/schema.json\n")
    assert "\033[" not in captured.out  # no colour when not on a terminal
    assert (project / "schema.json").read_bytes() == before  # check never writes


def test_check_exits_2_on_errors(project: Path) -> None:
    main(["generate"])
    (project / "app" / "bad.py").write_text(BAD)
    assert main(["check"]) == 2


def test_bad_config_is_an_error(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "pyproject.toml").write_text("[tool.schemadoc]\nfromat = 'json'\n")
    assert main(["generate"]) == 2
    assert "unknown key(s) in [tool.schemadoc]: fromat" in capsys.readouterr().err


def test_generate_only_touches_the_file_when_content_changed(project: Path) -> None:
    main(["generate"])
    target = project / "schema.json"
    os.utime(target, (1_000_000, 1_000_000))
    assert main(["generate"]) == 0
    assert target.stat().st_mtime == 1_000_000


def test_module_entry_point_and_version(project: Path) -> None:
    proc = cli_process("--version")
    assert proc.returncode == 0
    assert proc.stdout.startswith("schemadoc ")


def _banner(path: Path) -> str:
    return next(line for line in path.read_text().splitlines() if line.startswith("> Run `"))


def test_the_doc_names_the_command_that_regenerates_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a Makefile target the banner says ``schemadoc generate`` whatever options the
    run had; a ``schema-docs:`` target makes it ``make schema-docs``; the setting wins."""
    project = small_project(tmp_path, monkeypatch, 'output = "schema.md"\n')
    assert main(["generate", "--title", "Users"]) == 0
    assert _banner(project / "schema.md") == "> Run `schemadoc generate` to regenerate"
    (project / "Makefile").write_text("all:\n\ttrue\n\nschema-docs:\n\tschemadoc generate\n")
    assert main(["generate"]) == 0
    assert _banner(project / "schema.md") == "> Run `make schema-docs` to regenerate"
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + 'command = "tox -e docs"\n')
    assert main(["generate"]) == 0
    assert _banner(project / "schema.md") == "> Run `tox -e docs` to regenerate"


def test_check_names_the_generate_run_that_matches_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    small_project(tmp_path, monkeypatch)
    assert main(["check", "app", "--output", "docs/db.md", "--title", "My DB"]) == 1
    err = capsys.readouterr().err
    hint = "run `schemadoc generate app --output docs/db.md --title 'My DB'` to regenerate"
    assert f"docs/db.md is missing; {hint}" in err
    assert main(["generate", "app", "--output", "docs/db.md", "--title", "My DB"]) == 0
    assert main(["check", "app", "--output", "docs/db.md", "--title", "My DB"]) == 0


def test_fail_on_change_says_to_stage_and_commit_again(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["generate", "--fail-on-change"]) == 1
    assert "stage the regenerated files and commit again" in capsys.readouterr().err
    assert main(["generate", "--fail-on-change"]) == 0
    assert "commit again" not in capsys.readouterr().err

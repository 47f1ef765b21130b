"""Injection into a marked block of an existing Markdown file: every other byte stays."""

from __future__ import annotations

from pathlib import Path

import pytest
from projects import USERS, small_project

from schemadoc.cli import main
from schemadoc.inject import InjectError, inject, line_ending

START, END = "<!-- schemadoc:start -->", "<!-- schemadoc:end -->"
DDL = USERS
HEAD = "# My project\n\nSome prose, *kept* as is.  \n\n"
TAIL = "\n## License\n\nMIT\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    small_project(tmp_path, monkeypatch)
    (tmp_path / "README.md").write_text(f"{HEAD}{START}\nold text\n{END}\n{TAIL}")
    return tmp_path


def _block(text: str) -> str:
    return text[text.index(START) : text.index(END) + len(END)]


def test_generate_replaces_only_the_block(project: Path) -> None:
    assert main(["generate", "--inject", "README.md"]) == 0
    text = (project / "README.md").read_text()
    assert text.startswith(f"{HEAD}{START}\n\n# Database Schema Documentation\n")
    assert text.endswith(f"```\n\n{END}\n{TAIL}")
    assert "| `name` | `TEXT` | NOT NULL |" in _block(text)
    assert "old text" not in text
    assert not (project / "schema.md").exists()
    before = (project / "README.md").stat().st_mtime_ns
    assert main(["generate", "--inject", "README.md"]) == 0  # idempotent, file untouched
    assert (project / "README.md").stat().st_mtime_ns == before


def test_crlf_file_keeps_its_bytes_and_line_endings(project: Path) -> None:
    head = "# Title\r\n\r\nMixed\nendings\r\nstay\t \r\n"
    tail = "\r\ntrailing\r\n\r\nno final newline"
    original = f"{head}{START}\r\nold\r\n{END}{tail}".encode()
    (project / "README.md").write_bytes(original)
    assert main(["generate", "--inject", "README.md"]) == 0
    data = (project / "README.md").read_bytes()
    assert data.startswith(f"{head}{START}\r\n".encode())
    assert data.endswith(f"{END}{tail}".encode())
    block = data[len(head) + len(START) + 2 : -len(END) - len(tail)]
    assert b"\r\n" in block and b"\n" not in block.replace(b"\r\n", b"")
    assert main(["check", "--inject", "README.md"]) == 0


def test_check_reports_a_stale_block(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--inject", "README.md"]) == 1
    captured = capsys.readouterr()
    assert captured.out.startswith("--- a/README.md\n+++ b/README.md\n")
    assert "-old text\n" in captured.out
    assert "README.md is stale" in captured.err
    assert "old text" in (project / "README.md").read_text()  # check never writes
    assert main(["generate", "--inject", "README.md"]) == 0
    assert main(["check", "--inject", "README.md"]) == 0
    (project / "app" / "db.py").write_text(DDL.replace("NOT NULL)", "NOT NULL, email TEXT)"))
    capsys.readouterr()
    assert main(["check", "--inject", "README.md"]) == 1
    assert "+| `email` | `TEXT` | - |" in capsys.readouterr().out


def test_configured_inject_and_custom_markers(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.schemadoc]\npaths = ["app"]\ninject = "docs/INDEX.md"\n'
        'inject_start = "<!-- db -->"\ninject_end = "<!-- /db -->"\n'
    )
    (project / "docs").mkdir()
    (project / "docs" / "INDEX.md").write_text(f"a\n<!-- db -->\n{START}\n<!-- /db -->\nb\n")
    assert main(["check"]) == 1
    assert main(["generate"]) == 0
    text = (project / "docs" / "INDEX.md").read_text()
    assert text.startswith("a\n<!-- db -->\n\n# Database") and text.endswith("<!-- /db -->\nb\n")
    assert START not in text
    assert main(["check", "--inject"]) == 0  # without FILE: the configured one
    # From a sub-folder the configured path is still relative to pyproject.toml.
    monkeypatch.chdir(project / "app")
    assert main(["check"]) == 0


def test_inject_only_what_the_command_line_names(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.schemadoc]\npaths = ["app"]\noutput = "schema.md"\ninject = "README.md"\n'
    )
    assert main(["generate", "--inject", "README.md"]) == 0
    assert not (project / "schema.md").exists()
    assert main(["generate"]) == 0  # every configured target
    assert (project / "schema.md").exists()
    assert main(["check"]) == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "no markers here\n",
            f"no schemadoc markers: add a line `{START}` and, below it, a line `{END}`",
        ),
        (
            f"x\n{START}\ny\n",
            f"README.md:2: `{START}` has no end marker: add a line `{END}` below it",
        ),
        (f"{END}\n", f"README.md:1: `{END}` has no start marker: add a line `{START}` above it"),
        (f"{START}\n{START}\n{END}\n", f"`{START}` appears 2 times (lines 1, 2); keep one"),
        (f"{START}\n{END}\n{END}\n", f"`{END}` appears 2 times (lines 2, 3); keep one"),
        (
            f"{END}\n\n{START}\n",
            f"README.md:1: `{END}` comes before `{START}` (line 3); put the start marker first",
        ),
        (f"```md\n{START}\n{END}\n```\n", "no schemadoc markers"),  # an example, not markers
    ],
)
def test_bad_markers_exit_2_and_say_what_to_add(
    project: Path, capsys: pytest.CaptureFixture[str], text: str, expected: str
) -> None:
    (project / "README.md").write_text(text)
    for command in ("generate", "check"):
        assert main([command, "--inject", "README.md"]) == 2
        err = capsys.readouterr().err
        assert expected in err, err
        assert "Traceback" not in err
    assert (project / "README.md").read_text() == text


def test_missing_file_is_an_error(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "--inject", "NOPE.md"]) == 2
    assert f"NOPE.md does not exist: create it with a line `{START}`" in capsys.readouterr().err
    assert not (project / "NOPE.md").exists()


def test_markers_inside_code_fences_are_ignored() -> None:
    text = f"~~~\n{START}\n~~~\n{START}\nold\n{END}\n````\n{END}\n````\n"
    out = inject(text, "new\n", path="R.md", start=START, end=END)
    assert out == f"~~~\n{START}\n~~~\n{START}\n\nnew\n\n{END}\n````\n{END}\n````\n"


def test_marker_lines_may_be_indented_and_blocks_may_be_empty() -> None:
    text = f"  {START}  \n{END}"
    assert inject(text, "x", path="R", start=START, end=END) == f"  {START}  \n\nx\n\n{END}"


def test_markers_must_differ() -> None:
    with pytest.raises(InjectError, match="two different non-empty lines"):
        inject("a\n", "x", path="R", start="<!-- x -->", end="<!-- x -->")


def test_line_ending() -> None:
    assert line_ending("a\r\nb\r\nc\n") == "\r\n"
    assert line_ending("a\nb\n") == "\n"
    assert line_ending("") == "\n"


def test_other_formats_are_fenced(project: Path) -> None:
    assert main(["generate", "--inject", "README.md", "--format", "mermaid"]) == 0
    block = _block((project / "README.md").read_text())
    assert block.startswith(f"{START}\n\n```mermaid\nerDiagram\n")
    assert block.endswith(f"```\n\n{END}")

"""Injection into a marked block of an existing Markdown file: every other byte stays."""

from __future__ import annotations

from pathlib import Path

import pytest
from projects import USERS, small_project

from schemadoc.cli import main
from schemadoc.output.inject import InjectError, inject, line_ending

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
    # Under HEAD's `# My project` the document's title is a section of its own.
    assert text.startswith(f"{HEAD}{START}\n\n## Database Schema Documentation\n")
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


def _headings(text: str) -> list[str]:
    return [line for line in _block(text).splitlines() if line.startswith("#")]


DOC_HEADINGS = [  # the small project's document as rendered
    "# Database Schema Documentation",
    "## Overview",
    "## Tables",
    "### `users`",
    "#### Columns",
    "## Mermaid ER Diagram",
]


def _shifted(by: int) -> list[str]:
    out = []
    for heading in DOC_HEADINGS:
        marks, _, title = heading.partition(" ")
        out.append(f"{'#' * min(6, len(marks) + by)} {title}")
    return out


def test_headings_move_under_the_section_that_holds_the_markers(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    head = "# My project\n\nProse.\n\n## Database\n\nWhat we store:\n\n"
    (project / "README.md").write_text(f"{head}{START}\n{END}\n{TAIL}")
    assert main(["generate", "--inject", "README.md"]) == 0
    text = (project / "README.md").read_text()
    assert _headings(text) == [
        "### Database Schema Documentation",
        "#### Overview",
        "#### Tables",
        "##### `users`",
        "###### Columns",
        "#### Mermaid ER Diagram",
    ]
    assert text.startswith(f"{head}{START}\n\n### Database Schema Documentation\n\n> ")
    assert text.endswith(f"{END}\n{TAIL}")
    assert "\n```mermaid\nerDiagram\n    users {\n" in text
    assert main(["check", "--inject", "README.md"]) == 0
    before = (project / "README.md").stat().st_mtime_ns
    assert main(["generate", "--inject", "README.md"]) == 0  # the same bytes again
    assert (project / "README.md").stat().st_mtime_ns == before
    # The section moves deeper: the block is stale until generated again.
    (project / "README.md").write_text(text.replace("## Database\n", "### Database\n"))
    capsys.readouterr()
    assert main(["check", "--inject", "README.md"]) == 1
    diff = capsys.readouterr().out
    assert "-### Database Schema Documentation\n+#### Database Schema Documentation\n" in diff
    assert main(["generate", "--inject", "README.md"]) == 0
    assert _headings((project / "README.md").read_text()) == _shifted(3)
    assert main(["check", "--inject", "README.md"]) == 0


def test_without_a_heading_above_the_markers_levels_stay(project: Path) -> None:
    # Headings below the markers, in code or in HTML comments above them, do not count.
    head = "Prose.\n\n```md\n## Example\n```\n\n<!--\n## Draft\n-->\n"
    (project / "README.md").write_text(f"{head}{START}\n{END}\n{TAIL}")
    assert main(["generate", "--inject", "README.md"]) == 0
    assert _headings((project / "README.md").read_text()) == DOC_HEADINGS
    assert main(["check", "--inject", "README.md"]) == 0


@pytest.mark.parametrize(
    ("head", "by"),
    [
        ("Project\n=======\n\nDatabase\n--------\n\n", 2),  # setext headings
        ("---\ntitle: x\n---\n\n", 0),  # front matter is no heading
        ("# P\n\n- item\n---\n\n", 1),  # a list and a thematic break, no setext heading
        ("# P\n\n> ## Quoted\n\n    ## indented code\n\n", 1),
        ("# P\n\n#### Deep\n\n", 4),
        ("###### Deepest\n\n", 5),  # every heading capped at level 6
    ],
)
def test_the_nearest_heading_above_sets_the_level(project: Path, head: str, by: int) -> None:
    (project / "README.md").write_text(f"{head}{START}\n{END}\n")
    assert main(["generate", "--inject", "README.md"]) == 0
    assert _headings((project / "README.md").read_text()) == _shifted(by)
    assert main(["check", "--inject", "README.md"]) == 0


def test_deep_nesting_is_capped_at_level_6(project: Path) -> None:
    (project / "README.md").write_text(f"# A\n## B\n### C\n#### D\n{START}\n{END}\n")
    assert main(["generate", "--inject", "README.md"]) == 0
    assert _headings((project / "README.md").read_text()) == [
        "##### Database Schema Documentation",
        "###### Overview",
        "###### Tables",
        "###### `users`",
        "###### Columns",
        "###### Mermaid ER Diagram",
    ]


def test_lines_in_fenced_code_of_the_document_are_untouched() -> None:
    content = (
        "# Doc\n\n## Part ##\n\n```sql\n# not a heading\n## nor this\n```\n\n"
        "````mermaid\n## kept\n```\n# kept\n````\n\n~~~\n# kept\n~~~\n\n"
        "Setext\n------\n\n    # indented code\n"
    )
    out = inject(f"## Section\n{START}\n{END}\n", content, path="R.md", start=START, end=END)
    assert out == (
        f"## Section\n{START}\n\n### Doc\n\n#### Part ##\n\n"
        "```sql\n# not a heading\n## nor this\n```\n\n"
        "````mermaid\n## kept\n```\n# kept\n````\n\n~~~\n# kept\n~~~\n\n"
        f"#### Setext\n\n    # indented code\n\n{END}\n"
    )


def test_a_document_already_at_the_right_level_is_unchanged() -> None:
    text = f"# Title\n{START}\n{END}\n"
    content = "## Schema\n\n### `users`\n"
    assert inject(text, content, path="R.md", start=START, end=END) == (
        f"# Title\n{START}\n\n{content}\n{END}\n"
    )
    # A document that starts deeper than the section needs moves up to sit right below it.
    deeper = "#### Schema\n\n##### `users`\n"
    assert inject(text, deeper, path="R.md", start=START, end=END) == (
        f"# Title\n{START}\n\n{content}\n{END}\n"
    )


def test_crlf_file_gets_shifted_headings_with_its_line_endings() -> None:
    text = f"# T\r\n\r\n## S\r\n{START}\r\n{END}\r\n"
    out = inject(text, "# Doc\n\n## Part\n", path="R.md", start=START, end=END)
    assert out == f"# T\r\n\r\n## S\r\n{START}\r\n\r\n### Doc\r\n\r\n#### Part\r\n\r\n{END}\r\n"

"""A document on disk that is current is known by its stamp (size, times, inode), not read;
any change to it (an edit, even of the same size and time, a removal) is still found."""

from __future__ import annotations

import builtins
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from projects import USERS, small_project

from schemadoc import pipeline
from schemadoc.cli import main
from schemadoc.config import Settings

GOOD = USERS


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    small_project(tmp_path, monkeypatch, 'output = "schema.json"\nformat = "json"\n')
    assert main(["generate", "--quiet"]) == 0
    return tmp_path


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The absolute paths of the files opened, run after run."""
    seen: list[str] = []
    real = builtins.open

    def spy(file, *args, **kwargs):  # type: ignore[no-untyped-def]
        if isinstance(file, str | os.PathLike):
            seen.append(os.path.abspath(file))
        return real(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", spy)
    return seen


def same_size_edit(doc: Path) -> None:
    """Change one character in place, then put the old modification time back."""
    before = doc.stat()
    text = doc.read_text()
    doc.write_text(text.replace('"users"', '"USERS"', 1))
    assert doc.stat().st_size == before.st_size
    os.utime(doc, ns=(before.st_atime_ns, before.st_mtime_ns))


def test_a_current_doc_is_not_read_again(
    project: Path, opened: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    doc = project / "schema.json"
    written = doc.stat()
    assert main(["generate"]) == 0
    assert main(["check"]) == 0
    assert str(doc) not in opened
    assert doc.stat() == written
    err = capsys.readouterr().err
    assert "schemadoc: unchanged: schema.json" in err
    assert "schemadoc: schema.json is up to date" in err


def test_a_doc_whose_stamp_is_unknown_is_read_once_then_known(
    project: Path, opened: list[str]
) -> None:
    doc = project / "schema.json"
    os.utime(doc, ns=(0, 1_000_000_000))  # same bytes, another time
    assert main(["check", "--quiet"]) == 0
    assert opened.count(str(doc)) == 1  # compared by its hash
    opened.clear()
    assert main(["generate", "--quiet"]) == 0
    assert main(["check", "--quiet"]) == 0
    assert str(doc) not in opened
    assert doc.stat().st_mtime_ns == 1_000_000_000  # never rewritten


def test_a_same_size_edit_is_found_by_its_time(project: Path) -> None:
    doc = project / "schema.json"
    good = doc.read_text()
    doc.write_text(good.replace('"users"', '"USERS"', 1))
    assert len(doc.read_text()) == len(good)
    assert main(["check", "--quiet"]) == 1
    assert main(["generate", "--quiet"]) == 0
    assert doc.read_text() == good


def test_an_edit_that_keeps_size_and_time_is_found_by_its_change_time(project: Path) -> None:
    doc = project / "schema.json"
    good = doc.read_text()
    same_size_edit(doc)
    assert doc.read_text() != good
    assert main(["check", "--quiet"]) == 1
    assert main(["generate", "--fail-on-change", "--quiet"]) == 1
    assert doc.read_text() == good


def test_a_deleted_doc_is_missing_for_check_and_rewritten_by_generate(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = project / "schema.json"
    good = doc.read_text()
    doc.unlink()
    assert main(["check"]) == 1
    assert "schema.json is missing" in capsys.readouterr().err
    assert main(["generate"]) == 0
    assert "wrote schema.json" in capsys.readouterr().err
    assert doc.read_text() == good


def test_a_doc_replaced_by_another_file_of_the_same_stamp_is_found(project: Path) -> None:
    doc = project / "schema.json"
    good = doc.read_text()
    before = doc.stat()
    other = project / "other.json"
    other.write_text(good.replace('"users"', '"USERS"', 1))
    os.utime(other, ns=(before.st_atime_ns, before.st_mtime_ns))
    other.replace(doc)  # a new inode
    assert main(["check", "--quiet"]) == 1
    assert main(["generate", "--quiet"]) == 0
    assert doc.read_text() == good


def test_a_source_change_still_rewrites_a_current_doc(project: Path) -> None:
    (project / "app" / "db.py").write_text(GOOD.replace("name TEXT", "name TEXT, email TEXT"))
    assert main(["check", "--quiet"]) == 1
    assert main(["generate", "--quiet"]) == 0
    columns = json.loads((project / "schema.json").read_text())["tables"][0]["columns"]
    assert [c["name"] for c in columns] == ["id", "name", "email"]


def test_the_api_gives_no_content_for_a_target_that_holds_the_doc(project: Path) -> None:
    target = project / "api.json"
    settings = Settings(root=str(project), format="json")
    first = pipeline.document([project / "app"], settings, target=target)
    assert first.content is not None and '"users"' in first.content
    target.write_text(first.content)
    first.written(target)
    held = pipeline.document([project / "app"], settings, target=target)
    assert held.content is None
    assert held.diagnostics == first.diagnostics
    target.write_text(first.content + " ")
    assert pipeline.document([project / "app"], settings, target=target).content == first.content


def test_a_warm_run_imports_nothing_it_does_not_need(project: Path) -> None:
    probe = (
        "import sys\n"
        "from schemadoc.cli import main\n"
        "code = main(['generate', '--quiet'])\n"
        "print(code, *sorted(sys.modules))\n"
    )

    def modules() -> tuple[str, set[str]]:
        out = subprocess.run(
            [sys.executable, "-c", probe], cwd=project, capture_output=True, text=True, check=True
        ).stdout.split()
        return out[0], set(out[1:])

    modules()  # a first run in this folder fills its cache
    code, loaded = modules()
    assert code == "0"
    heavy = {"libcst", "sqlglot", "jinja2", "importlib.metadata", "difflib", "tempfile"}
    assert loaded & heavy == set()
    assert "schemadoc.incremental.cache" in loaded  # the probe did see the warm path

"""A run with nothing changed is told so by the last survey's snapshot of the tree, without
discovering the files or reading the cache's file table; any change that could matter sends
the run the long way, and its document is the one a run without a cache gives."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from projects import git

from schemadoc import pipeline
from schemadoc.config import Settings
from schemadoc.incremental import survey as survey_stage
from schemadoc.incremental.cache import Cache

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
HOUR = 3600 * 10**9


def _aged(root: Path) -> None:
    """Every file and folder below ``root`` an hour old: nothing is too recent to trust."""
    past = time.time_ns() - HOUR
    for folder, _, names in os.walk(root):
        for path in [folder, *(os.path.join(folder, n) for n in names)]:
            os.utime(path, ns=(past, past), follow_symlinks=False)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURES / "rich_project", tmp_path / "app")
    _aged(tmp_path / "app")
    return tmp_path / "app"


@pytest.fixture
def discovered(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times the survey discovered the files, and read the cache's file table."""
    counts = [0, 0]
    discover, read_table = survey_stage.discover, Cache._read_table

    def counted_discover(*args: object, **kw: object) -> object:
        counts[0] += 1
        return discover(*args, **kw)  # type: ignore[arg-type]

    def counted_read(self: Cache) -> None:
        counts[1] += 1
        read_table(self)

    monkeypatch.setattr(survey_stage, "discover", counted_discover)
    monkeypatch.setattr(Cache, "_read_table", counted_read)
    return counts


def _generate(project: Path, **settings: object) -> pipeline.Document:
    """What ``schemadoc generate`` does with a single output file."""
    target = project / "schema.md"
    s = Settings(root=str(project), **settings)  # type: ignore[arg-type]
    doc = pipeline.document([project], s, target=target)
    if doc.content is not None:
        target.write_text(doc.content, encoding="utf-8")
        doc.written(target)
    return doc


def _cold(project: Path, tmp_path: Path) -> str:
    s = Settings(root=str(project), cache=False)
    content = pipeline.document([project], s).content
    assert content is not None
    return content


def test_nothing_changed_is_told_by_the_snapshot_alone(
    project: Path, discovered: list[int]
) -> None:
    first = _generate(project)
    assert first.content is not None and discovered == [1, 1]
    again = _generate(project)
    assert again.content is None  # the file holds the document
    assert discovered == [1, 1]  # neither discovery nor the file table this time
    assert (again.diagnostics, again.files, again.left_out) == (
        first.diagnostics,
        first.files,
        first.left_out,
    )


def test_a_folder_whose_time_moved_is_listed_again(project: Path, discovered: list[int]) -> None:
    """An editor's temporary file came and went: the folder's time moved, its listing is the
    same; so is a folder the last run wrote its document into."""
    _generate(project)
    swap = project / "shop" / "db" / ".catalog.py.swp"
    swap.write_text("x")
    swap.unlink()
    assert _generate(project).content is None
    assert discovered == [1, 1]


def _edit_in_place(project: Path) -> None:
    """Same size, new content, a time of its own."""
    todo = project / "shop" / "legacy" / "todo.py"
    todo.write_text(todo.read_text().replace("title TEXT", "title BLOB"))
    past = time.time_ns() - HOUR // 2
    os.utime(todo, ns=(past, past))


def _new_module(project: Path) -> None:
    (project / "shop" / "db" / "tags.py").write_text(
        'DDL = "CREATE TABLE tags (id INTEGER PRIMARY KEY)"\n'
    )


def _new_folder(project: Path) -> None:
    (project / "shop" / "more").mkdir()
    (project / "shop" / "more" / "notes.py").write_text(
        'DDL = "CREATE TABLE notes (id INTEGER PRIMARY KEY)"\n'
    )


def _removed(project: Path) -> None:
    (project / "shop" / "legacy" / "todo.py").unlink()


def _new_test_file(project: Path) -> None:
    (project / "shop" / "test_orders.py").write_text("X = 1\n")


@pytest.mark.parametrize(
    "change", [_edit_in_place, _new_module, _new_folder, _removed, _new_test_file]
)
def test_a_change_goes_the_long_way_and_gives_the_cold_document(
    project: Path, tmp_path: Path, discovered: list[int], change: Callable[[Path], None]
) -> None:
    _generate(project)
    _generate(project)
    change(project)
    doc = _generate(project)
    assert discovered[1] == 2  # the file table is read again
    # the folders are as they were after an edit in place: discovery would find the same
    assert discovered[0] == (1 if change is _edit_in_place else 2)
    assert (project / "schema.md").read_text(encoding="utf-8") == _cold(project, tmp_path)
    assert doc.left_out == (1 if change is _new_test_file else 0)


def test_other_settings_go_the_long_way(project: Path, discovered: list[int]) -> None:
    _generate(project)
    _generate(project, include_tests=True)
    assert discovered[0] == 2


def test_no_snapshot_of_a_tree_with_a_symbolic_link(project: Path, discovered: list[int]) -> None:
    (project / "shop" / "alias.py").symlink_to(project / "shop" / "legacy" / "todo.py")
    _aged(project)
    _generate(project)
    _generate(project)
    assert discovered[0] == 2


def test_no_snapshot_of_a_file_changed_just_now(project: Path, discovered: list[int]) -> None:
    """A file written in the same tick of the clock as the survey's look at it would keep
    the time the survey saw: a file that recent leaves no snapshot."""
    _new_module(project)  # now, not an hour ago
    _generate(project)
    _generate(project)
    assert discovered[0] == 2
    _aged(project)
    _generate(project)
    _generate(project)
    assert discovered[0] == 3  # once old enough, a snapshot is taken and holds


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: {**data, "files": [[7, "", [["a.py", 1, 2, False]]]]},  # not a path
        lambda data: {**data, "files": [g[:2] for g in data["files"]]},  # rows too short
        lambda data: {**data, "folders": [["/", 1, 2]]},  # a folder of another shape
        lambda data: {**data, "fingerprint": 7},
        lambda data: {k: v for k, v in data.items() if k != "found"},
        lambda data: {**data, "owner": [0, 0, 0]},  # not written in this folder
    ],
)
def test_a_damaged_snapshot_is_not_used(
    project: Path, discovered: list[int], damage: Callable[[dict], dict]
) -> None:
    _generate(project)
    folder = survey_stage.cache_folder(Settings(root=str(project)))
    assert folder is not None
    [shot] = folder.glob("*.snapshot.json")
    shot.write_text(json.dumps(damage(json.loads(shot.read_text()))))
    assert _generate(project).content is None
    assert discovered[0] == 2


GIT = shutil.which("git")


@pytest.mark.skipif(GIT is None, reason="git is not installed")
def test_in_a_git_work_tree_git_is_asked_again(
    project: Path, tmp_path: Path, discovered: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    from schemadoc.discover import git as git_view

    listed: list[str] = []
    git_output = git_view.git_output

    def counted(folder: str, *args: str) -> bytes | None:
        listed.extend(a for a in args if a == "ls-files")
        return git_output(folder, *args)

    monkeypatch.setattr(git_view, "git_output", counted)
    git(project, "init", "-q")
    git(project, "add", "shop")
    _aged(project)
    _generate(project)
    assert _generate(project).content is None and discovered[0] == 1
    _new_module(project)  # untracked, not ignored: git lists it
    os.utime(project / "shop" / "db" / "tags.py", ns=(time.time_ns() - HOUR,) * 2)
    os.utime(project / "shop" / "db", ns=(time.time_ns() - HOUR,) * 2)  # as if never moved
    listed.clear()
    _generate(project)
    assert discovered[0] == 2
    assert listed == ["ls-files"]  # once in the run: the snapshot's look and the survey share it
    assert (project / "schema.md").read_text(encoding="utf-8") == _cold(project, tmp_path)


@pytest.mark.skipif(GIT is None, reason="git is not installed")
def test_a_walked_tree_that_becomes_a_git_work_tree_goes_the_long_way(
    project: Path, discovered: list[int]
) -> None:
    (project / "shop" / "db" / "scratch.py").write_text('DDL = "CREATE TABLE scratch (a INT)"\n')
    (project / ".gitignore").write_text("scratch.py\n")
    _aged(project)
    first = _generate(project)
    _generate(project)
    assert discovered[0] == 1
    git(project, "init", "-q")  # now git's view counts: scratch.py is ignored
    os.utime(project, ns=(time.time_ns() - HOUR,) * 2)
    doc = _generate(project)
    assert discovered[0] == 2
    assert doc.files == first.files - 1


def test_files_taken_from_the_snapshot_keep_what_discovery_said_of_them(
    project: Path, tmp_path: Path, discovered: list[int]
) -> None:
    """Test code included: a test module's table never wins over production's, also when
    the files come from the snapshot (an edit in place elsewhere)."""
    # before production's in path order: only its being test code keeps it from winning
    (project / "shop" / "db" / "test_todo.py").write_text(
        """DDL = 'CREATE TABLE "to-do" (pk INTEGER PRIMARY KEY, from_a_test TEXT)'\n"""
    )
    _aged(project)
    _generate(project, include_tests=True)
    _generate(project, include_tests=True)
    _edit_in_place(project)
    _generate(project, include_tests=True)
    assert discovered == [1, 2]
    cold = pipeline.document(
        [project], Settings(root=str(project), cache=False, include_tests=True)
    )
    written = (project / "schema.md").read_text(encoding="utf-8")
    assert written == cold.content and "from_a_test" not in written


def test_files_out_of_discovery_order_are_not_taken_as_the_listing(
    project: Path, tmp_path: Path, discovered: list[int]
) -> None:
    _generate(project)
    folder = survey_stage.cache_folder(Settings(root=str(project)))
    assert folder is not None
    [shot] = folder.glob("*.snapshot.json")
    data = json.loads(shot.read_text())
    shot.write_text(json.dumps({**data, "files": data["files"][::-1]}))
    _edit_in_place(project)
    _generate(project)
    assert discovered == [2, 2]  # the files were discovered again
    assert (project / "schema.md").read_text(encoding="utf-8") == _cold(project, tmp_path)

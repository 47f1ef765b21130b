"""Which files get scanned: git-aware, skipping environments and build output."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from schemadoc.discover import files
from schemadoc.discover.files import Skipped, discover


def make_tree(root: Path, names: list[str]) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x = 1\n")


def displays(paths: list, root: Path, **kwargs: object) -> list[str]:
    return [f.display for f in discover(paths, root=root, **kwargs)]  # type: ignore[arg-type]


def test_walk_skips_environments_and_build_output(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        [
            "app/db.py",
            "app/schema.sql",
            "app/readme.txt",
            ".venv/lib/x.py",
            "venv/y.py",
            "node_modules/z.py",
            "build/b.py",
            "dist/d.py",
            ".tox/t.py",
            "pkg.egg-info/e.py",
            "lib/site-packages/s.py",
            "app/__pycache__/c.py",
        ],
    )
    assert displays([tmp_path], tmp_path) == ["app/db.py", "app/schema.sql"]


def test_git_tracked_and_untracked_but_not_ignored(tmp_path: Path) -> None:
    make_tree(tmp_path, ["tracked.py", "new.py", "ignored.py", "gen/out.py"])
    (tmp_path / ".gitignore").write_text("ignored.py\ngen/\n")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "add", "tracked.py", ".gitignore"], cwd=tmp_path, check=True)
    assert displays([tmp_path], tmp_path) == ["new.py", "tracked.py"]


def test_explicit_files_are_always_scanned(tmp_path: Path) -> None:
    make_tree(tmp_path, ["build/gen.py", "a.py"])
    got = displays([tmp_path / "build" / "gen.py", tmp_path], tmp_path)
    assert got == ["a.py", "build/gen.py"]


def test_include_and_exclude_globs(tmp_path: Path) -> None:
    make_tree(tmp_path, ["app/db.py", "app/models.py", "tests/test_db.py", "scripts/x.py"])
    skipped: list[Skipped] = []
    got = displays(
        [tmp_path], tmp_path, include=["app/*", "tests/*"], exclude=["test_*.py"], skipped=skipped
    )
    assert got == ["app/db.py", "app/models.py"]
    assert {(s.path, s.reason) for s in skipped} == {
        ("scripts/x.py", "not matched by include"),
        ("tests/test_db.py", "excluded"),
    }


def test_symlink_loops_end(tmp_path: Path) -> None:
    make_tree(tmp_path, ["pkg/a.py"])
    (tmp_path / "pkg" / "loop").symlink_to(tmp_path / "pkg")
    assert displays([tmp_path], tmp_path) == ["pkg/a.py"]


def test_order_and_separators_do_not_depend_on_the_input_order(tmp_path: Path) -> None:
    make_tree(tmp_path, ["b/x.py", "a/y.py", "c.py"])
    forward = displays([tmp_path / "b", tmp_path / "a", tmp_path / "c.py"], tmp_path)
    backward = displays([tmp_path / "c.py", tmp_path / "a", tmp_path / "b"], tmp_path)
    assert forward == backward == ["a/y.py", "b/x.py", "c.py"]


def test_a_folder_above_the_root_shows_the_files_below_the_root_relative_to_it(
    tmp_path: Path,
) -> None:
    make_tree(tmp_path, ["top.py", "app/db.py", "app/sub/x.py"])
    got = displays([tmp_path], tmp_path / "app")
    assert got == [f"{tmp_path.as_posix()}/top.py", "db.py", "sub/x.py"]


def test_a_folder_linked_twice_is_walked_once_under_its_first_name(tmp_path: Path) -> None:
    make_tree(tmp_path, ["b/real/a.py", "skip.txt"])
    (tmp_path / "a").symlink_to(tmp_path / "b" / "real")
    (tmp_path / "c").symlink_to(tmp_path / "b" / "real")
    found = discover([tmp_path], root=tmp_path)
    assert [f.display for f in found] == ["a/a.py"]
    assert Path(found[0].file).read_text() == "x = 1\n"


TEST_TREE = [
    "app/db.py",
    "app/testing_tools.py",  # a production module whose name merely starts with "test"
    "app/latest.py",
    "app/tests/test_db.py",
    "app/tests/helpers.py",
    "tests/conftest.py",
    "testing/fake.py",
    "test/old.py",
    "app/db_test.py",
    "test_top.py",
    "footest/test_a.py",
    "footest/test_b.py",
    "footest/util.py",
    "footest/deeper/schema.sql",
    "docs/conf.py",
    "examples/demo.py",
    "benchmarks/run.py",
    "fixtures/data.sql",
    "Tests/Upper.py",
    "app/fixtures.py",
    "app/db_fixtures.py",
    "vendor/left/pad.py",
    "app/_vendor/six.py",
    *(f"ext/pkg{i}/__init__.py" for i in range(7)),
    "ext/single.py",  # eight packages or modules side by side: other projects' code
]


def test_test_fixture_and_documentation_code_is_left_out(tmp_path: Path) -> None:
    make_tree(tmp_path, TEST_TREE)
    skipped: list[Skipped] = []
    assert displays([tmp_path], tmp_path, skipped=skipped) == [
        "app/db.py",
        "app/latest.py",
        "app/testing_tools.py",
    ]
    assert sorted(s.path for s in skipped if s.reason == "test code") == sorted(
        set(TEST_TREE) - {"app/db.py", "app/latest.py", "app/testing_tools.py"}
    )


def test_test_code_is_marked_when_included(tmp_path: Path) -> None:
    make_tree(tmp_path, TEST_TREE)
    found = discover([tmp_path], root=tmp_path, include_tests=True)
    assert sorted(f.display for f in found if not f.in_test) == [
        "app/db.py",
        "app/latest.py",
        "app/testing_tools.py",
    ]
    assert len(found) == len(TEST_TREE)


def test_a_folder_given_to_scan_is_scanned_whatever_its_name(tmp_path: Path) -> None:
    """The exclusions apply below the paths given: `fixtures/seed_project` is scanned."""
    make_tree(tmp_path, ["fixtures/seed/app/db.py", "fixtures/seed/app/tests/test_db.py"])
    assert displays([tmp_path / "fixtures" / "seed"], tmp_path) == ["fixtures/seed/app/db.py"]


def test_include_names_test_code_to_scan(tmp_path: Path) -> None:
    make_tree(tmp_path, ["app/db.py", "tests/test_db.py"])
    assert displays([tmp_path], tmp_path, include=["tests/*"]) == ["tests/test_db.py"]


def test_a_top_folder_of_a_few_packages_is_the_projects_own(tmp_path: Path) -> None:
    """``lib/`` with seven packages is scanned; with eight it is other projects' code; a
    ``lib`` below the top is the project's whatever it holds."""
    seven = [f"lib/p{i}/db.py" for i in range(7)]
    deep = [f"src/lib/m{i}.py" for i in range(9)]
    make_tree(tmp_path, [*seven, *deep])
    assert displays([tmp_path], tmp_path) == sorted([*seven, *deep])
    make_tree(tmp_path, ["lib/p7.py"])
    assert displays([tmp_path], tmp_path) == sorted(deep)


def test_git_listed_test_code_is_judged_as_walked(tmp_path: Path) -> None:
    """git lists a folder's files apart when a sub-folder sorts between them (``suite/b/``
    between ``suite/a_test.py`` and ``suite/c_test.py``): what is test code does not depend
    on it (``suite/`` is a test suite by its three modules together)."""
    suite = ["suite/a_test.py", "suite/b/x.py", "suite/c_test.py", "suite/d_util.py"]
    make_tree(tmp_path, [*TEST_TREE, *suite])
    walked = discover([tmp_path], root=tmp_path, include_tests=True)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    listed = discover([tmp_path], root=tmp_path, include_tests=True)
    assert [(f.display, f.in_test) for f in listed] == [(f.display, f.in_test) for f in walked]


def test_each_folder_is_judged_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_tree(tmp_path, [*TEST_TREE, *(f"app/m{i}.py" for i in range(50))])
    judged: list[str] = []
    made = files.test_folder

    def counting(suites: tuple[str, ...]) -> Callable[[str], bool]:
        check = made(suites)

        def counted(prefix: str) -> bool:
            judged.append(prefix)
            return check(prefix)

        return counted

    monkeypatch.setattr(files, "test_folder", counting)
    found = discover([tmp_path], root=tmp_path, include_tests=True)
    folders = {f.display.rpartition("/")[0] for f in found}
    assert sorted(judged) == sorted(f"{folder}/" if folder else "" for folder in folders)

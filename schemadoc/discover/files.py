"""Find the files to scan: git-aware, with include/exclude globs."""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISLNK, S_ISREG
from typing import NamedTuple

from .git import Listings
from .project import inside

SUFFIXES = (".py", ".pyi", ".sql")
TEST_CODE = "test code"  # the reason a test file is left out
SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        ".env",
        "env",
        "node_modules",
        "__pycache__",
        "build",
        "dist",
        ".tox",
        ".nox",
        "site-packages",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".eggs",
        ".schemadoc_cache",
    }
)


# Folders that hold a project's tests, fixtures, documentation, examples or benchmarks: not
# its production schema. Below the paths given, their files are left out unless asked for.
TEST_FOLDERS = frozenset(
    {
        "test",
        "tests",
        "testing",
        "fixture",
        "fixtures",
        "testdata",
        "test_data",
        "docs",
        "example",
        "examples",
        "benchmark",
        "benchmarks",
        # other projects' code, copied in
        "vendor",
        "vendored",
        "_vendor",
        "third_party",
        "thirdparty",
        "3rdparty",
    }
)
_TEST_NAMES = r"test_.*|.*_test|conftest"
_TEST_MODULE = re.compile(rf"(?:{_TEST_NAMES})\.py\Z")
_TEST_OR_FIXTURE_MODULE = re.compile(rf"(?:{_TEST_NAMES}|(?:.*_)?fixtures?)\.py\Z")
# Folders that hold other projects' code when they hold many of them (``ext/``, ``lib/``):
# at least VENDORED_PACKAGES packages or modules side by side.
_MAYBE_VENDORED = frozenset({"ext", "lib", "libs", "external", "externals", "deps"})
VENDORED_PACKAGES = 8


@dataclass(frozen=True)
class Found:
    """A file to scan: ``file`` on disk, ``display`` as shown in docs and diagnostics.
    ``outside``: a symbolic link to a file outside the project, never read. ``in_test``: test,
    fixture, documentation or example code, whose definitions never win over production's."""

    file: str
    display: str
    outside: bool = False
    in_test: bool = False

    @property
    def path(self) -> Path:
        return Path(self.file)


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


def display_path(path: Path | str, root: Path | str) -> str:
    """A stable, forward-slash path: relative to ``root`` when below it."""
    absolute = os.path.abspath(path)
    prefix = os.path.join(str(root), "")
    if absolute.startswith(prefix):
        absolute = absolute[len(prefix) :]
    return absolute.replace(os.sep, "/")


def _display_of(folder: str, root: str) -> Callable[[str], str]:
    """The display path of a folder given relative to ``folder`` (empty, or ending in a
    separator), as ``display_path`` would give it a file's, to be followed by the file's
    name; without a look at the disk."""
    inside, start = os.path.join(os.path.abspath(folder), ""), os.path.join(root, "")

    def display(relative: str) -> str:
        absolute = inside + relative
        if absolute.startswith(start):
            absolute = absolute[len(start) :]
        return absolute.replace(os.sep, "/")

    return display


def _matches(display: str, patterns: Iterable[str]) -> bool:
    name = display.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatchcase(display, p) or fnmatch.fnmatchcase(name, p) for p in patterns)


def _skipped_dir(name: str) -> bool:
    return name in SKIP_DIRS or name.endswith(".egg-info")


class Listing(NamedTuple):
    """What a folder holds: its sub-folders (name, path) and its source files (name, whether
    it is a symbolic link that leaves the boundary), each sorted; ``linked``: whether any of
    them is a symbolic link."""

    folders: list[tuple[str, str]]
    files: list[tuple[str, bool]]
    linked: bool = False


class Seen(NamedTuple):
    """A folder as discovery saw it: walked (its ``stat`` and ``listing``, below the real
    folder ``boundary``), or listed by git (the source files' ``names``, None when one of
    them is not a regular file on disk)."""

    path: str
    stat: os.stat_result | None = None
    listing: Listing | None = None
    boundary: str = ""
    names: tuple[str, ...] | None = None


def list_folder(path: str, boundary: str) -> Listing:
    """The sub-folders and source files in ``path``; nothing when it cannot be listed. A
    symbolic link to a folder counts as a folder when it stays inside ``boundary``."""
    folders, files, linked = [], [], False
    try:
        with os.scandir(path) as entries:
            for entry in entries:
                try:
                    link = entry.is_symlink()
                    out = link and not inside(os.path.realpath(entry.path), boundary)
                    is_dir = not out and entry.is_dir()
                except OSError:
                    link = out = is_dir = False
                if is_dir:
                    if not _skipped_dir(entry.name):
                        folders.append((entry.name, entry.path))
                        linked |= link
                elif entry.name.endswith(SUFFIXES):
                    files.append((entry.name, out))
                    linked |= link
    except OSError:
        return Listing([], [])
    return Listing(sorted(folders), sorted(files), linked)


# The files of one folder: the folder relative to the folder scanned (empty, or ending in a
# separator), and each file's name with whether it is a symbolic link out of the boundary.
Group = tuple[str, list[tuple[str, bool]]]


def _walk(folder: str, boundary: str, seen: list[Seen] | None) -> Iterator[Group]:
    """Source files below ``folder``, by folder: depth first in name order, skipping
    SKIP_DIRS, each folder once (so symlink loops end), never into a folder outside
    ``boundary``. Each folder walked is added to ``seen``."""
    visited: set[tuple[int, int]] = set()
    todo = [(folder, "")]  # (path on disk, prefix of the relative names below it)
    while todo:
        path, prefix = todo.pop()
        try:
            st = os.stat(path)
        except OSError:
            continue
        if (st.st_dev, st.st_ino) in visited:  # symlink loop, or a second link to a folder
            continue
        visited.add((st.st_dev, st.st_ino))
        listing = list_folder(path, boundary)
        if seen is not None:
            seen.append(Seen(path, st, listing, boundary))
        todo.extend((sub, f"{prefix}{name}{os.sep}") for name, sub in reversed(listing.folders))
        if listing.files:
            yield prefix, listing.files


def _git_listed(
    folder: str, names: list[str], boundary: str, seen: list[Seen] | None
) -> Iterator[Group]:
    """git's ``names`` below ``folder`` that are on disk, by runs of one folder (git lists a
    link, never what is below a linked folder). The folder is added to ``seen``."""
    on_disk = os.path.join(folder, "")
    group: Group = ("", [])
    sources: list[str] | None = []
    for relative in names:
        if not relative.endswith(SUFFIXES):
            continue
        try:
            mode = os.lstat(on_disk + relative).st_mode
        except OSError:
            sources = None
            continue
        if not S_ISREG(mode):
            sources = None
        if not (S_ISLNK(mode) or S_ISREG(mode)):
            continue
        if sources is not None:
            sources.append(relative)
        out = S_ISLNK(mode) and not inside(os.path.realpath(on_disk + relative), boundary)
        prefix, _, name = relative.rpartition(os.sep)
        prefix += os.sep if prefix else ""
        if prefix != group[0]:
            if group[1]:
                yield group
            group = (prefix, [])
        group[1].append((name, out))
    if group[1]:
        yield group
    if seen is not None:
        seen.append(Seen(folder, names=None if sources is None else tuple(sources)))


def _test_suites(groups: Sequence[Group]) -> tuple[str, ...]:
    """Folders (relative, ending in a separator) of test suites by other names: at least two
    Python files, half of them or more test modules (``test_*.py``, ``*_test.py``,
    ``conftest.py``)."""
    counts: dict[str, list[int]] = {}
    for prefix, files in groups:
        if prefix:
            count = counts.setdefault(prefix, [0, 0])
            for name, _ in files:
                if name.endswith(".py"):
                    count[0] += 1
                    count[1] += bool(_TEST_MODULE.match(name))
    return tuple(
        prefix for prefix, (files, tests) in counts.items() if tests >= 2 and 2 * tests >= files
    )


def _vendored(groups: Sequence[Group]) -> tuple[str, ...]:
    """Top folders (relative, ending in a separator) named like a place for other projects'
    code (``ext``, ``lib``, ...) that hold at least VENDORED_PACKAGES packages or modules."""
    held: dict[str, set[str]] = {}
    for prefix, files in groups:
        top, _, below = prefix.partition(os.sep)
        if not prefix or top.lower() not in _MAYBE_VENDORED:
            continue
        modules = [name for name, _ in files if name.endswith(".py")]
        if modules:
            held.setdefault(top, set()).update(
                [below.partition(os.sep)[0].removesuffix(".py")]
                if below
                else [name.removesuffix(".py") for name in modules]
            )
    return tuple(top + os.sep for top, tops in held.items() if len(tops) >= VENDORED_PACKAGES)


def test_folder(suites: Sequence[str]) -> Callable[[str], bool]:
    """Whether a folder (relative to a folder given to scan, ending in a separator) holds
    test, fixture, documentation, example or benchmark code: by its name or a folder it is
    in, or a test suite it is in. A file is also test code by its name (``test_file``)."""
    prefixes = tuple(suites)

    def check(prefix: str) -> bool:
        return any(part.lower() in TEST_FOLDERS for part in prefix.split(os.sep)) or (
            bool(prefix) and prefix.startswith(prefixes)
        )

    return check


def test_file(name: str) -> bool:
    """Whether a file's name says it is test or fixture code."""
    return _TEST_OR_FIXTURE_MODULE.match(name) is not None


def _skipped_by_dir(prefix: str) -> bool:
    return any(_skipped_dir(p) for p in prefix.split(os.sep)[:-1])


def _left_out(
    display: str,
    in_test: bool,
    include: Sequence[str],
    exclude: Sequence[str],
    include_tests: bool,
) -> str | None:
    """Why a file found in a folder is not scanned, if it is not."""
    if include and not _matches(display, include):
        return "not matched by include"
    if in_test and not include_tests and not include:
        return TEST_CODE
    if exclude and _matches(display, exclude):
        return "excluded"
    return None


def _below(
    folder: str, top: str, listings: Listings, seen: list[Seen] | None
) -> Iterator[tuple[Found, bool]]:
    """The source files below ``folder`` (a folder given to scan), by git's view or a walk,
    each with whether git lists it in a folder that a walk skips. Folders are judged for
    test code once each."""
    display_of, on_disk = _display_of(folder, top), os.path.join(folder, "")
    listed, boundary = listings.of(folder), listings.boundary(folder)
    groups = list(
        _walk(folder, boundary, seen)
        if listed is None
        else _git_listed(folder, listed, boundary, seen)
    )
    judged: dict[str, bool] = {}
    is_test_folder = test_folder(_test_suites(groups) + _vendored(groups))
    for prefix, files in groups:
        if prefix not in judged:
            judged[prefix] = is_test_folder(prefix)
        shown, skipped_dir = display_of(prefix), listed is not None and _skipped_by_dir(prefix)
        for name, outside in files:
            in_test = judged[prefix] or test_file(name)
            yield Found(on_disk + prefix + name, shown + name, outside, in_test), skipped_dir


def discover(
    paths: Sequence[str | Path],
    *,
    root: Path | str | None = None,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    skipped: list[Skipped] | None = None,
    outputs: Sequence[str] = (),
    listings: Listings | None = None,
    include_tests: bool = False,
    seen: list[Seen] | None = None,
) -> list[Found]:
    """Files to scan below ``paths``, sorted by display path, each listed once.

    Files named explicitly are always scanned. In folders, git's view is used when the folder
    is in a work tree (tracked and untracked-but-not-ignored files; git runs once, from
    ``root``, for every folder inside it), else a walk that skips virtualenvs, caches and
    build output and never follows a symbolic link out of ``root`` (or out of a folder
    outside it). ``include`` limits and ``exclude`` removes files by glob, matched against
    the display path and the file name. ``outputs``, the files schemadoc writes, are never
    scanned. Test code below a folder given (see ``test_folder`` and ``test_file``) is left
    out, unless ``include_tests`` or ``include`` names it; then it is marked ``in_test``.
    ``listings`` keeps git's view for the caller; ``seen`` receives each folder walked or
    listed (see ``Seen``).
    """
    top = os.path.abspath(root or os.getcwd())
    listings = listings or Listings(top)
    found: dict[str, Found] = {}
    written = {display_path(path, top) for path in outputs}

    def skip(display: str, reason: str) -> None:
        if skipped is not None:
            skipped.append(Skipped(display, reason))

    for given in paths:
        folder = os.fspath(given)
        if not os.path.isdir(folder):
            # Named explicitly: always scanned; a missing file is reported by the reader.
            display = display_path(folder, top)
            found.setdefault(display, Found(folder, display))
            continue
        for item, skipped_dir in _below(folder, top, listings, seen):
            reason = (
                "in a skipped folder"
                if skipped_dir
                else _left_out(item.display, item.in_test, include, exclude, include_tests)
            ) or ("written by schemadoc" if item.display in written else None)
            if reason is not None:
                skip(item.display, reason)
                continue
            found.setdefault(item.display, item)
    return [found[k] for k in sorted(found)]

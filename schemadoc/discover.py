"""Find the files to scan: git-aware, with include/exclude globs."""

from __future__ import annotations

import fnmatch
import os
import subprocess
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

SUFFIXES = (".py", ".pyi", ".sql")
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


@dataclass(frozen=True)
class Found:
    """A file to scan: ``file`` on disk, ``display`` as shown in docs and diagnostics."""

    file: str
    display: str

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
    """The display path of a file given relative to ``folder``, as ``display_path`` would
    give it, without a look at the disk per file."""
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


def _git_files(folder: str) -> list[str] | None:
    """Tracked plus untracked-but-not-ignored files below ``folder``, relative to it and
    sorted; None outside a work tree."""
    try:
        proc = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "."],
            cwd=folder,
            capture_output=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0:
        return None
    names = {n for n in proc.stdout.decode("utf-8", "surrogateescape").split("\0") if n}
    return [n.replace("/", os.sep) for n in sorted(names)]


def _skipped_dir(name: str) -> bool:
    return name in SKIP_DIRS or name.endswith(".egg-info")


def _listing(path: str) -> tuple[list[tuple[str, str]], list[str]]:
    """The sub-folders (name, path) and the source file names in ``path``, each sorted;
    nothing when it cannot be listed. Symbolic links to folders count as folders."""
    folders, files = [], []
    try:
        with os.scandir(path) as entries:
            for entry in entries:
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    is_dir = False
                if is_dir:
                    if not _skipped_dir(entry.name):
                        folders.append((entry.name, entry.path))
                elif entry.name.endswith(SUFFIXES):
                    files.append(entry.name)
    except OSError:
        return [], []
    return sorted(folders), sorted(files)


def _walk(folder: str) -> Iterator[str]:
    """Source files below ``folder``, relative to it: depth first in name order, skipping
    SKIP_DIRS, each folder once (so symlink loops end)."""
    seen: set[tuple[int, int]] = set()
    todo = [(folder, "")]  # (path on disk, prefix of the relative names below it)
    while todo:
        path, prefix = todo.pop()
        try:
            st = os.stat(path)
        except OSError:
            continue
        if (st.st_dev, st.st_ino) in seen:  # symlink loop, or a second link to a folder
            continue
        seen.add((st.st_dev, st.st_ino))
        folders, files = _listing(path)
        todo.extend((sub, f"{prefix}{name}{os.sep}") for name, sub in reversed(folders))
        for name in files:
            yield prefix + name


def _skipped_by_dir(relative: str) -> bool:
    return any(_skipped_dir(p) for p in relative.split(os.sep)[:-1])


def discover(
    paths: Sequence[str | Path],
    *,
    root: Path | str | None = None,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    skipped: list[Skipped] | None = None,
) -> list[Found]:
    """Files to scan below ``paths``, sorted by display path, each listed once.

    Files named explicitly are always scanned. In folders, git's view is used when the folder
    is in a work tree (tracked and untracked-but-not-ignored files), else a walk that skips
    virtualenvs, caches and build output. ``include`` limits and ``exclude`` removes files by
    glob, matched against the display path and the file name.
    """
    top = os.path.abspath(root or os.getcwd())
    found: dict[str, Found] = {}

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
        display_of, on_disk = _display_of(folder, top), os.path.join(folder, "")
        listed = _git_files(folder)
        for relative in listed if listed is not None else _walk(folder):
            if not relative.endswith(SUFFIXES):
                continue
            display = display_of(relative)
            file = on_disk + relative
            if listed is not None and _skipped_by_dir(relative):
                skip(display, "in a skipped folder")
                continue
            if include and not _matches(display, include):
                skip(display, "not matched by include")
                continue
            if exclude and _matches(display, exclude):
                skip(display, "excluded")
                continue
            if listed is not None and not os.path.isfile(file):
                skip(display, "listed by git but not on disk")
                continue
            found.setdefault(display, Found(file, display))
    return [found[k] for k in sorted(found)]

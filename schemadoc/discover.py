"""Find the files to scan: git-aware, with include/exclude globs."""

from __future__ import annotations

import fnmatch
import os
import subprocess
from collections.abc import Iterable, Iterator, Sequence
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
    """A file to scan: ``path`` on disk, ``display`` as shown in docs and diagnostics."""

    path: Path
    display: str


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


def display_path(path: Path | str, root: Path) -> str:
    """A stable, forward-slash path: relative to ``root`` when below it."""
    absolute = os.path.abspath(path)
    prefix = os.path.join(str(root), "")
    if absolute.startswith(prefix):
        absolute = absolute[len(prefix) :]
    return absolute.replace(os.sep, "/")


def _matches(display: str, patterns: Iterable[str]) -> bool:
    name = display.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatchcase(display, p) or fnmatch.fnmatchcase(name, p) for p in patterns)


def _git_files(folder: Path) -> list[Path] | None:
    """Tracked plus untracked-but-not-ignored files below ``folder``; None outside a work tree."""
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
    return [folder / n for n in sorted(names)]


def _walk(folder: Path) -> Iterator[str]:
    seen: set[tuple[int, int]] = set()
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=True):
        try:
            st = os.stat(dirpath)
        except OSError:
            dirnames[:] = []
            continue
        if (st.st_dev, st.st_ino) in seen:  # symlink loop
            dirnames[:] = []
            continue
        seen.add((st.st_dev, st.st_ino))
        dirnames[:] = sorted(
            d for d in dirnames if d not in SKIP_DIRS and not d.endswith(".egg-info")
        )
        for name in sorted(filenames):
            yield os.path.join(dirpath, name)


def _skipped_by_dir(relative_parts: Sequence[str]) -> bool:
    return any(p in SKIP_DIRS or p.endswith(".egg-info") for p in relative_parts[:-1])


def discover(
    paths: Sequence[str | Path],
    *,
    root: Path | None = None,
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
    root = Path(os.path.abspath(root or Path.cwd()))
    found: dict[str, Found] = {}

    def skip(display: str, reason: str) -> None:
        if skipped is not None:
            skipped.append(Skipped(display, reason))

    for given in paths:
        path = Path(given)
        if not path.is_dir():
            # Named explicitly: always scanned; a missing file is reported by the reader.
            display = display_path(path, root)
            found.setdefault(display, Found(path, display))
            continue
        listed = _git_files(path)
        candidates = listed if listed is not None else _walk(path)
        for file in candidates:
            if not str(file).endswith(SUFFIXES):
                continue
            display = display_path(file, root)
            if listed is not None and _skipped_by_dir(Path(file).relative_to(path).parts):
                skip(display, "in a skipped folder")
                continue
            if include and not _matches(display, include):
                skip(display, "not matched by include")
                continue
            if exclude and _matches(display, exclude):
                skip(display, "excluded")
                continue
            if listed is not None and not Path(file).is_file():
                skip(display, "listed by git but not on disk")
                continue
            found.setdefault(display, Found(Path(file), display))
    return [found[k] for k in sorted(found)]

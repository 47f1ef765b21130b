"""The survey: find the files, and tell from the cache and each file's size, time and hash what
changed since the cached run; only changed files are read. Imports neither libcst nor sqlglot."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG
from typing import Any

from ..config import Settings
from ..discover.files import TEST_CODE, Found, Seen, Skipped, discover
from ..discover.git import Listings
from ..discover.project import ConfinementError
from ..discover.source import class_lines, decode_source, may_hold_ddl, token_estimate
from ..model.diagnostics import SD104, SD107, SD108
from ..model.schema import Diagnostic
from ..render.formats import SQL_HEADER
from . import snapshot, store
from .cache import Cache, Invalid, digest
from .changes import FileState, Survey, cache_entry, cache_folder, cached_state, open_cache
from .snapshot import Listed, Settled

Progress = Callable[[str, int, int], None]  # (stage, done, total)

DENSE_CHECK_BYTES = 64 * 1024  # Python files from this size on have their tokens counted


def _read(found: Found) -> tuple[bytes | None, Diagnostic | None]:
    try:
        return found.path.read_bytes(), None
    except FileNotFoundError:
        why = "file vanished before it could be read"
    except IsADirectoryError:
        why = "is a directory, not a file"
    except OSError as exc:
        why = f"cannot read file: {exc.strerror or exc}"
    return None, SD104(why, found.display, 0, 0)


def _unreadable(found: Found, stat: os.stat_result | None, limit: int) -> Diagnostic | None:
    """Why a found file is not read: a symbolic link out of the project; a FIFO, socket or
    device named like a source file (it would block or mislead a read); a file over the
    size limit."""
    if found.outside:
        why = "a symbolic link to outside the project; not read"
        return SD108(why, found.display, 0, 0)
    if stat is not None and not S_ISREG(stat.st_mode):
        return SD104("not a regular file", found.display, 0, 0)
    if stat is not None and stat.st_size > limit:
        why = f"{stat.st_size:,} bytes, over the {limit:,} bytes of max_file_size; not analysed"
        return SD107(why, found.display, 0, 0)
    return None


def _too_dense(found: Found, data: bytes, limit: int) -> Diagnostic | None:
    """A Python file whose parse would cost far more than its size tells (a tuple of a
    million numbers): more tokens than a sixteenth of ``max_file_size``."""
    if len(data) < DENSE_CHECK_BYTES or not found.display.endswith((".py", ".pyi")):
        return None
    tokens = token_estimate(data)
    if tokens <= limit // 16:
        return None
    why = (
        f"about {tokens:,} tokens, over the {limit // 16:,} that max_file_size ({limit:,} "
        "bytes) allows; not analysed"
    )
    return SD107(why, found.display, 0, 0)


def _survey_file(item: Found, settings: Settings, cache: Cache, out: Survey) -> None:
    """Record a found file in ``out``: its state (the cached one while the file is unchanged,
    else read from the file), or why it is not read."""
    entry = cache.entry(item.display)
    try:
        stat: os.stat_result | None = os.stat(item.file)
    except OSError:
        stat = None
    if out.stamps is not None and stat is not None and S_ISREG(stat.st_mode):
        snapshot.stamp(out.stamps, item, stat)
    else:
        out.stamps = None  # the snapshot could not tell this file unchanged
    unreadable = _unreadable(item, stat, settings.max_file_size)
    if unreadable:
        out.diagnostics.append(unreadable)
        return
    try:
        out.files[item.display] = cached_state(item, entry or {}, stat)
        return
    except (KeyError, ValueError, TypeError, Invalid):
        pass
    data, problem = _read(item)
    if data is None or (problem := _too_dense(item, data, settings.max_file_size)):
        out.diagnostics.append(problem)  # type: ignore[arg-type]
        return
    if item.display.endswith(".sql") and data.startswith(SQL_HEADER.encode()):
        return  # a schema schemadoc wrote: never read back as a second definition
    state = FileState(item.display, item.file, digest(data), may_hold_ddl(data), [], len(data))
    changed = entry is None or store.content_hash(cache, item.display) != state.hash
    if item.display.endswith((".py", ".pyi")):
        state.classes = class_lines(data)
    if item.display.endswith(".sql"):
        state.text = data.decode("utf-8", "replace") if state.ddl else None
    elif state.ddl:  # other files are read again only if extraction needs them
        state.text, problem = decode_source(data, item.display)
        if problem and state.ddl:
            state.problems.append(problem)
    if changed:
        out.changed.add(item.display)
        out.previous[item.display] = entry
    out.files[item.display] = state
    if stat is not None:
        cache.put(item.display, cache_entry(state, stat))


def survey(
    paths: Sequence[str | Path],
    settings: Settings,
    progress: Progress | None = None,
    *,
    cache: Cache | None = None,
    listings: Listings | None = None,
    listed: Listed | None = None,
) -> Survey:
    """Find the files and what changed since the cached run; reads only changed files.

    ``cache`` and ``listings``, when given, replace the project's cache folder and git's
    view of the project (a revision read from git objects brings its own). ``listed``: the
    files, when the tree's snapshot shows that discovery would find them again."""
    root = Path(settings.root).resolve()
    folder = cache_folder(settings) if cache is None else None
    listings = listings or Listings(str(root))
    started = time.time_ns()
    if listed is None:
        found, left_out, folders = _discovered(paths, settings, root, listings, started)
    else:
        found, left_out, folders = listed.found, listed.left_out, listed.folders
    out = Survey(settings, Cache.open(None), {}, set(), len(found), started=started)
    out.left_out, out.folders = left_out, folders
    if folder is None:
        out.stamps = None  # no snapshot without the project's own cache
    out.tests = frozenset(item.display for item in found if item.in_test)
    out.cache = cache = open_cache(folder, listings, out) if cache is None else cache
    for number, item in enumerate(found, 1):
        if progress and number % 256 == 0:
            progress("scanned", number, len(found))
        _survey_file(item, settings, cache, out)
    for display in set(cache.files) - set(out.files):
        out.changed.add(display)
        out.previous[display] = cache.files[display]
    return out


def _discovered(
    paths: Sequence[str | Path], settings: Settings, root: Path, listings: Listings, started: int
) -> tuple[list[Found], int, list[list[Any]] | None]:
    """The files found, how many were left out as test code, and the snapshot's record of
    the folders seen."""
    skipped: list[Skipped] = []
    seen: list[Seen] = []
    found = discover(
        paths,
        root=root,
        include=settings.include,
        exclude=settings.exclude,
        skipped=skipped,
        outputs=settings.outputs,
        listings=listings,
        include_tests=settings.include_tests,
        seen=seen,
    )
    left_out = sum(1 for s in skipped if s.reason == TEST_CODE)
    return found, left_out, snapshot.folders_of(seen, started)


@dataclass(frozen=True)
class Look:
    """What the tree's snapshot tells (see ``snapshot.settled``), the cache it is in (its
    file table not read) and git's view of the project, as asked for it."""

    cache: Cache
    listings: Listings
    listed: Listed | None
    settled: Settled | None


def look(paths: Sequence[str | Path], settings: Settings) -> Look | None:
    """What the snapshot the last survey of ``paths`` took tells of the tree now; None
    without a cache that can be used."""
    try:
        folder = cache_folder(settings)
    except ConfinementError:
        return None  # the survey says why
    listings = Listings(str(Path(settings.root).resolve()))
    if folder is None or listings.tracks(str(folder)):
        return None
    cache = Cache.open(folder, table=False)
    key = snapshot.run_key(paths, settings)
    return Look(cache, listings, *snapshot.settled(cache.snapshot(), key, paths, listings))

"""The tree as a survey saw it, kept so that the next run can tell that nothing changed
without discovering the files again or reading the cache's file table.

A snapshot holds what discovery saw of each folder (in a walk: its time, inode and a digest
of its listing; in a git work tree: a digest of the source files git lists) and each file's
size and time. A later run with the same paths and settings checks them: a folder whose
time moved is listed again (an editor's swap file came and went, or the last run wrote its
document there: the listing is the same), git is asked again, and every file is looked at
once. When all hold, the files are those the last survey found, with the contents it found
as far as their sizes and times tell (as the cache's file table trusts them), and so the
schema's fingerprint is the one it recorded.

No snapshot is taken of a tree with a symbolic link among its folders or source files, with
a file git lists that is not a regular file on disk, or with a file changed since shortly
before the survey (a change within the same tick of the file system's clock would leave its
time as it was). A folder changed then is recorded without its time: it is listed again.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from stat import S_ISREG
from typing import Any

from ..config import Settings
from ..discover.files import SUFFIXES, Found, Listing, Seen, list_folder
from ..discover.git import Listings
from .cache import Invalid, expect
from .changes import Survey

RECENT_NS = 2_000_000_000  # what changed this shortly before a survey began is not trusted


@dataclass(frozen=True)
class Listed:
    """The files the last survey found, when discovery would find the same again: the
    folders hold. ``folders`` is the snapshot's proof of it, still good."""

    found: list[Found]
    left_out: int
    folders: list[list[Any]]


@dataclass(frozen=True)
class Settled:
    """What the last survey found, when nothing changed since."""

    fingerprint: str
    found: int
    left_out: int


def run_key(paths: Sequence[str | Path], settings: Settings) -> str:
    """What the files found depend on besides the tree: the paths given, the working folder
    and the settings."""
    given = [os.fspath(p) for p in paths]  # as given: the paths recorded are relative to them
    parts = [repr(given), os.getcwd(), os.path.realpath(settings.root)]
    parts.append(repr(replace(settings, paths=())))
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def folders_of(seen: list[Seen], started: int) -> list[list[Any]] | None:
    """The snapshot's record of the folders discovery ``seen`` in a survey that began at
    ``started``; None when one could not be told unchanged later."""
    folders = [_folder(one, started - RECENT_NS) for one in seen]
    return None if None in folders else folders  # type: ignore[return-value]


def stamp(stamps: list[list[Any]], found: Found, stat: os.stat_result) -> None:
    """Add the file ``found`` to ``stamps``, the files by folder (in the order found):
    [folder on disk, folder shown, [[name, size, time, in test], ...]], each folder with
    its separator (the name is the same on disk and shown)."""
    head, sep, name = found.file.rpartition(os.sep)
    shown_head, slash, _ = found.display.rpartition("/")
    on_disk, shown = head + sep, shown_head + slash
    row = [name, stat.st_size, stat.st_mtime_ns, found.in_test]
    if stamps and stamps[-1][:2] == [on_disk, shown]:
        stamps[-1][2].append(row)
    else:
        stamps.append([on_disk, shown, [row]])


def taken(s: Survey, key: str) -> dict[str, Any] | None:
    """The snapshot of the survey ``s`` (a JSON value), if the tree allows one."""
    since = s.started - RECENT_NS
    if s.folders is None or s.stamps is None:
        return None
    if any(row[2] >= since for _, _, rows in s.stamps for row in rows):
        return None
    return {
        "key": key,
        "folders": s.folders,
        "files": s.stamps,
        "fingerprint": s.fingerprint,
        "found": s.found,
        "left_out": s.left_out,
    }


def settled(
    raw: dict[str, Any], key: str, paths: Sequence[str | Path], listings: Listings
) -> tuple[Listed | None, Settled | None]:
    """From the snapshot ``raw``, if it was taken with ``key`` and the folders are as they
    were: what it recorded, if the files are too; else the files the last survey found.
    (None, None) otherwise, and for what is not a snapshot."""
    try:
        if raw.get("key") != key:
            return None, None
        walked = {os.fspath(p) for p in paths}  # a folder given is walked if git has none
        folders, files = expect(raw["folders"], list), expect(raw["files"], list)
        if not all(_holds(expect(f, list), listings, walked) for f in folders):
            return None, None
        left_out = expect(raw["left_out"], int)
        if not _same_files(files):
            return Listed(_found(files), left_out, folders), None
        fingerprint = expect(raw["fingerprint"], str)
        return None, Settled(fingerprint, expect(raw["found"], int), left_out)
    except (KeyError, IndexError, TypeError, ValueError, Invalid):
        return None, None


def _found(files: list[Any]) -> list[Found]:
    """The files found, from the snapshot's record of them (see ``stamp``)."""
    found = [
        Found(expect(on_disk, str) + name, expect(shown, str) + name, False, bool(in_test))
        for on_disk, shown, rows in files
        for name, _, _, in_test in rows
    ]
    if [f.display for f in found] != sorted({f.display for f in found}):
        raise Invalid("files not as discovery lists them")
    return found


def _folder(seen: Seen, since: int) -> list[Any] | None:
    """[path, time or None, inode, boundary, digest] of a folder walked; [path, None, None,
    None, digest] of one git listed; None when it cannot be told unchanged later."""
    if seen.listing is None:
        return None if seen.names is None else [seen.path, None, None, None, _digest(seen.names)]
    if seen.listing.linked or seen.stat is None:
        return None
    mtime = seen.stat.st_mtime_ns
    digest = _listed(seen.listing)
    return [seen.path, mtime if mtime < since else None, seen.stat.st_ino, seen.boundary, digest]


def _holds(folder: list[Any], listings: Listings, walked: set[str]) -> bool:
    path, mtime, inode, boundary, digest = folder
    expect(path, str)
    if boundary is None:  # listed by git
        names = listings.of(path)
        return names is not None and _digest(_sources(names)) == digest
    if path in walked and listings.of(path) is not None:
        return False  # now in a git work tree: git lists it
    try:
        st = os.stat(path)
    except OSError:
        return False
    if st.st_ino != inode:
        return False
    if mtime is not None and st.st_mtime_ns == mtime:
        return True
    listing = list_folder(path, expect(boundary, str))
    return not listing.linked and _listed(listing) == digest


def _same_files(files: list[Any]) -> bool:
    """Whether each file (see ``stamp``) is a regular file of the size and time recorded (a
    loop with nothing else in it: it runs once for each file of the tree)."""
    lstat = os.lstat
    for on_disk, _, rows in files:
        if type(on_disk) is not str:
            raise Invalid("a folder's path")
        for name, size, mtime, _ in rows:
            if type(name) is not str:
                raise Invalid("a file's name")
            try:
                st = lstat(on_disk + name)
            except OSError:
                return False
            if st.st_mtime_ns != mtime or st.st_size != size or not S_ISREG(st.st_mode):
                return False
    return True


def _sources(names: list[str]) -> list[str]:
    return [n for n in names if n.endswith(SUFFIXES)]


def _listed(listing: Listing) -> str:
    return _digest([name for name, _ in listing.folders] + ["/"] + [n for n, _ in listing.files])


def _digest(names: Sequence[str]) -> str:
    data = "\0".join(names).encode("utf-8", "surrogateescape")
    return hashlib.blake2b(data, digest_size=16).hexdigest()

"""Reusing a rendered document: its key, and whether the target file holds it."""

from __future__ import annotations

import hashlib
import os
from dataclasses import replace
from pathlib import Path
from stat import S_ISREG

from ..config import Settings
from ..discover.project import MAX_TEMPLATE_BYTES, read_inside
from ..model.errors import UserError
from .cache import (
    Cache,
    digest,
)


def file_stamp(stat: os.stat_result) -> list[int]:
    """What changes whenever a file is written: its size, times and inode."""
    return [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]


def templates_fingerprint(settings: Settings) -> str:
    """Identifies the templates a document is rendered with. The project's own are read as
    their loader reads them (see ``templates.ProjectLoader``); one it would refuse is left
    out here, and fails the rendering."""
    here = Path(__file__).resolve().parent.parent  # the package
    h = hashlib.sha256()
    for folder in (here / "templates", here.parent / "templates"):
        for path in sorted(folder.glob("*.j2")) if folder.is_dir() else ():
            h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    if settings.templates:
        folder = Path(settings.root) / settings.templates
        for path in sorted(folder.glob("*.j2")) if folder.is_dir() else ():
            try:
                data = read_inside(path, settings.root, MAX_TEMPLATE_BYTES)
            except (OSError, UserError):
                continue
            h.update(b"project/" + path.name.encode() + b"\0" + (data or b"") + b"\0")
    return h.hexdigest()


def holds_document(cache: Cache, key: str, target: Path) -> bool:
    """Whether the file ``target`` holds the document cached under ``key``: told by its stamp
    when the cache knows it, else by its bytes (and then the cache learns its stamp)."""
    sha, name = cache.sha(key), os.path.abspath(target)
    try:
        stat = os.stat(target)
        if sha is None or not S_ISREG(stat.st_mode):
            return False
        if cache.holds(name, file_stamp(stat), key):
            return True
        with open(target, "rb") as f:
            data = f.read()
    except OSError:
        return False
    if digest(data) != sha:
        return False
    cache.put_target(name, file_stamp(stat), key)
    return True


def document_key(fingerprint: str, settings: Settings, templates: str) -> str:
    parts = [fingerprint, repr(replace(settings, paths=())), templates]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()

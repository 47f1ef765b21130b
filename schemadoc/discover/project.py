"""The project folder, and the paths a hostile repository's settings may name.

A repository's ``pyproject.toml``, symlinks and files are written by whoever opened the pull
request. Every path schemadoc writes, compares or loads templates from must resolve, symlinks
followed, to a place inside the project root (the folder of the settings file, else the
working directory), outside ``.git`` and the other version-control folders; what exists
there must be a regular file (or a folder where one is expected), and it is read only up to
a bound. Anything else is a :class:`ConfinementError` that names the setting.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from ..model.errors import UserError

VCS_FOLDERS = frozenset({".git", ".hg", ".svn", ".bzr", ".jj", "_darcs"})  # hooks live there
MAX_TEMPLATE_BYTES = 1024 * 1024  # a project's template is never read past this


class ConfinementError(UserError):
    """A setting names a path schemadoc must not read or write."""


class TooLarge(UserError):
    """A file is larger than what schemadoc reads of it."""


def inside(path: str, root: str) -> bool:
    """Whether the real path ``path`` is ``root`` or lies below it."""
    return path == root or path.startswith(os.path.join(root, ""))


def vcs_folder(path: str, root: str) -> str | None:
    """The version-control folder (``.git``...) that ``path`` (below ``root``) is in, in any
    letter case, if any."""
    parts = Path(os.path.relpath(path, root)).parts
    return next((part for part in parts if part.casefold() in VCS_FOLDERS), None)


_KINDS = {
    "file": ((stat.S_ISREG,), "a regular file"),
    "folder": ((stat.S_ISDIR,), "a folder"),
    "any": ((stat.S_ISREG, stat.S_ISDIR), "a regular file or a folder"),
}


def confine(setting: str, path: str | Path, root: str | Path, *, kind: str = "file") -> Path:
    """The real path of ``path`` (relative to the working directory): inside ``root``,
    outside ``.git``, and, when it exists, of ``kind`` (``file``, ``folder`` or ``any``)."""
    top, name = os.path.realpath(root), f"{setting} {as_given(path)!r}"
    real = os.path.realpath(path)
    if not inside(real, top):
        raise ConfinementError(f"{name} is outside the project folder {top}")
    folder = vcs_folder(real, top)
    if folder:
        raise ConfinementError(f"{name} is inside {folder}")
    try:
        mode = os.stat(real).st_mode
    except (FileNotFoundError, NotADirectoryError):  # not there (yet)
        return Path(real)
    except OSError as exc:
        raise ConfinementError(f"{name}: {exc.strerror}") from exc
    tests, wanted = _KINDS[kind]
    if not any(test(mode) for test in tests):
        raise ConfinementError(f"{name} is not {wanted}")
    return Path(real)


def as_given(path: str | Path) -> str:
    """``path`` relative to the working directory when it lies below it."""
    relative = os.path.relpath(os.path.abspath(path))
    return os.fspath(path) if relative.startswith(os.pardir) else relative


def read_bounded(path: str | Path, limit: int) -> bytes | None:
    """The bytes of the regular file ``path``, None if it does not exist.

    Never blocks (a FIFO is refused, not opened for a writer) and never reads more than
    ``limit`` bytes: a longer file raises :class:`TooLarge`, a device or folder OSError.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return None
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", os.fspath(path))
        data = f.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"{os.fspath(path)} is larger than {limit:,} bytes")
    return data


def read_inside(path: str | Path, root: str | Path, limit: int) -> bytes | None:
    """``read_bounded`` of ``path`` when its real path lies inside ``root``; None when it
    does not exist. A path that leaves ``root`` raises :class:`ConfinementError`."""
    if not inside(os.path.realpath(path), os.path.realpath(root)):
        raise ConfinementError(f"{os.fspath(path)} is outside the project folder")
    return read_bounded(path, limit)


__all__ = [
    "MAX_TEMPLATE_BYTES",
    "VCS_FOLDERS",
    "ConfinementError",
    "TooLarge",
    "confine",
    "inside",
    "read_bounded",
    "read_inside",
    "vcs_folder",
]


def shown(path: str | Path) -> str:
    """``path`` relative to the working directory when it lies below it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)

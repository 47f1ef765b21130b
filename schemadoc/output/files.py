"""Write outputs atomically, or compare them with what is on disk (check mode).

``tempfile`` and ``difflib`` are imported only when a file is written or a diff shown: a
run with nothing to write does without them.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
from pathlib import Path

from ..discover.project import TooLarge, read_bounded


def read_text(path: Path, limit: int) -> str | None:
    """The text of the regular file ``path`` with its line endings as they are, or None if it
    does not exist. Raises :class:`~schemadoc.discover.project.TooLarge` past ``limit`` bytes, and
    OSError or UnicodeDecodeError when it cannot be read as UTF-8 text."""
    data = read_bounded(path, limit)
    return None if data is None else data.decode("utf-8")


def holds(path: Path, content: str) -> bool:
    """Whether the regular file ``path`` holds exactly ``content`` (read no further)."""
    encoded = content.encode("utf-8")
    try:
        return read_bounded(path, len(encoded)) == encoded
    except (OSError, TooLarge):
        return False


def write_atomic(path: Path, content: str, *, durable: bool = True) -> bool:
    """Write ``content`` if it differs from the file; True when the file changed.

    The text goes to a temporary file in the same folder, which then replaces the target in
    one rename: a reader, or a run that dies half-way, never sees a partial file. The
    existing file's permission bits are kept. Without ``durable`` (cache files, which are
    rebuilt if lost) the file is neither compared first nor flushed to disk.
    """
    if durable and holds(path, content):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(content)
            if durable:
                f.flush()
                os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return True


def unified_diff(path: str, old: str | None, new: str) -> str:
    """A unified diff from the file on disk to what would be generated."""
    import difflib

    before = [] if old is None else old.splitlines(keepends=True)
    lines = difflib.unified_diff(
        before,
        new.splitlines(keepends=True),
        fromfile=f"a/{path}" if old is not None else "/dev/null",
        tofile=f"b/{path}",
    )
    return "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines
    )


def colorize(diff: str) -> str:
    """ANSI colours for a unified diff, as git shows them."""
    out = []
    for line in diff.splitlines(keepends=True):
        if line.startswith(("+++", "---")):
            out.append(f"\033[1m{line.rstrip(chr(10))}\033[0m\n")
        elif line.startswith("+"):
            out.append(f"\033[32m{line.rstrip(chr(10))}\033[0m\n")
        elif line.startswith("-"):
            out.append(f"\033[31m{line.rstrip(chr(10))}\033[0m\n")
        elif line.startswith("@@"):
            out.append(f"\033[36m{line.rstrip(chr(10))}\033[0m\n")
        else:
            out.append(line)
    return "".join(out)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]|\r(?!\n)")


def printable(text: str) -> str:
    """``text`` with the control characters a terminal would act on (escape sequences,
    carriage returns, bidirectional overrides) shown as ``\\x1b``-style escapes."""
    return _CONTROL.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 256 else f"\\u{code:04x}"


def read_only(path: Path) -> bool:
    """Whether ``path`` exists and its owner may not write it (as editors ask before
    replacing such a file)."""
    try:
        return not os.stat(path).st_mode & stat.S_IWUSR
    except OSError:
        return False

"""Write outputs atomically, or compare them with what is on disk (check mode).

``tempfile`` and ``difflib`` are imported only when a file is written or a diff shown: a
run with nothing to write does without them.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path


def read_text(path: Path) -> str | None:
    """The file's text with its line endings as they are, or None if it does not exist."""
    try:
        with open(path, encoding="utf-8", newline="") as f:
            return f.read()
    except FileNotFoundError:
        return None


def write_atomic(path: Path, content: str, *, durable: bool = True) -> bool:
    """Write ``content`` if it differs from the file; True when the file changed.

    The text goes to a temporary file in the same folder, which then replaces the target in
    one rename: a reader, or a run that dies half-way, never sees a partial file. The
    existing file's permission bits are kept. Without ``durable`` (cache files, which are
    rebuilt if lost) the file is neither compared first nor flushed to disk.
    """
    if durable and read_text(path) == content:
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


def shown(path: str | Path) -> str:
    """``path`` relative to the working directory when it lies below it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)

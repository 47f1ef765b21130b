"""Which files can name what a file defines, from their text alone: the files of its package
(of its folder when it is in none), and others only through an import that names that
package (or, out of any package, the module). Without this, a class named ``Module`` would
have for subclasses every ``nn.Module`` of a large tree, and a class named ``Table`` for
call sites every ``Table(...)`` of it."""

from __future__ import annotations

import re
from pathlib import Path

_IMPORT = re.compile(r"^[ \t]*(?:from|import)[ \t]+([^\n]*)", re.MULTILINE)
_WORD = re.compile(r"\w+")


class Reach:
    """The files that can name a file's classes and functions (each file read once)."""

    def __init__(self, files: dict[str, Path]) -> None:
        self.files = files
        self._scopes: dict[str, tuple[str, str]] = {}
        self._imports: dict[str, frozenset[str]] = {}

    def can_name(self, user: str, definer: str) -> bool:
        """Whether the file ``user`` can name what the file ``definer`` defines."""
        prefix, name = self._scope(definer)
        return user.startswith(prefix) or name in self._imported(user)

    def _scope(self, display: str) -> tuple[str, str]:
        """The folder whose files name a file's definitions without an import that names
        them, and the name such an import takes: its top package, else its module."""
        if display not in self._scopes:
            folders = display.split("/")[:-1]
            top = len(folders)
            while top > 0 and "/".join([*folders[:top], "__init__.py"]) in self.files:
                top -= 1
            if top < len(folders):  # in a package: absolute imports start with its name
                scope = "/".join(folders[: top + 1]) + "/", folders[top]
            else:
                stem = display.rsplit("/", 1)[-1].rsplit(".", 1)[0]
                scope = "".join(f"{f}/" for f in folders), stem
            self._scopes[display] = scope
        return self._scopes[display]

    def _imported(self, display: str) -> frozenset[str]:
        """The words of a file's import statements."""
        if display not in self._imports:
            try:
                text = self.files[display].read_bytes().decode("utf-8", "replace")
            except (OSError, KeyError):
                text = ""
            self._imports[display] = frozenset(
                word for line in _IMPORT.findall(text) for word in _WORD.findall(line)
            )
        return self._imports[display]

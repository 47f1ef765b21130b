"""git's view of the project: which files it holds, asked of a git hardened against any
configuration the scanned tree can carry."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence

from .project import inside

# Pinned over every configuration a repository can carry (its .git/config, or a planted git
# directory): nothing git reads from the scanned tree may name a program that runs.
_GIT_PINNED = (
    ("core.fsmonitor", "false"),
    ("core.hooksPath", os.devnull),
    ("core.untrackedCache", "false"),
    ("core.pager", "cat"),
    ("core.sshCommand", "false"),
    ("core.askPass", "true"),
    ("credential.helper", ""),
    ("diff.external", ""),
    ("protocol.allow", "never"),
    ("safe.bareRepository", "explicit"),
)


def git_environment() -> dict[str, str]:
    """The environment git runs in: the settings above pinned, no prompts, no locks."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_CONFIG_")}
    env.pop("GIT_CONFIG_PARAMETERS", None)
    env.update(GIT_TERMINAL_PROMPT="0", GIT_OPTIONAL_LOCKS="0")
    env["GIT_CONFIG_COUNT"] = str(len(_GIT_PINNED))
    for number, (key, value) in enumerate(_GIT_PINNED):
        env[f"GIT_CONFIG_KEY_{number}"], env[f"GIT_CONFIG_VALUE_{number}"] = key, value
    return env


def git_command(*args: str) -> list[str]:
    """``git args`` with the settings above pinned on its command line too; run it in
    ``git_environment()``."""
    pinned = [part for key, value in _GIT_PINNED for part in ("-c", f"{key}={value}")]
    return ["git", *pinned, *args]


def git_output(folder: str, *args: str) -> bytes | None:
    """The output of a hardened ``git args`` run in ``folder``; None when it fails."""
    try:
        proc = subprocess.run(
            git_command(*args),
            cwd=folder,
            env=git_environment(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout if proc.returncode == 0 else None


def git_files(folder: str) -> list[str] | None:
    """Tracked plus untracked-but-not-ignored files below ``folder``, relative to it and
    sorted; None outside a work tree, and when the work tree git reports does not hold
    ``folder`` (a repository's configuration moved it elsewhere)."""
    top = git_output(folder, "rev-parse", "--show-toplevel")
    if top is None:
        return None
    real = os.path.realpath(folder)
    work_tree = os.path.realpath(top.decode("utf-8", "surrogateescape").rstrip("\n"))
    if not inside(real, work_tree):
        return None
    listed = git_output(
        folder, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "."
    )
    if listed is None:
        return None
    names = {n for n in listed.decode("utf-8", "surrogateescape").split("\0") if n}
    return [n.replace("/", os.sep) for n in sorted(names)]


class Listings:
    """git's view of the folders to scan: one listing of the project root serves every
    folder inside it."""

    def __init__(self, root: str) -> None:
        self.root, self.real_root = root, os.path.realpath(root)
        self._root_files: list[str] | None = None
        self._listed = False

    @classmethod
    def given(cls, root: str, files: Sequence[str]) -> Listings:
        """The listing of a tree whose files are known (a revision read from git objects):
        ``files`` relative to ``root``; git is not asked."""
        listings = cls(root)
        listings._root_files, listings._listed = sorted(files), True
        return listings

    def boundary(self, folder: str) -> str:
        """The real folder no walk below ``folder`` leaves: the root, else ``folder``."""
        real = os.path.realpath(folder)
        return self.real_root if inside(real, self.real_root) else real

    def of(self, folder: str) -> list[str] | None:
        """git's files below ``folder``, relative to it; None outside a work tree."""
        real = os.path.realpath(folder)
        if not inside(real, self.real_root):
            return git_files(folder)
        if not self._listed:
            self._root_files, self._listed = git_files(self.root), True
        if self._root_files is None or real == self.real_root:
            return self._root_files
        prefix = os.path.join(os.path.relpath(real, self.real_root), "")
        return [name[len(prefix) :] for name in self._root_files if name.startswith(prefix)]

    def tracks(self, folder: str) -> bool:
        """Whether git lists a file in ``folder`` (below the root) as part of the project: a
        folder that ignores all its files, as the cache does, lists none unless they are
        committed."""
        names = self.of(self.root) if os.path.isdir(folder) else None
        real = os.path.realpath(folder)
        if not names or not inside(real, self.real_root) or real == self.real_root:
            return False
        prefix = os.path.join(os.path.relpath(real, self.real_root), "")
        return any(name.startswith(prefix) for name in names)

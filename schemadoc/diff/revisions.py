"""A revision's schema, read from git objects: never a checkout, never a filter, never a hook.

``schemadoc diff`` compares the schema of two revisions (or of a revision and the work tree).
A revision is read the way discovery reads the work tree, with git run hardened exactly as
discovery runs it (``discover.git.git_command`` and ``git_environment``):

* ``git ls-tree -r -z -l`` lists the revision's tree: only regular blobs (modes 100644 and
  100755) whose names discovery would scan are used; a symbolic link, a submodule, a path
  with an empty, ``.``, ``..`` or ``.git`` part is never written, let alone followed.
* The files discovery would pick are chosen by discovery itself, over the revision's listing
  (empty placeholders first, so that the test-suite and folder rules see the same names);
  then only those are filled in, by ``git cat-file --batch`` (raw object bytes: no
  ``.gitattributes`` filter or textconv runs), each up to ``max_file_size`` bytes. A larger
  blob is never read: a sparse file of its size makes the pipeline report it (SD107).
* Everything is written below a private temporary folder that is removed afterwards, and the
  normal pipeline runs on it with the work tree's settings, rooted there, so display paths are
  the project's.

Caches: the project's own is never written by a revision's run. Each side of a diff has a
cache of its own (``diff-base``, ``diff-head`` in the project's cache folder), which starts
from what the project's cache knows (the head's from the base's), so files whose content is
known cost a read and a hash, and a repeated diff is warm on both sides.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Settings
from ..discover.files import SUFFIXES, discover
from ..discover.git import Listings, git_command, git_environment, git_output
from ..discover.project import TooLarge, inside, read_bounded
from ..discover.source import decode_source
from ..incremental import survey
from ..incremental.cache import GITIGNORE, Cache
from ..model.errors import UserError
from ..model.schema import Schema, Source
from ..pipeline import Result, scan

MAX_ENTRIES = 1_000_000  # tree entries of a revision looked at
MAX_FILES = 200_000  # source files of a revision written (placeholders included)
MAX_TOTAL_BYTES = 1 << 31  # of the files of a revision read from git
BATCH_SECONDS = 600  # git cat-file --batch is stopped after this long
STATEMENT_CHARS = 1_000  # of a statement's text read back to tell a rename


class RevisionError(UserError):
    """A revision that cannot be read: not a repository, an unknown revision, missing objects."""


@dataclass(frozen=True)
class Repository:
    """The git work tree holding the project: its top folder, and the project folder's path
    below it (``""`` or ending in ``/``)."""

    top: str
    prefix: str


@dataclass(frozen=True)
class Side:
    """One side of a diff: what it is, its scan, and the text of the statements that altered
    a table (by where each starts), which tell renames and where columns were added."""

    label: str
    commit: str | None  # None: the work tree
    result: Result
    statements: dict[Source, str] = field(default_factory=dict)

    @property
    def schema(self) -> Schema:
        return self.result.schema


@dataclass(frozen=True)
class Blob:
    path: str  # relative to the project folder, "/"-separated
    sha: str
    size: int


@dataclass
class Tree:
    """What a revision's tree holds for the project: regular blobs with a source suffix, and
    how many entries were left unwritten (symbolic links, submodules, unsafe names)."""

    blobs: list[Blob]
    links: int = 0
    unsafe: int = 0
    read_bytes: int = 0  # blob bytes read from git


def repository(root: str) -> Repository:
    """The work tree holding ``root``; an error outside one."""
    top = git_output(root, "rev-parse", "--show-toplevel")
    if top is None:
        raise RevisionError(f"{root} is not in a git work tree: diff reads revisions from git")
    real_top = os.path.realpath(top.decode("utf-8", "surrogateescape").rstrip("\n"))
    real = os.path.realpath(root)
    if not inside(real, real_top):
        raise RevisionError(f"git's work tree {real_top} does not hold {real}")
    relative = os.path.relpath(real, real_top)
    prefix = "" if relative == "." else relative.replace(os.sep, "/") + "/"
    return Repository(real_top, prefix)


def resolve(repo: Repository, revision: str) -> str:
    """The commit id ``revision`` names; an error when it names none."""
    if not revision or revision.startswith("-") or any(c in revision for c in "\0\n\r"):
        raise RevisionError(f"{revision!r} is not a revision")
    out = git_output(
        repo.top, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"
    )
    if out is None:
        raise RevisionError(f"{revision!r} names no commit in {repo.top}")
    return out.decode("ascii", "replace").strip()


def _ref(repo: Repository, name: str) -> bool:
    return git_output(repo.top, "rev-parse", "--verify", "--quiet", name) is not None


def default_base(repo: Repository) -> tuple[str, str]:
    """The commit a change is measured from, and how it was chosen: the merge base of HEAD
    with the default branch (``origin/HEAD``, else ``main``, ``master``, ``origin/main``,
    ``origin/master``), else ``HEAD~1``."""
    resolve(repo, "HEAD")
    branch = None
    symbolic = git_output(repo.top, "symbolic-ref", "--quiet", "refs/remotes/origin/HEAD")
    if symbolic is not None:
        branch = symbolic.decode("utf-8", "replace").strip().removeprefix("refs/remotes/")
    else:
        for name in ("main", "master", "origin/main", "origin/master"):
            if _ref(repo, name):
                branch = name
                break
    if branch is not None:
        found = git_output(repo.top, "merge-base", "HEAD", branch)
        if found is not None:
            return found.decode("ascii").strip(), f"merge base of HEAD and {branch}"
    return resolve(repo, "HEAD~1"), "HEAD~1"


def _safe(path: str) -> bool:
    """Whether a tree path may be written below the temporary folder as it is."""
    parts = path.split("/")
    return all(
        part not in ("", ".", "..")
        and "\\" not in part
        and "\0" not in part
        and part.casefold() != ".git"
        for part in parts
    )


def tree(repo: Repository, commit: str) -> Tree:
    """The project's regular source blobs in ``commit`` (see the module's docstring)."""
    listed = git_output(repo.top, "ls-tree", "-r", "-z", "-l", "--full-tree", commit)
    if listed is None:
        raise RevisionError(f"cannot list the tree of {commit}")
    out = Tree([])
    for number, record in enumerate(listed.split(b"\0")):
        if number >= MAX_ENTRIES:
            raise RevisionError(f"{commit} holds more than {MAX_ENTRIES:,} files")
        if not record:
            continue
        meta, _, raw = record.partition(b"\t")
        fields = meta.split()
        path = raw.decode("utf-8", "surrogateescape")
        if len(fields) != 4 or not path.startswith(repo.prefix):
            continue
        mode, kind, sha, size = (f.decode("ascii", "replace") for f in fields)
        path = path[len(repo.prefix) :]
        if not path.endswith(SUFFIXES):
            continue
        if mode == "120000":
            out.links += 1
        elif kind != "blob" or mode not in ("100644", "100755") or not size.isdigit():
            continue
        elif not _safe(path):
            out.unsafe += 1
        else:
            out.blobs.append(Blob(path, sha, int(size)))
    return out


def _write_new(path: str, data: bytes = b"") -> None:
    """A new file (never through a link, never over an existing one) holding ``data``."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0), 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def _place(root: str, relative: str) -> str | None:
    """The empty placeholder of ``relative`` below ``root``; None when it cannot be made
    (a name that clashes with a folder, or differs only by case on such a file system)."""
    path = os.path.join(root, *relative.split("/"))
    try:
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        _write_new(path)
    except OSError:
        return None
    return path


def _fill(repo: Repository, wanted: Sequence[tuple[Blob, str]], out: Tree) -> None:
    """Write each blob's bytes to its placeholder, read by one ``git cat-file --batch``."""
    if not wanted:
        return
    proc = subprocess.Popen(
        git_command("cat-file", "--batch"),
        cwd=repo.top,
        env=git_environment(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    timer = threading.Timer(BATCH_SECONDS, proc.kill)
    timer.start()
    assert proc.stdin is not None and proc.stdout is not None
    try:
        for blob, path in wanted:
            proc.stdin.write(blob.sha.encode("ascii") + b"\n")
            proc.stdin.flush()
            header = proc.stdout.readline().split()
            if len(header) != 3 or header[1] != b"blob" or header[2] != str(blob.size).encode():
                raise RevisionError(
                    f"git cannot give {blob.path} ({blob.sha}): the repository lacks objects "
                    "(a shallow clone? fetch the history, e.g. fetch-depth: 0)"
                )
            data = proc.stdout.read(blob.size)
            if len(data) != blob.size or proc.stdout.read(1) != b"\n":
                raise RevisionError(f"git stopped while reading {blob.path}")
            out.read_bytes += blob.size
            with open(path, "r+b") as f:  # the placeholder written just before, not a link
                f.write(data)
    except (OSError, ValueError) as exc:
        raise RevisionError(f"cannot read the revision's files from git: {exc}") from exc
    finally:
        timer.cancel()
        for stream in (proc.stdin, proc.stdout):
            with suppress(OSError):
                stream.close()
        proc.kill()
        proc.wait()


def _scanned(settings: Settings) -> list[str]:
    """The paths scanned, relative to the project folder ("/"-separated, "" for the folder)."""
    root = os.path.realpath(settings.root)
    out = []
    for given in settings.paths:
        real = os.path.realpath(given)
        if not inside(real, root):
            raise RevisionError(f"{given} is outside the project folder {root}")
        relative = os.path.relpath(real, root)
        out.append("" if relative == "." else relative.replace(os.sep, "/"))
    return out


def _below(path: str, folder: str) -> bool:
    return not folder or path == folder or path.startswith(folder + "/")


@contextmanager
def materialised(
    repo: Repository, commit: str, settings: Settings
) -> Iterator[tuple[Settings, Listings, Tree]]:
    """The revision's files that the pipeline would scan, below a private temporary folder
    (removed on exit): the settings and listing to scan it with, and what was read."""
    scanned = _scanned(settings)
    found = tree(repo, commit)
    blobs = [b for b in found.blobs if any(_below(b.path, p) for p in scanned)]
    if len(blobs) > MAX_FILES:
        raise RevisionError(f"{commit} holds more than {MAX_FILES:,} source files to scan")
    with tempfile.TemporaryDirectory(prefix="schemadoc-revision-") as folder:
        root = os.path.realpath(folder)
        placed = {b.path: path for b in blobs if (path := _place(root, b.path)) is not None}
        paths = []
        for relative in scanned:
            path = os.path.join(root, *relative.split("/")) if relative else root
            if os.path.isdir(path) or relative in placed:
                paths.append(path)
        listings = Listings.given(root, [p.replace("/", os.sep) for p in placed])
        revision = settings.merged(root=root, paths=tuple(paths), outputs=())
        chosen = discover(
            paths,
            root=root,
            include=revision.include,
            exclude=revision.exclude,
            listings=listings,
            include_tests=revision.include_tests,
        )
        displays = {item.display for item in chosen}
        wanted = []
        for blob in blobs:
            if blob.path not in displays or blob.path not in placed:
                continue
            if blob.size > settings.max_file_size:
                os.truncate(placed[blob.path], blob.size)  # sparse: reported, never read
            else:
                wanted.append((blob, placed[blob.path]))
        total = sum(blob.size for blob, _ in wanted)
        if total > MAX_TOTAL_BYTES:
            raise RevisionError(
                f"the files to scan in {commit} hold {total:,} bytes, more than the "
                f"{MAX_TOTAL_BYTES:,} a revision is read up to"
            )
        _fill(repo, wanted, found)
        yield revision, listings, found


def _cache_folder(settings: Settings) -> Path | None:
    """The project's cache folder, when it is used (see ``survey.survey``)."""
    folder = survey.cache_folder(settings)
    if folder is not None and Listings(os.path.realpath(settings.root)).tracks(str(folder)):
        return None  # git tracks its files: not used (the work tree's run says so)
    return folder


def project_cache(settings: Settings) -> Cache:
    """The project's cache as it is, to start a revision's cache from: never saved here."""
    return Cache.open(_cache_folder(settings))


def revision_cache(settings: Settings, side: str, donor: Cache) -> Cache:
    """The cache of one side of diffs (``base`` or ``head``), kept in ``diff-<side>`` inside
    the project's cache folder (in memory only when the cache is off). While it knows
    nothing (first use, another environment), it starts from ``donor``'s findings: the
    project's cache, or the other side's."""
    folder = _cache_folder(settings)
    cache = Cache.open(folder / f"diff-{side}" if folder and _made(folder) else None)
    if not cache.files:
        cache.adopt(donor)
    return cache


def _made(folder: Path) -> bool:
    """Whether the project's cache folder exists with the ``.gitignore`` that keeps it out of
    git, made now if need be (as the project's own run makes it)."""
    from ..output.files import write_atomic

    ignore = folder / ".gitignore"
    try:
        if not os.path.isfile(ignore):
            folder.mkdir(parents=True, exist_ok=True)
            write_atomic(ignore, GITIGNORE)
    except OSError:
        return False
    return True


def _forget_stats(cache: Cache) -> None:
    """Files are told apart by content only: a revision's files are new files whose times
    may equal those of other files (file systems keep coarse times)."""
    for entry in cache.files.values():
        entry["mtime"] = None


def statements_of(schema: Schema, root: str, limit: int) -> dict[Source, str]:
    """The text (up to ``STATEMENT_CHARS``) of each statement that altered a table (a table's
    sources after its first), read from the files below ``root``."""
    texts: dict[str, list[str] | None] = {}
    out: dict[Source, str] = {}
    for table in schema.tables:
        for source in table.sources[1:]:
            if source.path not in texts:
                texts[source.path] = _lines(os.path.join(root, source.path), source.path, limit)
            lines = texts[source.path]
            if lines is None or not 0 < source.line <= len(lines):
                continue
            text = "".join(lines[source.line - 1 : source.line + 20])[source.column :]
            out[source] = text[:STATEMENT_CHARS]
    return out


def _lines(path: str, display: str, limit: int) -> list[str] | None:
    try:
        data = read_bounded(path, limit)
    except (OSError, TooLarge):
        return None
    if data is None:
        return None
    if display.endswith(".sql"):
        return data.decode("utf-8", "replace").splitlines(keepends=True)
    text, _ = decode_source(data, display)
    return None if text is None else text.splitlines(keepends=True)


def read_revision(
    repo: Repository, commit: str, label: str, settings: Settings, cache: Cache
) -> tuple[Side, Tree]:
    """The schema of ``commit`` with the work tree's ``settings``, and what was read."""
    with materialised(repo, commit, settings) as (revision, listings, found):
        _forget_stats(cache)
        result = scan(revision.paths, revision, cache=cache, listings=listings)
        statements = statements_of(result.schema, revision.root, settings.max_file_size)
    return Side(label, commit, result, statements), found


def work_tree(settings: Settings) -> Side:
    """The schema of the work tree, as ``generate`` finds it (its cache used as usual)."""
    result = scan(settings.paths, settings)
    statements = statements_of(result.schema, settings.root, settings.max_file_size)
    return Side("the work tree", None, result, statements)


def sides(settings: Settings, base: str | None, head: str | None) -> tuple[Side, Side]:
    """The two sides of a diff: ``base`` (default: see ``default_base``) and ``head``
    (default: the work tree), both scanned with ``settings``."""
    repo = repository(settings.root)
    if base is None:
        base_commit, why = default_base(repo)
        base_label = f"{base_commit[:12]} ({why})"
    else:
        base_commit = resolve(repo, base)
        base_label = f"{base} ({base_commit[:12]})"
    head_commit = resolve(repo, head) if head is not None else None
    base_cache = revision_cache(settings, "base", project_cache(settings))
    before, _ = read_revision(repo, base_commit, base_label, settings, base_cache)
    if head_commit is None:
        return before, work_tree(settings)
    head_cache = revision_cache(settings, "head", base_cache)
    label = f"{head} ({head_commit[:12]})"
    after, _ = read_revision(repo, head_commit, label, settings, head_cache)
    return before, after


__all__ = [
    "Repository",
    "RevisionError",
    "Side",
    "default_base",
    "materialised",
    "project_cache",
    "read_revision",
    "repository",
    "resolve",
    "revision_cache",
    "sides",
    "tree",
    "work_tree",
]

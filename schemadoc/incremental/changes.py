"""What changed since the cached run, and whether it can change the schema."""

from __future__ import annotations

import ast
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..config import Settings
from ..discover.files import Found, display_path
from ..discover.git import Listings
from ..discover.project import ConfinementError, confine
from ..discover.source import decode_source
from ..model.diagnostics import SD109
from ..model.schema import Diagnostic
from ..pyeval.dependencies import affected, reached
from .cache import (
    FOLDER,
    Cache,
    Invalid,
    diagnostic_from_json,
    diagnostic_to_json,
    expect,
    owned,
)

if TYPE_CHECKING:
    from ..extract.summary import Summary


@dataclass
class FileState:
    """One scanned file as of this run: its hash, whether it may hold DDL, its problems."""

    display: str
    file: str  # the path on disk
    hash: str
    ddl: bool
    problems: list[Diagnostic]
    size: int = 0  # in bytes
    summary: Summary | None = None  # of a Python file that may hold DDL
    text: str | None = None  # read this run (changed files only; Python let go once summarized)
    classes: list[list[Any]] | None = None  # source.class_lines, when read this run

    @property
    def path(self) -> Path:
        return Path(self.file)


@dataclass
class Survey:
    settings: Settings
    cache: Cache
    files: dict[str, FileState]
    changed: set[str]  # displays whose content is new, different or gone
    found: int = 0
    diagnostics: list[Diagnostic] = field(default_factory=list)
    left_out: int = 0  # test, fixture, documentation and example files not scanned
    tests: frozenset[str] = frozenset()  # the files scanned that are test code
    previous: dict[str, dict[str, Any] | None] = field(default_factory=dict)  # cached states
    # of the changed files (None: new)
    # the snapshot's record of the folders (see ``snapshot``), None when it cannot be taken
    folders: list[list[Any]] | None = None
    # each file found, by folder: [folder on disk, folder shown, [[name, size, time, in
    # test], ...]] (see ``snapshot.stamp``); None when one was not a regular file
    stamps: list[list[Any]] | None = field(default_factory=list)
    started: int = 0  # time.time_ns() when the survey began

    @property
    def fingerprint(self) -> str:
        """Identifies everything the schema is made from."""
        return _fingerprint({display: state.hash for display, state in self.files.items()})

    @property
    def previous_fingerprint(self) -> str:
        """The fingerprint of the files as the cache knew them, before this run's changes."""
        hashes = {display: state.hash for display, state in self.files.items()}
        for display, entry in self.previous.items():
            if entry is None:
                hashes.pop(display, None)
            else:
                hashes[display] = entry["hash"]
        return _fingerprint(hashes)


def _fingerprint(hashes: dict[str, str]) -> str:
    h = hashlib.sha256()
    for display in sorted(hashes):
        h.update(f"{display}\0{hashes[display]}\0".encode())
    return h.hexdigest()


def cache_folder(settings: Settings) -> Path | None:
    """The cache folder: inside the project, not the project folder itself, and one that
    schemadoc owns (see ``cache.owned``); None when the cache is off."""
    if not settings.cache:
        return None
    setting = (
        f"cache_dir {settings.cache_dir!r}" if settings.cache_dir else f"cache folder {FOLDER}"
    )
    real = confine(
        "cache_dir",
        Path(settings.root) / (settings.cache_dir or FOLDER),
        settings.root,
        kind="folder",
    )
    if real == Path(os.path.realpath(settings.root)):
        raise ConfinementError(f"{setting} is the project folder itself")
    if not owned(real):
        raise ConfinementError(
            f"{setting} is a folder that schemadoc did not create (it holds files and no "
            "schemadoc .gitignore); name a new folder"
        )
    return real


def open_cache(folder: Path | None, listings: Listings, out: Survey) -> Cache:
    """The cache in ``folder``; not used (and a note says so) when git tracks its files or
    when it was not written here."""
    if folder is None:
        return Cache.off()
    if listings.tracks(str(folder)):
        out.diagnostics.append(
            SD109(
                "git tracks files of the cache folder: cache not used",
                display_path(folder, listings.root),
                0,
                0,
            )
        )
        return Cache.off()
    cache = Cache.open(folder)
    if cache.distrusted:
        out.diagnostics.append(
            SD109(
                "the cache folder was not written here (copied, restored or committed): rebuilt",
                display_path(folder, listings.root),
                0,
                0,
            )
        )
    return cache


def cached_state(found: Found, entry: dict[str, Any], stat: os.stat_result | None) -> FileState:
    if stat is None or entry.get("size") != stat.st_size or entry.get("mtime") != stat.st_mtime_ns:
        raise Invalid("stat")
    return FileState(
        found.display,
        found.file,
        entry["hash"],
        bool(entry["ddl"]),
        [diagnostic_from_json(d) for d in entry["problems"]],
        stat.st_size,
    )


def cache_entry(state: FileState, stat: os.stat_result) -> dict[str, Any]:
    """The cache entry of a file read this run (what was found in it is kept apart)."""
    return {
        "size": stat.st_size,
        "mtime": stat.st_mtime_ns,
        "hash": state.hash,
        "ddl": state.ddl,
        "problems": [diagnostic_to_json(d) for d in state.problems],
        **({"classes": state.classes} if state.classes is not None else {}),
    }


_WORD = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*")


def _referenced(text: str) -> set[bytes]:
    """Names a changed file may take from other files: the names its code uses (not the words
    of its strings), less those it defines at its top level (its own ``create_tables`` says
    nothing about another's). Every word, if Python cannot parse it."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return set(_WORD.findall(text.encode()))
    used: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            used.add(node.id)
        elif isinstance(node, ast.Attribute):
            used.add(node.attr)
        elif isinstance(node, ast.alias):
            used.update(node.name.split("."))
        elif isinstance(node, ast.keyword) and node.arg:
            used.add(node.arg)
    own = {
        n.name
        for n in tree.body
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    }
    return {name.encode() for name in used - own}


def changed_words(s: Survey) -> set[bytes]:
    """The names that the changed files use (see ``_referenced``)."""
    words: set[bytes] = set()
    for display in sorted(s.changed):
        st = s.files.get(display)
        if st is None or display.endswith(".sql"):
            continue
        try:
            words |= _referenced(st.text if st.text is not None else file_text(st))
        except OSError:
            continue  # removed since the survey: it uses nothing
    return words


def file_text(st: FileState) -> str:
    data = st.path.read_bytes()
    if st.display.endswith(".sql"):
        return data.decode("utf-8", "replace")
    text, _ = decode_source(data, st.display)
    return text or ""


def unaffected(s: Survey) -> bool:
    """Whether no change since the cached run can change the schema it found: every changed
    file is readable, held no DDL and holds none, was not read or looked for to extract any,
    and uses no class or function holding DDL (see ``dependencies.affected``)."""
    if s.cache.path is None or not s.changed or s.diagnostics:
        return False
    for display in s.changed:
        state, before = s.files.get(display), s.previous.get(display)
        if (state is not None and (state.ddl or state.problems)) or (before or {}).get("ddl"):
            return False
    deps: set[str] = set()
    holders: set[str] = set()
    try:
        for display, state in s.files.items():
            if not state.ddl or display.endswith(".sql"):
                continue
            found = s.cache.entry(display, analysis=True) or {}
            summary = expect(found["summary"], dict)
            holders.update(expect(summary["holders"], list))
            if summary["mentions"] and "unit" not in found:
                return False  # a DDL file not extracted in its present state
        for found in s.cache.analysed().values():  # DDL files' and their base classes' units
            if "unit" in found:
                deps.update(expect(expect(found["unit"], dict)["deps"], list))
    except (KeyError, TypeError, Invalid):
        return False  # a DDL file not summarized in its present state
    return not affected(deps, holders, reached(s.changed), changed_words(s))


def reusable_units(s: Survey, summaries: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The cached units, by file, of the DDL files ``summaries`` and the base-class files they
    lead to that no change affects (see ``dependencies.affected``); and the files to extract
    again."""
    from .units import unit_from_json

    changed = reached(s.changed)
    words: set[bytes] | None = None  # read when a cached unit is first looked at
    results: dict[str, Any] = {}
    todo: list[str] = []
    pending = sorted(summaries)
    while pending:
        display = pending.pop(0)
        if display in results or display in todo or display not in s.files:
            continue
        entry = s.cache.entry(display, analysis=True) or {}
        try:
            unit = unit_from_json(display, entry["unit"])
            if display in s.changed:
                raise Invalid("changed")
            if words is None:
                words = changed_words(s)
            summary = summaries.get(display)
            holders = summary.holders if summary is not None else ()
            if affected(unit.deps, holders, changed, words):
                raise Invalid("stale")
            results[display] = unit
            pending.extend(unit.bases)
        except (KeyError, ValueError, TypeError, Invalid):
            todo.append(display)
    return results, todo

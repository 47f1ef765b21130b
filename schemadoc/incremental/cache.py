"""A persistent cache of what each file yielded, so that re-runs read only what changed.

JSON files named by the environment (tool, library and Python versions) in
``.schemadoc_cache/`` (or the configured folder), which keeps itself out of git. It is data,
never code: anything that does not decode exactly as written here is ignored and rebuilt.
Writes are best effort and atomic; a cache that cannot be written (read-only folder, full
disk) is simply not updated.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from ..discover.project import TooLarge, read_bounded
from ..model.schema import Diagnostic
from .environment import FORMAT, environment_key

FOLDER = ".schemadoc_cache"
GITIGNORE = "# Created by schemadoc: this folder is a cache.\n*\n"
_MAX_OUTPUTS = 2  # this run's document and the previous one
_MAX_BYTES = 1 << 31  # a cache file is never read past this


class Invalid(Exception):
    """A cached value that does not have the expected shape."""


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


_DIGEST = re.compile(r"[0-9a-f]{32}")


def expect(value: Any, kind: type | tuple[type, ...]) -> Any:
    """``value`` if it is of ``kind``; the cache is invalid otherwise."""
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise Invalid(f"expected {kind}, got {type(value).__name__}")
    return value


def diagnostic_to_json(d: Diagnostic) -> list[Any]:
    return [d.severity, d.code, d.message, d.path, d.line, d.column]


def diagnostic_from_json(raw: Any) -> Diagnostic:
    severity, code, message, path, line, column = expect(raw, list)
    if severity not in ("error", "warning", "note"):
        raise Invalid("severity")
    return Diagnostic(
        severity,
        expect(code, str),
        expect(message, str),
        expect(path, str),
        expect(line, int),
        expect(column, int),
    )


_ANALYSIS = ("summary", "unit")  # kept in a second file, read when extraction runs


def _table(raw: Any) -> dict[str, dict[str, Any]]:
    return {expect(k, str): expect(v, dict) for k, v in expect(raw, dict).items()}


@dataclass
class Cache:
    """Cached file states and outputs; ``folder`` None means the cache is off.

    A file with each file's size, time and hash; a small one with the hashes of the rendered
    documents and the stamps of the files they were last found in (writing a document
    rewrites only this one); one with what extraction found; one with what verification
    found (by group of statements); the last survey's snapshot of the tree (with the small
    one, all that a run with nothing changed reads; see ``snapshot``); and each rendered
    document as it is, in a file named by its hash.
    """

    folder: Path | None
    _files: dict[str, dict[str, Any]] | None = None
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    targets: dict[str, dict[str, Any]] = field(default_factory=dict)  # path -> stamp, sha
    dirty: bool = False
    _outputs_dirty: bool = False
    _analysis: dict[str, dict[str, Any]] | None = None
    _analysis_dirty: bool = False
    _classes: dict[str, Any] | None = None  # each file's class lines, in a file of their own
    _classes_dirty: bool = False
    _documents: dict[str, str] = field(default_factory=dict)  # by hash: those to write
    _verified: dict[str, Any] | None = None
    _verified_dirty: bool = False
    _snapshot: dict[str, Any] | None = None  # to write
    distrusted: bool = False  # the folder held a cache not written here: it was not used
    # False for a run without a cache: what extraction finds is not kept, as no later run
    # (nor another revision's, as in ``diff``) reads it
    remembers: bool = True

    def _path(self, suffix: str) -> Path | None:
        return None if self.folder is None else self.folder / f"{environment_key()}{suffix}"

    @property
    def path(self) -> Path | None:
        return self._path(".json")

    @classmethod
    def open(cls, folder: Path | None, *, table: bool = True) -> Cache:
        """The cache in ``folder``, empty when missing, foreign, corrupt or not written here.
        Without ``table``, the file table is read when first used (a run that finds nothing
        changed may not need it).

        A cache is written here when its ``.gitignore``, which schemadoc creates once and
        never changes, has the device, inode and change time that the cache recorded: a
        copied, restored, unpacked or cloned folder (a cache committed to git among them)
        has others, and a forged record cannot foresee them. Each file of the cache records
        that identity and is used only when it matches; when the file table does not, no
        other is read.
        """
        cache = cls(folder)
        if cache.path is None:
            cache._files, cache._analysis, cache._classes = {}, {}, {}
            return cache
        try:
            data = _trusted(cache._path(".outputs.json"))  # type: ignore[arg-type]
            cache.outputs, cache.targets = _table(data["outputs"]), _table(data["targets"])
        except (OSError, ValueError, KeyError, Invalid):
            cache.outputs, cache.targets = {}, {}
        if table:
            cache._read_table()
        return cache

    @property
    def files(self) -> dict[str, dict[str, Any]]:
        """Each file's size, time and hash, by display path."""
        if self._files is None:
            self._read_table()
        return self._files  # type: ignore[return-value]

    def _read_table(self) -> None:
        try:
            self._files = _table(_trusted(self.path)["files"])  # type: ignore[arg-type]
        except (OSError, ValueError, KeyError, Invalid) as exc:
            self.distrusted = isinstance(exc, Distrusted)
            self._files, self._analysis, self._verified, self._classes = {}, {}, {}, {}
            self.outputs, self.targets = {}, {}
            self.dirty = self._analysis_dirty = self._verified_dirty = self._classes_dirty = True

    def snapshot(self) -> dict[str, Any]:
        """The tree's snapshot that the last run took (see ``snapshot.taken``), if any."""
        if self.folder is None:
            return {}
        try:
            return _trusted(self._path(".snapshot.json"))  # type: ignore[arg-type]
        except (OSError, ValueError, Invalid):
            return {}

    def put_snapshot(self, taken: dict[str, Any]) -> None:
        self._snapshot = taken

    @classmethod
    def off(cls) -> Cache:
        """No cache: nothing is read, and what extraction finds is not kept."""
        cache = cls.open(None)
        cache.remembers = False
        return cache

    def _analyses(self) -> dict[str, dict[str, Any]]:
        if self._analysis is None:
            try:
                self._analysis = _table(self._data(".analysis.json").get("files", {}))
            except Invalid:
                self._analysis = {}
        return self._analysis

    def classes(self) -> dict[str, Any]:
        """Each file's class lines as last read (``source.class_lines``), by file; read on
        first use, from a file that is rewritten only when one of them changes."""
        if self._classes is None:
            files = self._data(".classes.json").get("files")
            self._classes = files if isinstance(files, dict) else {}
        return self._classes

    def _data(self, suffix: str) -> dict[str, Any]:
        """The data of a cache file of this format; empty when it is not one."""
        try:
            path = self._path(suffix)
            assert path is not None
            data = expect(_loaded(_read(path)), dict)
            return data if data.get("format") == FORMAT else {}
        except (OSError, ValueError, Invalid, AssertionError):
            return {}

    def analysed(self) -> dict[str, dict[str, Any]]:
        """What extraction found, by file (read from its file on first use)."""
        return self._analyses()

    def entry(self, display: str, analysis: bool = False) -> dict[str, Any] | None:
        """The file's cached state; with ``analysis``, also what extraction found in it."""
        entry = self.files.get(display)
        if entry is None or not analysis:
            return entry
        return {**entry, **self._analyses().get(display, {})}

    def put(self, display: str, entry: dict[str, Any]) -> None:
        state = {k: v for k, v in entry.items() if k not in (*_ANALYSIS, "classes")}
        if self.files.get(display) != state:
            if self.files.get(display, {}).get("hash") != state.get("hash"):
                self.drop_analysis(display)
            self.files[display] = state
            self.dirty = True
        found = {k: v for k, v in entry.items() if k in _ANALYSIS}
        before = self._analyses().get(display, {}) if found else {}
        if found and {**before, **found} != before:
            self._analyses()[display] = {**before, **found}
            self._analysis_dirty = True
        if "classes" in entry and self.classes().get(display) != entry["classes"]:
            self.classes()[display] = entry["classes"]
            self._classes_dirty = True

    def adopt(self, other: Cache) -> None:
        """Start from what ``other`` knows (file states, what extraction and verification
        found), to be saved here: a new cache takes over another's work."""
        self._files = {display: dict(entry) for display, entry in other.files.items()}
        self._analysis = {display: dict(found) for display, found in other.analysed().items()}
        self._classes = dict(other.classes())
        self._verified = dict(other.verified())
        self.dirty = self._analysis_dirty = self._verified_dirty = self._classes_dirty = True

    def drop_analysis(self, display: str) -> None:
        if self._analyses().pop(display, None) is not None:
            self._analysis_dirty = True

    def forget(self, keep: set[str]) -> None:
        """Drop the entries of files that are no longer scanned."""
        for display in set(self.files) - keep:
            del self.files[display]
            self.dirty = True
        if self._analysis is not None:
            for display in set(self._analysis) - keep:
                self.drop_analysis(display)
        for display in set(self._classes or ()) - keep:
            del self.classes()[display]
            self._classes_dirty = True

    def _document_path(self, sha: str) -> Path | None:
        return self._path(f".{sha}.document")

    def _document(self, sha: str) -> str | None:
        """The document whose hash is ``sha``, if it is stored as it was written."""
        if sha in self._documents:
            return self._documents[sha]
        path = self._document_path(sha)
        try:
            assert path is not None
            data = read_bounded(path, _MAX_BYTES)
        except (OSError, AssertionError, TooLarge):
            return None
        if data is None:
            return None
        if digest(data) != sha:
            with contextlib.suppress(OSError):
                path.unlink()  # damaged: written again when this document is next rendered
            return None
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return None

    def sha(self, key: str) -> str | None:
        """The hash of the document rendered under ``key``, if it is cached."""
        sha = self.outputs.get(key, {}).get("sha")
        return sha if isinstance(sha, str) and _DIGEST.fullmatch(sha) else None

    def diagnostics(self, key: str) -> list[Diagnostic] | None:
        """The diagnostics of the document rendered under ``key``, if it is cached."""
        try:
            raw = expect(self.outputs[key]["diagnostics"], list)
            return [diagnostic_from_json(d) for d in raw]
        except (KeyError, ValueError, Invalid):
            return None

    def verified(self) -> dict[str, Any]:
        """What verification found last time, by group key (entries are not checked here)."""
        if self._verified is None:
            parts = self._data(".verified.json").get("parts") if self.folder else None
            self._verified = parts if isinstance(parts, dict) else {}
        return self._verified

    def put_verified(self, parts: dict[str, Any]) -> None:
        """Keep ``parts`` (and nothing older) for the next verification."""
        if parts != self.verified():  # kept entries are the very objects read: quick to compare
            self._verified = parts
            self._verified_dirty = True

    def output(self, key: str, known: str | None = None) -> tuple[str, list[Diagnostic]] | None:
        """The document rendered under ``key`` and its diagnostics. When ``known`` (the file
        on disk) is that document, it is taken as is and nothing more is read."""
        diagnostics, sha = self.diagnostics(key), self.sha(key)
        if diagnostics is None or sha is None:
            return None
        if known is not None and digest(known.encode()) == sha:
            return known, diagnostics
        content = self._document(sha)
        return None if content is None else (content, diagnostics)

    def holds(self, target: str, stamp: list[int], key: str) -> bool:
        """Whether the file ``target``, as ``stamp`` (its size, times and inode) tells, holds
        the document rendered under ``key``: it did when it last had that stamp."""
        record, sha = self.targets.get(target, {}), self.sha(key)
        return sha is not None and record.get("stamp") == stamp and record.get("sha") == sha

    def put_target(self, target: str, stamp: list[int], key: str) -> None:
        """Remember that the file ``target``, with ``stamp``, holds the document of ``key``."""
        sha = self.sha(key)
        record = {"stamp": stamp, "sha": sha}
        if sha is not None and self.targets.get(target) != record:
            self.targets[target] = record
            self._outputs_dirty = True

    def put_output(self, key: str, content: str, diagnostics: list[Diagnostic]) -> None:
        sha = digest(content.encode())
        self.outputs.pop(key, None)
        self.outputs[key] = {
            "sha": sha,
            "diagnostics": [diagnostic_to_json(d) for d in diagnostics],
        }
        while len(self.outputs) > _MAX_OUTPUTS:
            del self.outputs[next(iter(self.outputs))]
        shas = {o.get("sha") for o in self.outputs.values()}
        self.targets = {t: r for t, r in self.targets.items() if r.get("sha") in shas}
        self._documents = {h: c for h, c in self._documents.items() if h in shas}
        self._documents[sha] = content
        self._outputs_dirty = True

    def _save_documents(self) -> None:
        """Write the documents not stored yet; remove those no output names any more."""
        assert self.folder is not None
        shas = {o.get("sha") for o in self.outputs.values()}
        prefix, suffix = f"{environment_key()}.", ".document"
        for name in os.listdir(self.folder):
            sha = name[len(prefix) : -len(suffix)]
            if name.startswith(prefix) and name.endswith(suffix) and sha not in shas:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(self.folder / name)
        from ..output.files import write_atomic

        for sha, content in self._documents.items():
            path = self._document_path(sha)
            assert path is not None
            if not path.exists():
                write_atomic(path, content, durable=False)
        self._documents = {}

    def _write(self, suffix: str, data: dict[str, Any]) -> None:
        from ..output.files import write_atomic

        write_atomic(self._path(suffix), _dumps({"format": FORMAT, **data}), durable=False)  # type: ignore[arg-type]

    def save(self) -> None:
        """Write what changed; never fails the run."""
        if self.path is None or not (
            self.dirty
            or self._outputs_dirty
            or self._analysis_dirty
            or self._classes_dirty
            or self._documents
            or self._verified_dirty
            or self._snapshot is not None
        ):
            return
        from ..output.files import write_atomic

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            ignore = self.path.parent / ".gitignore"
            if not ignore.exists():
                write_atomic(ignore, GITIGNORE)
            owner = _owner(self.path.parent)
            if self._analysis_dirty and self._analysis is not None:
                self._write(".analysis.json", {"files": self._analysis})
                self._analysis_dirty = False
            if self._classes_dirty and self._classes is not None:
                self._write(".classes.json", {"files": self._classes})
                self._classes_dirty = False
            if self._verified_dirty and self._verified is not None:
                self._write(".verified.json", {"parts": self._verified})
                self._verified_dirty = False
            if self._documents:
                self._save_documents()
            if self.dirty:
                self._write(".json", {"owner": owner, "files": self.files})
                self.dirty = False
            if self._outputs_dirty:
                self._write(
                    ".outputs.json",
                    {"owner": owner, "outputs": self.outputs, "targets": self.targets},
                )
                self._outputs_dirty = False
            if self._snapshot is not None:
                self._write(".snapshot.json", {"owner": owner, **self._snapshot})
                self._snapshot = None
        except OSError:
            pass


def owned(folder: Path) -> bool:
    """Whether ``folder`` may serve as the cache: it does not exist yet, is empty, or holds
    the ``.gitignore`` that schemadoc writes into its cache folders."""
    if not _holds_files(folder):
        return True
    try:
        return read_bounded(folder / ".gitignore", len(GITIGNORE)) == GITIGNORE.encode()
    except (OSError, TooLarge):
        return False


def _holds_files(folder: Path) -> bool:
    try:
        return any(folder.iterdir())
    except OSError:
        return False


def _owner(folder: Path) -> list[int] | None:
    """The identity of the ``.gitignore`` that schemadoc created in ``folder``."""
    try:
        st = os.lstat(folder / ".gitignore")
    except OSError:
        return None
    return [st.st_dev, st.st_ino, st.st_ctime_ns]


class Distrusted(Invalid):
    """A cache file that was not written in this folder."""


def _trusted(path: Path) -> dict[str, Any]:
    """The data of a cache file of this format, written in its folder (see ``Cache.open``)."""
    data = expect(_loaded(_read(path)), dict)
    if data.get("format") != FORMAT:
        raise Invalid("format")
    if data.get("owner") != _owner(path.parent):
        raise Distrusted("owner")
    return data


def _loaded(text: str) -> Any:
    """The JSON ``text`` as values. The garbage collector does not run while they are built,
    nor look at them again: they hold no cycles, and most live as long as the run (on the
    large benchmark tree, collections took 0.13 s of a run with one file changed)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:  # json reads more: escaped lone surrogates, NaN
            return json.loads(text)
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def _read(path: Path) -> str:
    """A cache file's text: a regular file, read up to a bound."""
    try:
        data = read_bounded(path, _MAX_BYTES)
    except TooLarge as exc:
        raise Invalid(str(exc)) from exc
    if data is None:
        raise FileNotFoundError(path)
    return data.decode("utf-8")


def _dumps(data: Any) -> str:
    """Compact JSON, keys in the order they were put (the outputs' order is their age; and
    sorting 26,000 files' entries took longer than writing them). Written by orjson, nine
    times faster than ``json``; by ``json`` when a string holds a lone surrogate (a file
    name that is not UTF-8)."""
    try:
        return orjson.dumps(data).decode()
    except TypeError:
        return json.dumps(data, separators=(",", ":"))

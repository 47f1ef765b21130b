"""``schemadoc generate`` and ``schemadoc check``: where the documents go, what to write
or compare, and writing it."""

from __future__ import annotations

import argparse
import os
import re
import shlex
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..config import DEFAULT_COMMAND, MAX_SETTINGS_BYTES, ConfigError, Settings
from ..discover.project import confine, read_inside
from ..model.diagnostics import failed
from ..model.errors import UserError
from .common import EXIT_ERROR, EXIT_OK, EXIT_STALE, _report

INJECT_LIMIT = 16 * 1024 * 1024  # bytes of a Markdown file the doc is injected into
DIFF_SLACK = 1024 * 1024  # check reads a file up to twice the document's size plus this


@dataclass(frozen=True)
class Targets:
    """Where the documentation goes: a file (or ``-``), a marked block, a split folder."""

    output: str | None
    inject: Path | None
    split: Path | None


def _targets(args: argparse.Namespace, configured: Settings) -> Targets:
    """The targets named on the command line, else every configured one, else stdout.

    ``configured`` holds the file's settings, paths already relative to the cwd.
    """
    explicit = any(getattr(args, k) is not None for k in ("output", "inject", "split"))
    chosen: dict[str, Path | None] = {}
    for key in ("inject", "split"):
        value, default = getattr(args, key), getattr(configured, key)
        if value == "" and not default:
            raise ConfigError(f"--{key} without a value needs {key} in [tool.schemadoc]")
        if value:
            chosen[key] = Path(value)
        elif value == "" or not explicit:
            chosen[key] = Path(default) if default else None
        else:
            chosen[key] = None
    output = args.output if explicit else configured.output
    if not (output or chosen["inject"] or chosen["split"]):
        output = "-"
    return Targets(output or None, chosen["inject"], chosen["split"])


def _confined(targets: Targets, settings: Settings) -> Targets:
    """``targets`` as real paths, each checked to be one schemadoc may read and write."""
    output = targets.output
    if output and output != "-":
        output = str(_document_target("output", output, settings))
    inject = targets.inject and _document_target("inject", targets.inject, settings)
    split = targets.split and confine("split", targets.split, settings.root, kind="folder")
    return Targets(output, inject, split)


# What a document may be written as: never code, settings, a hook or a file Python loads.
DOCUMENT_SUFFIXES = {
    "output": (".md", ".markdown", ".mdx", ".rst", ".txt", ".mmd", ".mermaid", ".json", ".sql"),
    "inject": (".md", ".markdown", ".mdx", ".rst", ".txt"),
}


def _document_target(setting: str, path: str | Path, settings: Settings) -> Path:
    """The real path of a document file: confined to the project, with a documentation
    suffix (a ``.sql`` output only in the SQL format, and only over a file that schemadoc
    wrote; a tbls output only ``.json``)."""
    from ..discover.project import ConfinementError, as_given, read_bounded
    from ..render.formats import SQL_HEADER

    real = confine(setting, path, settings.root)
    name, allowed = f"{setting} {as_given(path)!r}", DOCUMENT_SUFFIXES[setting]
    if real.suffix.lower() not in allowed:
        raise ConfinementError(f"{name} is not a documentation file ({', '.join(allowed)})")
    if setting == "output" and settings.format == "tbls" and real.suffix.lower() != ".json":
        raise ConfinementError(f"{name}: --format tbls writes tbls's schema.json, a .json file")
    if real.suffix.lower() == ".sql":
        if settings.format != "sql":
            raise ConfinementError(f"{name} is an SQL file: only --format sql writes one")
        head = read_bounded(real, 1 << 20) if real.exists() else None
        if head is not None and not head.startswith(SQL_HEADER.encode()):
            raise ConfinementError(f"{name} is an SQL file that schemadoc did not write")
    return real


_MAKE_TARGET = re.compile(rb"^schema-docs\s*:", re.M)
# Options that change what is documented or where it goes, as the command line gave them.
_DOCUMENT_OPTIONS = (
    "config",
    "format",
    "output",
    "title",
    "inject",
    "split",
    "templates",
    "include",
    "exclude",
)


def documented_command(root: Path) -> str:
    """The command the documents name for regenerating them: the project's ``make
    schema-docs`` when its Makefile has that target, else ``schemadoc generate``. It does not
    depend on how this run was invoked, so every run writes the same document."""
    for name in ("GNUmakefile", "makefile", "Makefile"):
        try:
            data = read_inside(root / name, root, MAX_SETTINGS_BYTES)
        except (OSError, UserError):
            continue
        if data is not None and _MAKE_TARGET.search(data):
            return "make schema-docs"
    return DEFAULT_COMMAND


def regenerate(args: argparse.Namespace, settings: Settings) -> str:
    """The command ``check`` tells the user to run: the ``command`` setting or the Makefile
    target, else ``schemadoc generate`` with the paths and the options of this run that shape
    the documents."""
    if settings.command != DEFAULT_COMMAND:
        return settings.command
    words = ["schemadoc", "generate", *getattr(args, "paths", [])]
    for option in _DOCUMENT_OPTIONS:
        values = getattr(args, option, None)
        for value in values if isinstance(values, list) else [values]:
            if value is not None:
                words += [f"--{option}"] + ([str(value)] if value != "" else [])
    if getattr(args, "include_tests", None):
        words.append("--include-tests")
    if getattr(args, "infer_relations", None) is False:
        words.append("--no-infer-relations")
    return shlex.join(words)


@dataclass
class Plan:
    """Files to write (path -> content), files that hold their content already, and
    generated files to remove."""

    writes: dict[Path, str]
    removals: list[Path]
    folders: dict[Path, int]  # split folder -> number of files it gets
    current: list[Path] = field(default_factory=list)


_FENCE_LANGS = {"json": "json", "sql": "sql", "mermaid": "mermaid", "tbls": "json"}


def _injected(path: Path, content: str, settings: Settings) -> str:
    """The file at ``path`` with ``content`` between its markers."""
    from ..discover.project import TooLarge, shown
    from ..output.files import read_text
    from ..output.inject import InjectError, inject
    from ..render.templates import fence

    try:
        text = read_text(path, INJECT_LIMIT)
    except (OSError, UnicodeDecodeError, TooLarge) as exc:
        raise InjectError(f"{shown(path)}: cannot read: {exc}") from exc
    if text is None:
        raise InjectError(
            f"{shown(path)} does not exist: create it with a line "
            f"`{settings.inject_start}` and, below it, a line "
            f"`{settings.inject_end}`"
        )
    if settings.format in _FENCE_LANGS:
        content = fence(content, _FENCE_LANGS[settings.format])
    return inject(
        text, content, path=shown(path), start=settings.inject_start, end=settings.inject_end
    )


def _plan(
    targets: Targets,
    schema: object,
    settings: Settings,
    content: str | None,
    current: bool = False,
) -> Plan:
    """What to write; ``current`` when the output file holds the document already."""
    plan = Plan({}, [], {})
    if targets.output and targets.output != "-" and current:
        plan.current.append(Path(targets.output))
    elif targets.output and targets.output != "-" and content is not None:
        plan.writes[Path(targets.output)] = content
    if targets.inject and content is not None:
        plan.writes[targets.inject] = _injected(targets.inject, content, settings)
    for database in settings.databases:
        if database.output and schema is not None:
            from ..render.formats import database_document

            text = database_document(schema, database.name, settings)  # type: ignore[arg-type]
            plan.writes[Path(database.output)] = text
    if targets.split:
        from ..output import per_table

        docs = per_table.documents(schema, settings)  # type: ignore[arg-type]
        per_table.check_foreign(targets.split, docs)
        plan.writes.update({targets.split / name: text for name, text in docs.items()})
        plan.removals = per_table.leftovers(targets.split, docs)
        plan.folders[targets.split] = len(docs)
    return plan


def _on_disk(path: Path, content: str) -> tuple[str | None, str]:
    """The text of the file ``path`` (None when missing) for a comparison with ``content``,
    or why it was not read: a file far larger than the document is not read at all."""
    from ..discover.project import TooLarge
    from ..output.files import read_text

    try:
        return read_text(path, 2 * len(content.encode("utf-8")) + DIFF_SLACK), ""
    except TooLarge:
        return None, "far larger than the document; not shown"
    except UnicodeDecodeError:
        return None, "not UTF-8 text; not shown"
    except OSError as exc:
        return None, f"cannot be read: {exc.strerror or exc}"


def _check(plan: Plan, hint: str, quiet: bool) -> int:
    from ..discover.project import shown
    from ..output.files import colorize, printable, unified_diff

    color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
    stale = 0
    for path, content in plan.writes.items():
        on_disk, unreadable = _on_disk(path, content)
        if on_disk == content:
            continue
        stale += 1
        if unreadable:
            print(f"schemadoc: {shown(path)}: {unreadable}", file=sys.stderr)
        else:
            diff = printable(unified_diff(shown(path), on_disk, content))
            sys.stdout.write(colorize(diff) if color else diff)
        state = "missing" if on_disk is None and not unreadable else "stale"
        print(
            f"schemadoc: {shown(path)} is {state}; run `{hint}` to regenerate",
            file=sys.stderr,
        )
    for path in plan.removals:
        stale += 1
        print(
            f"schemadoc: {shown(path)} is stale: its table no longer exists; run "
            f"`{hint}` to remove it",
            file=sys.stderr,
        )
    if stale:
        return EXIT_STALE
    if not quiet:
        for path in [*plan.current, *plan.writes]:
            if path.parent not in plan.folders:
                print(f"schemadoc: {shown(path)} is up to date", file=sys.stderr)
        for folder, count in plan.folders.items():
            print(f"schemadoc: {shown(folder)} is up to date ({count} files)", file=sys.stderr)
    return EXIT_OK


def _refuse_read_only(plan: Plan) -> None:
    """Stop before anything is written when a file to replace is read-only."""
    from ..discover.project import shown
    from ..output.files import holds, read_only

    for path, content in plan.writes.items():
        if read_only(path) and not holds(path, content):
            raise UserError(
                f"{shown(path)} is read-only; nothing was written (--force replaces it)"
            )


def _write(plan: Plan, quiet: bool) -> bool:
    """Carry out ``plan``; True when a file was written or removed."""
    from ..discover.project import shown
    from ..output.files import write_atomic

    changed = False
    for path in plan.current:
        if not quiet:
            print(f"schemadoc: unchanged: {shown(path)}", file=sys.stderr)
    for path, content in plan.writes.items():
        wrote = write_atomic(path, content)
        changed |= wrote
        in_folder = path.parent in plan.folders
        if not quiet and (wrote or not in_folder):
            print(f"schemadoc: {'wrote' if wrote else 'unchanged:'} {shown(path)}", file=sys.stderr)
    for path in plan.removals:
        path.unlink(missing_ok=True)
        changed = True
        if not quiet:
            print(f"schemadoc: removed {shown(path)} (its table no longer exists)", file=sys.stderr)
    return changed


class _Progress:
    """A one-line progress report on a terminal, for runs longer than about a second."""

    def __init__(self) -> None:
        self.start = time.monotonic()
        self.shown = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        elapsed = time.monotonic() - self.start
        if elapsed < 1.0:
            return
        print(
            f"\rschemadoc: {stage} {done}/{total} files, {elapsed:.1f} s\033[K",
            end="",
            file=sys.stderr,
            flush=True,
        )
        self.shown = True

    def done(self) -> None:
        if self.shown:
            print("\r\033[K", end="", file=sys.stderr, flush=True)


def _scanned(args: argparse.Namespace, settings: Settings, targets: Targets) -> tuple:
    """The schema scanned, or the document made: (document, its file when it is read back
    from the cache, schema, content, diagnostics); the diagnostics are reported."""
    from ..pipeline import document, scan

    progress = _Progress() if sys.stderr.isatty() and not args.quiet else None
    schema, doc, target = None, None, None
    own = any(d.output for d in settings.databases)  # documents besides the main one
    if targets.split is None and (targets.output or targets.inject) and not own:
        # A single document: straight from the cache when nothing it depends on changed,
        # and not even read when the output file holds it already.
        if targets.output and targets.output != "-" and not targets.inject:
            target = Path(targets.output)
        doc = document(settings.paths, settings, progress=progress, target=target)
        diagnostics, content, left_out = doc.diagnostics, doc.content, doc.left_out
    else:
        result = scan(settings.paths, settings, progress=progress)
        diagnostics, schema, content = result.diagnostics, result.schema, None
        left_out = result.left_out
    if progress:
        progress.done()
    _report(diagnostics, args.quiet, args.verbose)
    if left_out and not args.quiet:
        print(
            f"schemadoc: left out {left_out} test, fixture, documentation, example and vendored "
            f"file{'s' if left_out != 1 else ''} (--include-tests or include_tests = true "
            "scans them)",
            file=sys.stderr,
        )
    return doc, target, schema, content, diagnostics


def run(args: argparse.Namespace, settings: Settings, targets: Targets) -> int:
    """Write the documents (generate), or compare them with the files (check)."""
    from ..render.formats import render

    doc, target, schema, content, diagnostics = _scanned(args, settings, targets)
    broken = failed(diagnostics, settings.strict)
    if args.command == "check" and targets.output == "-":
        print(
            "schemadoc: error: check needs an output file (--output, --inject, --split or config)",
            file=sys.stderr,
        )
        return EXIT_ERROR
    if content is None and schema is not None and (targets.output or targets.inject):
        content = render(schema, settings)
    # What verified is written even when the schema has errors: the document lists what it
    # lacks under "Not documented", and the exit code still says there were errors.
    current = doc is not None and doc.content is None
    plan = _plan(targets, schema, settings, content, current)
    if args.command == "check":
        stale = _check(plan, regenerate(args, settings), args.quiet)
        if broken:
            print("schemadoc: error: the schema has errors (see above)", file=sys.stderr)
            return EXIT_ERROR
        return stale
    if not args.force:
        _refuse_read_only(plan)
    if targets.output == "-" and content is not None:
        sys.stdout.write(content)
    changed = _write(plan, args.quiet)
    if doc is not None and target is not None and target in plan.writes:
        doc.written(target)
    if broken:
        return EXIT_ERROR
    if changed and args.fail_on_change:
        print(
            "schemadoc: the docs changed; stage the regenerated files and commit again",
            file=sys.stderr,
        )
        return EXIT_STALE
    return EXIT_OK

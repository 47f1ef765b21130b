"""Command line: a thin shell over the library. ``main(argv) -> exit code``.

Exit codes: 0 docs current or written, 1 docs stale (check), 2 errors.
"""

from __future__ import annotations

import argparse
import functools
import os
import re
import shlex
import sys
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from .. import __version__
from ..config import DEFAULT_COMMAND, FORMATS, MAX_SETTINGS_BYTES, ConfigError, Settings, load
from ..discover.project import confine, read_inside
from ..model.diagnostics import SD301, failed
from ..model.errors import UserError
from ..output.files import printable

EXIT_OK, EXIT_STALE, EXIT_ERROR = 0, 1, 2
INJECT_LIMIT = 16 * 1024 * 1024  # bytes of a Markdown file the doc is injected into
DIFF_SLACK = 1024 * 1024  # check reads a file up to twice the document's size plus this


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="schemadoc",
        description="Document the SQLite schema held in the SQL string literals of Python code.",
    )
    parser.add_argument("--version", action="version", version=f"schemadoc {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, help_text in (
        ("generate", "write the documentation (or print it with --output -)"),
        ("check", "exit 1 with a diff when the documentation on disk is stale; never writes"),
        ("lint", "exit 1 when a lint rule finds a problem in the schema"),
        ("verify", "exit 1 when a database file's schema differs from the one the code creates"),
        ("diff", "what a change does to the schema: exit 1 when it changed, 2 on errors"),
    ):
        sub = commands.add_parser(name, help=help_text, description=help_text)
        if name == "diff":
            _diff_arguments(sub)
        else:
            sub.add_argument(
                "paths",
                nargs="*",
                metavar="PATH",
                help="files or folders to scan (default: config paths, else .)",
            )
        if name == "lint":
            sub.add_argument("--list-rules", action="store_true", help="list the rules and exit")
        elif name == "verify":
            _verify_arguments(sub)
        elif name != "diff":
            sub.add_argument("--format", choices=FORMATS, help="output format (default: markdown)")
            sub.add_argument("--output", "-o", metavar="FILE", help="output file, or - for stdout")
            sub.add_argument("--title", help="document title")
            sub.add_argument(
                "--inject",
                nargs="?",
                const="",
                metavar="FILE",
                help="put the doc between the schemadoc markers of this Markdown "
                "file (without FILE: the configured one)",
            )
            sub.add_argument(
                "--split",
                nargs="?",
                const="",
                metavar="DIR",
                help="one document per table plus an index README.md in DIR "
                "(without DIR: the configured one)",
            )
            sub.add_argument(
                "--templates",
                metavar="DIR",
                help="templates here replace the built-in ones of the same name",
            )
        if name == "generate":
            sub.add_argument(
                "--fail-on-change",
                action="store_true",
                help="exit 1 when a file was written or removed (pre-commit)",
            )
            sub.add_argument(
                "--force",
                action="store_true",
                help="also replace documents whose files are read-only",
            )
        sub.add_argument(
            "--config",
            metavar="FILE",
            type=Path,
            help="settings file (default: nearest pyproject.toml)",
        )
        sub.add_argument("--exclude", action="append", metavar="GLOB", help="skip matching files")
        sub.add_argument(
            "--include", action="append", metavar="GLOB", help="scan only matching files"
        )
        sub.add_argument(
            "--include-tests",
            action="store_true",
            default=None,
            help="also scan tests, fixtures, docs, examples and benchmarks",
        )
        sub.add_argument(
            "--no-infer-relations",
            dest="infer_relations",
            action="store_false",
            default=None,
            help="show declared foreign keys only",
        )
        sub.add_argument(
            "--strict", action="store_true", default=None, help="treat warnings as errors"
        )
        sub.add_argument(
            "--no-cache",
            dest="cache",
            action="store_false",
            default=None,
            help="neither read nor write the extraction cache",
        )
        sub.add_argument("--quiet", "-q", action="store_true", help="print errors only")
        sub.add_argument("--verbose", "-v", action="store_true", help="also print notes")
    return parser


def _diff_arguments(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "base",
        nargs="?",
        metavar="BASE",
        help="the revision to compare from (default: the merge base of HEAD with the default "
        "branch: origin/HEAD, else main or master, else HEAD~1)",
    )
    sub.add_argument(
        "head",
        nargs="?",
        metavar="HEAD",
        help="the revision to compare to (default: the work tree)",
    )
    sub.add_argument(
        "--format",
        dest="diff_format",
        choices=("text", "markdown", "json"),
        default="text",
        help="output format (default: text)",
    )
    sub.add_argument(
        "--fail-on",
        choices=("change", "destructive"),
        default="change",
        help="exit 1 on any change (default), or only on changes that can lose data",
    )
    sub.set_defaults(paths=[])


def _verify_arguments(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--db", required=True, metavar="FILE", help="the database file (read only)")
    sub.add_argument(
        "--database",
        metavar="NAME",
        help="the database of the code it holds: one of [tool.schemadoc.databases] or one "
        "the DDL attaches (default: the main one)",
    )
    sub.add_argument(
        "--format",
        dest="report",
        choices=("text", "markdown", "json"),
        default="text",
        help="report format (default: text)",
    )


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


def _settings(args: argparse.Namespace) -> tuple[Settings, dict, Targets | None]:
    base, lint = load(args.config)
    root = Path(base.root)
    # Paths in the settings file are relative to it; on the command line, to the cwd.
    base = base.merged(
        **{
            key: str(root / value)
            for key in ("output", "inject", "split")
            if (value := getattr(base, key)) not in (None, "-")
        }
    )
    targets = None if args.command in ("lint", "diff", "verify") else _targets(args, base)
    if targets is not None:
        targets = _confined(targets, base.merged(format=getattr(args, "format", None)))
    databases = base.databases
    if targets is not None:  # a database with a document of its own: confined as output is
        databases = tuple(
            replace(d, output=str(_document_target("output", root / d.output, base)))
            if d.output
            else d
            for d in databases
        )
    written = () if targets is None else (targets.output, targets.inject)
    written += tuple(d.output for d in databases)
    settings = base.merged(
        databases=databases,
        outputs=tuple(str(path) for path in written if path and path != "-"),
        format=getattr(args, "format", None),
        output=targets.output if targets else None,
        title=getattr(args, "title", None),
        templates=str(Path(args.templates).resolve()) if getattr(args, "templates", None) else None,
        infer_relations=args.infer_relations,
        strict=args.strict,
        cache=args.cache,
        exclude=tuple(args.exclude) if args.exclude else None,
        include=tuple(args.include) if args.include else None,
        include_tests=args.include_tests,
    )
    if settings.command == DEFAULT_COMMAND:
        settings = settings.merged(command=documented_command(root))
    if args.paths:
        # Paths given on the command line are relative to the working directory.
        return settings.merged(paths=tuple(args.paths)), lint, targets
    if settings.templates:
        confine("templates", root / settings.templates, root, kind="folder")
    paths = tuple(str(root / p) for p in settings.paths)
    for path in paths:  # the settings file scans its own project only
        confine("paths", path, root, kind="any")
    return settings.merged(paths=paths), lint, targets


def _report(diagnostics: Sequence, quiet: bool, verbose: bool) -> None:
    for d in diagnostics:
        if d.severity == "note" and not verbose:
            continue
        if quiet and d.severity != "error":
            continue
        print(printable(str(d)), file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except UserError as exc:
        if args.verbose and exc.__cause__ is not None:
            traceback.print_exception(exc.__cause__)
        print(f"schemadoc: error: {printable(str(exc))}", file=sys.stderr)
        return EXIT_ERROR
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        print(
            f"schemadoc: error: cannot write{where}: {exc.strerror or exc}; the previous "
            "file is intact",
            file=sys.stderr,
        )
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("schemadoc: interrupted; nothing was written", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: one clean line, the traceback only on request
        if args.verbose:
            traceback.print_exc()
        print(
            f"schemadoc: internal error: {type(exc).__name__}: {exc} (rerun with --verbose "
            "for the traceback)",
            file=sys.stderr,
        )
        return EXIT_ERROR


def _lint(args: argparse.Namespace, settings: Settings, raw: dict) -> int:
    from ..lint import RULES, LintConfig, lint
    from ..pipeline import scan

    if args.list_rules:
        for rule in RULES:
            state = "on" if rule.default else "off"
            print(f"{rule.code}  {rule.key:<24} ({state})  {rule.summary}")
        return EXIT_OK
    config = LintConfig.from_mapping(raw)
    result = scan(settings.paths, settings)
    # Conflicting definitions are reported once, by their lint rule.
    _report([d for d in result.diagnostics if d.code != SD301.code], args.quiet, args.verbose)
    findings = lint(result.schema, config)
    for finding in findings:
        print(printable(str(finding)))
    if result.has_errors(settings.strict):
        return EXIT_ERROR
    return EXIT_STALE if findings else EXIT_OK


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


def _diff(args: argparse.Namespace, settings: Settings) -> int:
    from ..diff.compare import compare
    from ..diff.report import render
    from ..diff.revisions import sides

    base, head = sides(settings, args.base, args.head)
    _report(head.result.diagnostics, args.quiet, args.verbose)
    if failed(base.result.diagnostics, settings.strict) and not args.quiet:
        print(
            f"schemadoc: note: the schema of {base.label} has errors too; what they concern "
            "may show as changed",
            file=sys.stderr,
        )
    diff = compare(base.schema, head.schema, head.statements)
    diff = replace(diff, base_label=base.label, head_label=head.label)
    diff = replace(diff, base_commit=base.commit, head_commit=head.commit)
    out = render(diff, args.diff_format)
    sys.stdout.write(printable(out) if args.diff_format == "text" else out)
    if failed(head.result.diagnostics, settings.strict):
        print(
            f"schemadoc: error: the schema of {head.label} has errors (see above); what they "
            "concern may show as removed or changed",
            file=sys.stderr,
        )
        return EXIT_ERROR
    changed = diff.destructive if args.fail_on == "destructive" else diff.changes
    return EXIT_STALE if changed else EXIT_OK


def _run(args: argparse.Namespace) -> int:
    settings, lint_raw, targets = _settings(args)
    if args.command == "diff":
        return _diff(args, settings)
    if args.command == "verify":
        from .verify import run

        show = functools.partial(_report, quiet=args.quiet, verbose=args.verbose)
        return run(settings, Path(args.db), args.report, show, args.database)
    if args.command == "lint" or targets is None:
        return _lint(args, settings, lint_raw)
    from ..pipeline import document, scan
    from ..render.formats import render

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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

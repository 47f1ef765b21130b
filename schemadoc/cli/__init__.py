"""Command line: a thin shell over the library. ``main(argv) -> exit code``.

Exit codes: 0 docs current or written, 1 docs stale (check), 2 errors.
"""

from __future__ import annotations

import argparse
import functools
import sys
import traceback
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from .. import __version__
from ..config import DEFAULT_COMMAND, FORMATS, Settings, load
from ..discover.project import confine
from ..model.errors import UserError
from ..output.files import printable
from .common import EXIT_ERROR, _report
from .document import Targets, _confined, _document_target, _targets, documented_command


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
            _document_arguments(sub)
        if name == "generate":
            _generate_arguments(sub)
        _common_arguments(sub)
    return parser


def _document_arguments(sub: argparse.ArgumentParser) -> None:
    """The options of generate and check: the documents, where they go, how they look."""
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


def _generate_arguments(sub: argparse.ArgumentParser) -> None:
    """The options of generate only."""
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


def _common_arguments(sub: argparse.ArgumentParser) -> None:
    """The options of every command: settings, what to scan, what to print."""
    sub.add_argument(
        "--config",
        metavar="FILE",
        type=Path,
        help="settings file (default: nearest pyproject.toml)",
    )
    sub.add_argument("--exclude", action="append", metavar="GLOB", help="skip matching files")
    sub.add_argument("--include", action="append", metavar="GLOB", help="scan only matching files")
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
    sub.add_argument("--strict", action="store_true", default=None, help="treat warnings as errors")
    sub.add_argument(
        "--no-cache",
        dest="cache",
        action="store_false",
        default=None,
        help="neither read nor write the extraction cache",
    )
    sub.add_argument("--quiet", "-q", action="store_true", help="print errors only")
    sub.add_argument("--verbose", "-v", action="store_true", help="also print notes")


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


def _run(args: argparse.Namespace) -> int:
    settings, lint_raw, targets = _settings(args)
    if args.command == "diff":
        from .diff import run

        return run(args, settings)
    if args.command == "verify":
        from .verify import run

        show = functools.partial(_report, quiet=args.quiet, verbose=args.verbose)
        return run(settings, Path(args.db), args.report, show, args.database)
    if args.command == "lint" or targets is None:
        from .lint import run

        return run(args, settings, lint_raw)
    from .document import run

    return run(args, settings, targets)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

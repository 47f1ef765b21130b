"""Command line: a thin shell over the library. ``main(argv) -> exit code``.

Exit codes: 0 docs current or written, 1 docs stale (check), 2 errors.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .config import FORMATS, ConfigError, Settings, load

EXIT_OK, EXIT_STALE, EXIT_ERROR = 0, 1, 2


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
    ):
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("paths", nargs="*", metavar="PATH",
                         help="files or folders to scan (default: config paths, else .)")
        if name == "lint":
            sub.add_argument("--list-rules", action="store_true", help="list the rules and exit")
        else:
            sub.add_argument("--format", choices=FORMATS,
                             help="output format (default: markdown)")
            sub.add_argument("--output", "-o", metavar="FILE",
                             help="output file, or - for stdout")
            sub.add_argument("--title", help="document title")
        sub.add_argument("--config", metavar="FILE", type=Path,
                         help="settings file (default: nearest pyproject.toml)")
        sub.add_argument("--exclude", action="append", metavar="GLOB", help="skip matching files")
        sub.add_argument("--include", action="append", metavar="GLOB",
                         help="scan only matching files")
        sub.add_argument("--no-infer-relations", dest="infer_relations", action="store_false",
                         default=None, help="show declared foreign keys only")
        sub.add_argument("--strict", action="store_true", default=None,
                         help="treat warnings as errors")
        sub.add_argument("--no-cache", dest="cache", action="store_false", default=None,
                         help="neither read nor write the extraction cache")
        sub.add_argument("--quiet", "-q", action="store_true", help="print errors only")
        sub.add_argument("--verbose", "-v", action="store_true", help="also print notes")
    return parser


def _settings(args: argparse.Namespace) -> tuple[Settings, dict]:
    base, lint = load(args.config)
    settings = base.merged(
        format=getattr(args, "format", None), output=getattr(args, "output", None),
        title=getattr(args, "title", None),
        infer_relations=args.infer_relations, strict=args.strict, cache=args.cache,
        exclude=tuple(args.exclude) if args.exclude else None,
        include=tuple(args.include) if args.include else None,
    )
    if args.paths:
        # Paths given on the command line are relative to the working directory.
        return settings.merged(paths=tuple(args.paths)), lint
    root = Path(settings.root)
    return settings.merged(paths=tuple(str(root / p) for p in settings.paths)), lint


def _report(diagnostics: Sequence, quiet: bool, verbose: bool) -> None:
    for d in diagnostics:
        if d.severity == "note" and not verbose:
            continue
        if quiet and d.severity != "error":
            continue
        print(d, file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except ConfigError as exc:
        print(f"schemadoc: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("schemadoc: interrupted; nothing was written", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: one clean line, the traceback only on request
        if args.verbose:
            traceback.print_exc()
        print(f"schemadoc: internal error: {type(exc).__name__}: {exc} (rerun with --verbose "
              "for the traceback)", file=sys.stderr)
        return EXIT_ERROR


def _lint(args: argparse.Namespace, settings: Settings, raw: dict) -> int:
    from .api import scan
    from .lint import RULES, LintConfig, lint

    if args.list_rules:
        for rule in RULES:
            state = "on" if rule.default else "off"
            print(f"{rule.code}  {rule.key:<24} ({state})  {rule.summary}")
        return EXIT_OK
    config = LintConfig.from_mapping(raw)
    result = scan(settings.paths, settings)
    # Conflicting definitions are reported once, by their lint rule.
    _report([d for d in result.diagnostics if d.code != "SD301"], args.quiet, args.verbose)
    findings = lint(result.schema, config)
    for finding in findings:
        print(finding)
    if result.has_errors(settings.strict):
        return EXIT_ERROR
    return EXIT_STALE if findings else EXIT_OK


def _run(args: argparse.Namespace) -> int:
    settings, lint_raw = _settings(args)
    if args.command == "lint":
        return _lint(args, settings, lint_raw)
    from .api import scan
    from .output import colorize, read_text, unified_diff, write_atomic
    from .render import render

    result = scan(settings.paths, settings)
    _report(result.diagnostics, args.quiet, args.verbose)
    failed = result.has_errors(settings.strict)
    content = render(result.schema, settings)
    target = settings.output or "-"

    if args.command == "check":
        if failed:
            print("schemadoc: error: the schema has errors; fix them first", file=sys.stderr)
            return EXIT_ERROR
        if target == "-":
            print("schemadoc: error: check needs an output file (--output or config)",
                  file=sys.stderr)
            return EXIT_ERROR
        on_disk = read_text(Path(target))
        if on_disk == content:
            if not args.quiet:
                print(f"schemadoc: {target} is up to date", file=sys.stderr)
            return EXIT_OK
        diff = unified_diff(target, on_disk, content)
        sys.stdout.write(colorize(diff) if sys.stdout.isatty() and "NO_COLOR" not in os.environ
                         else diff)
        state = "missing" if on_disk is None else "stale"
        print(f"schemadoc: {target} is {state}; run `{settings.command}` to regenerate",
              file=sys.stderr)
        return EXIT_STALE

    if failed and settings.format != "json":
        print("schemadoc: error: not written: the documented schema would be wrong or "
              "incomplete", file=sys.stderr)
        return EXIT_ERROR
    if target == "-":
        sys.stdout.write(content)
    else:
        changed = write_atomic(Path(target), content)
        if not args.quiet:
            verb = "wrote" if changed else "unchanged:"
            print(f"schemadoc: {verb} {target}", file=sys.stderr)
    return EXIT_ERROR if failed else EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

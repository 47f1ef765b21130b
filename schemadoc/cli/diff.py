"""``schemadoc diff``: what a change does to the schema."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace

from ..config import Settings
from ..model.diagnostics import failed
from ..output.files import printable
from .common import EXIT_ERROR, EXIT_OK, EXIT_STALE, _report


def run(args: argparse.Namespace, settings: Settings) -> int:
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

"""``schemadoc lint``: the lint rules over the schema."""

from __future__ import annotations

import argparse

from ..config import Settings
from ..model.diagnostics import SD301
from ..output.files import printable
from .common import EXIT_ERROR, EXIT_OK, EXIT_STALE, _report


def run(args: argparse.Namespace, settings: Settings, raw: dict) -> int:
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

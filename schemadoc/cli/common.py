"""What every command shares: the exit codes and how diagnostics are shown."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from ..output.files import printable

EXIT_OK, EXIT_STALE, EXIT_ERROR = 0, 1, 2


def _report(diagnostics: Sequence, quiet: bool, verbose: bool) -> None:
    for d in diagnostics:
        if d.severity == "note" and not verbose:
            continue
        if quiet and d.severity != "error":
            continue
        print(printable(str(d)), file=sys.stderr)

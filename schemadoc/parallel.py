"""Extraction in worker processes, for projects with many files to extract.

Each worker builds its own view of the project and processes a share of the files; the
results are merged in file order, so the output does not depend on how work was shared. A
worker that dies (libcst's native parser can crash the process) costs its files a diagnostic,
never the run: its share is retried one file per process.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from .model import Diagnostic

_extractor: Any = None


def _start(files: dict[str, Path], summaries: dict[str, Any]) -> None:
    global _extractor
    from .extract import Extractor

    _extractor = Extractor(files, summaries)


def _work(displays: list[str]) -> list[Any]:
    return [_extractor.process(display) for display in displays]


def _run(files: dict[str, Path], summaries: dict[str, Any], shares: list[list[str]],
         workers: int) -> tuple[list[Any], list[list[str]]]:
    """Results of the shares that finished, and the shares whose worker died."""
    done: list[Any] = []
    failed: list[list[str]] = []
    with ProcessPoolExecutor(workers, initializer=_start, initargs=(files, summaries)) as pool:
        futures = [(share, pool.submit(_work, share)) for share in shares]
        for share, future in futures:
            try:
                done.extend(future.result())
            except BrokenProcessPool:
                failed.append(share)
    return done, failed


def process_parallel(files: dict[str, Path], summaries: dict[str, Any], todo: list[str],
                     progress: Any = None) -> list[Any]:
    """Extract ``todo`` (and the base-class files they need) in worker processes."""
    from .extract import UnitResult

    workers = min(os.cpu_count() or 1, 8)
    results: dict[str, Any] = {}
    pending = sorted(set(todo))
    while pending:
        shares = [pending[i::workers] for i in range(workers) if pending[i::workers]]
        done, failed = _run(files, summaries, shares, len(shares))
        for share in failed:  # one process per file, to find the one that crashes
            for display in share:
                single, crashed = _run(files, summaries, [[display]], 1)
                done.extend(single)
                if crashed:
                    crash = Diagnostic("error", "SD101", "the Python parser crashed on this file",
                                       display, 1, 0)
                    done.append(UnitResult(display, [], [], [], [crash], [], []))
        for unit in done:
            results[unit.display] = unit
        if progress:
            progress("extracted", len(results), len(results))
        pending = sorted({b for unit in done for b in unit.bases} - set(results))
    return [results[d] for d in sorted(results)]

"""Extraction in worker processes, for projects with many files to extract.

Each worker builds its own view of the project and processes a share of the files; the
results are merged in file order, so the output does not depend on how work was shared. A
worker that dies (libcst's native parser can crash the process) costs its files a diagnostic,
never the run: its share is retried one file per process.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TYPE_CHECKING

from ..model.diagnostics import SD101

if TYPE_CHECKING:
    from .extractor import Extractor, UnitResult
    from .summary import Summary

_extractor: Extractor | None = None


def _start(files: dict[str, Path], summaries: dict[str, Summary], tests: frozenset[str]) -> None:
    global _extractor
    import gc

    from .extractor import Extractor
    from .heap import GC_THRESHOLDS

    gc.set_threshold(*GC_THRESHOLDS)  # the worker only extracts
    _extractor = Extractor(files, summaries, tests=tests)


def _work(displays: list[str]) -> list[UnitResult]:
    assert _extractor is not None  # see ``_start``
    return [_extractor.process(display) for display in displays]


def _single(
    files: dict[str, Path], summaries: dict[str, Summary], tests: frozenset[str], display: str
) -> list[UnitResult]:
    """One file in a process of its own: the file that crashes its process gets the blame."""
    from .extractor import UnitResult

    try:
        with ProcessPoolExecutor(1, initializer=_start, initargs=(files, summaries, tests)) as pool:
            return pool.submit(_work, [display]).result()
    except BrokenProcessPool:
        crash = SD101("the Python parser crashed on this file", display, 1, 0)
        return [UnitResult(display, [], [], [], [crash], [], [])]


def process_parallel(
    files: dict[str, Path],
    summaries: dict[str, Summary],
    todo: list[str],
    tests: frozenset[str],
    progress: Callable[[str, int, int], None] | None = None,
) -> list[UnitResult]:
    """Extract ``todo`` (and the base-class files they need) in worker processes."""
    workers = min(os.cpu_count() or 1, 8)
    results: dict[str, UnitResult] = {}
    retry: list[str] = []
    pending = sorted(set(todo))
    initargs = (files, summaries, tests)
    with ProcessPoolExecutor(workers, initializer=_start, initargs=initargs) as pool:
        while pending and not retry:
            shares = [pending[i::workers] for i in range(workers) if pending[i::workers]]
            futures = [(share, pool.submit(_work, share)) for share in shares]
            for share, future in futures:
                try:
                    for unit in future.result():
                        results[unit.display] = unit
                except BrokenProcessPool:
                    retry.extend(share)
            if progress:
                progress("extracted", len(results), len(results) + len(retry))
            pending = sorted({b for unit in results.values() for b in unit.bases} - set(results))
    retry.extend(pending)
    while retry:
        for unit in _single(files, summaries, tests, retry.pop(0)):
            results[unit.display] = unit
            retry.extend(b for b in unit.bases if b not in results and b not in retry)
    return [results[d] for d in sorted(results)]

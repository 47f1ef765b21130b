"""Handing memory that was freed back to the operating system, and running the cyclic
garbage collector less often while a run builds its many long-lived objects."""

from __future__ import annotations

import functools
import gc
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager

# A run keeps hundreds of thousands of objects (libcst nodes, decoded cache records, the
# model) and makes little cyclic garbage; the default thresholds run the cyclic collector
# over them thousands of times (5.8 s of a 42 s cold run of the benchmark tree, and a
# quarter of a re-run after one file changed). These cut that to a small fraction.
GC_THRESHOLDS = (20_000, 20, 20)


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the cyclic garbage collector less often (``GC_THRESHOLDS``) for a while."""
    before = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    import ctypes  # only once memory is to be given back: not on a run that reads no code

    try:
        return ctypes.CDLL(None).malloc_trim  # glibc
    except (AttributeError, OSError, TypeError):  # another C library, or Windows
        return None


def give_back() -> None:
    """Return the free memory of the C heap to the system, where the C library can (glibc's
    ``malloc_trim``; elsewhere this does nothing). libcst's native parser allocates several
    times a module's size outside Python's allocator for each parse; once freed, glibc would
    keep it mapped and the process would stay as large as its largest parse left it."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def resident() -> int | None:
    """This process's resident memory in bytes, where the system tells (Linux); else None."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None

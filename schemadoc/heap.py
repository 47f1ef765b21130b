"""Handing memory that was freed back to the operating system."""

from __future__ import annotations

import ctypes
import functools
from collections.abc import Callable


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
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
